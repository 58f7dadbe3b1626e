"""Text written into spreadsheet cells (every CSV and XLSX we produce): text a spreadsheet would run as a formula
stays text, and characters no sheet can hold are dropped. Numbers are not text and never pass through here."""
import re

# What Excel, WPS and LibreOffice read as the start of a formula (tab, CR and LF let one hide after a blank),
# with the full-width forms a Chinese input method types and WPS converts.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# C0 controls but tab and line breaks, and lone surrogates: XLSX cannot hold them, and no file can encode the latter.
_UNHOLDABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def cell_text(text: str) -> str:
    """Text as a cell can hold it."""
    return _UNHOLDABLE.sub("", text)


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula; a plain number ("-3.5") is only a number."""
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def neutralised(text: str) -> str:
    """Text for a CSV cell, which has no types: one that would run as a formula gets the apostrophe that makes a
    spreadsheet keep it as typed ("'=HYPERLINK(…)"). XLSX marks such a cell as text instead (app/exports.py)."""
    text = cell_text(text)
    return "'" + text if runs_as_formula(text) else text
