"""Spanish formats for patient pages in the United States: one human date format, US number punctuation."""

DATE_FORMAT = r"j \d\e F \d\e Y"  # 29 de noviembre de 2026
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
SHORT_DATE_FORMAT = r"j \d\e F \d\e Y"
# As in US Spanish (and Mexico): 9.10 and $1,000,000, like the English pages the practice sees.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
