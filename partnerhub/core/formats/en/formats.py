"""English: ``{{ day|date }}`` reads "3 Dec 2026"; ``{{ moment|date:"DATETIME_FORMAT" }}`` "3 Dec 2026, 14:05"."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "F Y"
