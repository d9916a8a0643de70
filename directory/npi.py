"""NPI check digit (Luhn over the prefix 80840 and the first nine digits) and a model validator."""

from django.core.exceptions import ValidationError

NPI_PREFIX = "80840"


def luhn_check_digit(digits: str) -> int:
    """The Luhn digit that, appended to `digits`, makes the whole string valid."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: these sit in odd places once the check digit is appended
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def npi_check_digit(first_nine: str) -> int:
    return luhn_check_digit(NPI_PREFIX + first_nine)


def is_valid_npi(value: str) -> bool:
    return (
        isinstance(value, str)
        and len(value) == 10
        and value.isascii()
        and value.isdigit()
        and value[0] in "12"
        and npi_check_digit(value[:9]) == int(value[9])
    )


def validate_npi(value: str) -> None:
    if not is_valid_npi(value):
        raise ValidationError(
            "%(value)s is not a valid NPI (10 digits starting 1 or 2, with a valid check digit).",
            code="invalid_npi",
            params={"value": value},
        )
