"""Phone numbers in one canonical form: E.164 when stored, national format when shown."""

from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

REGION = "US"


# Parsing costs ~60 µs; the national files repeat a practice's number on every clinician's row. Bounded: a few MB.
@lru_cache(maxsize=1 << 15)
def phone_e164(text: str) -> str:
    """A phone number as E.164 ("+18286848201"), "" for none; ValueError when it is not a valid number.

    The same number from any source ("828-684-8201", "8286848201", "(828) 684-8201") gives the same text.
    Answers are cached by the text (a ValueError is not: a bad number is parsed again).
    """
    if not text or not text.strip():
        return ""
    try:
        number = phonenumbers.parse(text, REGION)
    except NumberParseException:
        raise ValueError(f"{text!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{text!r} is not a valid phone number")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)  # a results page shows up to forty, each parsed anew took ~0.1 ms
def phone_national(e164: str) -> str:
    """A stored number as people write it at home, e.g. "(828) 684-8201"; text that does not parse is returned."""
    try:
        number = phonenumbers.parse(e164, REGION)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
