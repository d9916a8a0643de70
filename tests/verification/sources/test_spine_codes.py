"""The committed table of spine CPT codes: which are operations and which are add-ons billed with them."""

from verification.sources.spine_codes import ADD_ON_CODES, PRIMARY_CODES, SPINE_CODES, TABLE

ADD_ONS_NAMED_BY_CMS = (
    "22840 22842 22843 22844 22845 22846 22847 22848 22853 22854 22859 22614 22632 22634 22552 22585 22534 "
    "63035 63043 63044 63048 63052 63053 63057 63066 63076 63078 63082 63086 63088 63091 63103"
).split()


def test_the_table_names_the_fee_schedule_file_and_year_it_was_taken_from():
    header = TABLE.read_text().split("\n", 5)
    assert "Physician Fee Schedule Relative Value File, calendar year 2025" in header[1]
    assert "PPRRVU2025_Oct.csv" in header[2] and "GLOB DAYS" in header[2]


def test_a_code_is_an_add_on_exactly_when_its_global_period_is_zzz():
    assert all(entry.add_on == (entry.glob_days == "ZZZ") for entry in SPINE_CODES.values())


def test_instrumentation_and_additional_levels_are_add_ons():
    assert set(ADD_ONS_NAMED_BY_CMS) <= ADD_ON_CODES


def test_fusions_decompressions_and_stimulators_are_operations():
    assert {"22612", "22551", "22600", "22630", "22633", "63030", "63045", "63047", "63650", "63685"} <= PRIMARY_CODES


def test_a_code_is_either_an_operation_or_an_add_on():
    assert PRIMARY_CODES.isdisjoint(ADD_ON_CODES)
    assert set(SPINE_CODES) == PRIMARY_CODES | ADD_ON_CODES


def test_a_bundled_code_never_paid_on_its_own_is_not_listed():
    assert "22841" not in SPINE_CODES
