"""Text a spreadsheet must show as text: the one defence against formula injection (CWE-1236) of every workbook
the platform writes.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken for a formula by
Excel or WPS — when openpyxl writes it (a string beginning with ``=`` becomes a formula cell), when a user edits
the cell, or once the sheet is saved as CSV — so a project named ``=HYPERLINK("http://…","点此")`` became a live
link in the LG's summary.  ``cell_value`` gives such a text a leading apostrophe, which every spreadsheet shows
and none evaluates; ``text_of_cell`` takes it off again when a workbook the platform wrote is read back (the
ledger's import).  Every writer passes every value through ``cell_value`` (tests/unit/test_spreadsheet_cells.py
holds each writer to it).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""OWASP's list, and the line feed a workbook's XML makes of a carriage return (so the escape reads back)."""
QUOTE = "'"


def cell_value(value):
    """``value`` as a cell holds it: a text that would start a formula gets a leading apostrophe; any other
    value (a number, a date, None, a harmless text) is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def text_of_cell(text: str) -> str:
    """The text ``cell_value`` was given (the apostrophe it added taken off)."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
