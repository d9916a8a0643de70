"""English date formats for patient pages: one human format everywhere."""

DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, g:i A"
SHORT_DATE_FORMAT = "M j, Y"
