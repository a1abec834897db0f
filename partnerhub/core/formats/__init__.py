"""The product's own date and time formats (FORMAT_MODULE_PATH), over Django's locale formats: one human format for
every date a page shows ("3 Dec 2026", "3 Dec 2026, 14:05"). Only the display formats are set here; what people may
type in a form (the input formats) stays Django's, ISO dates first."""
