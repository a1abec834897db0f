"""The import engine: read a CSV/XLSX file (or API rows), map its columns, normalise and validate every value,
compare against stored rows by natural key, and write the difference in bulk.

Modules: ``fields`` (what each kind accepts), ``parsing`` (bytes to a table of strings), ``mapping`` (their headers
to our fields), ``normalize`` (column-wise value parsing), ``engine`` (validation, comparison, bulk writes) and
``bench`` (the 100,000-row figure for ``make bench``). Services in ``scorecards.services.imports`` drive it.
"""
