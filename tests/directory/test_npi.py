import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from directory.npi import is_valid_npi, npi_check_digit, validate_npi


def test_cms_example_npi_is_valid():
    assert is_valid_npi("1234567893")


def test_wrong_check_digit_is_rejected():
    assert not is_valid_npi("1234567890")


@pytest.mark.parametrize("value", ["123456789", "12345678933", "12345678a3", "3234567893", "", "１２３４５６７８９３"])
def test_malformed_npis_are_rejected(value):
    assert not is_valid_npi(value)


def test_validator_raises_a_clear_message():
    with pytest.raises(ValidationError, match="not a valid NPI"):
        validate_npi("1234567890")


@given(st.integers(min_value=100_000_000, max_value=299_999_999))
def test_every_nine_digit_base_has_exactly_one_valid_check_digit(base):
    first_nine = str(base)
    valid = [d for d in range(10) if is_valid_npi(first_nine + str(d))]
    assert valid == [npi_check_digit(first_nine)]


@given(st.integers(min_value=100_000_000, max_value=299_999_999), st.integers(min_value=0, max_value=9))
def test_a_single_changed_digit_is_detected(base, position):
    npi = str(base) + str(npi_check_digit(str(base)))
    changed = npi[:position] + str((int(npi[position]) + 1) % 10) + npi[position + 1 :]
    assert not is_valid_npi(changed)
