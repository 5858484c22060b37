"""The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters from a 31-character set —
registration authority (1), organisation kind (1), administrative division (6, GB/T 2260), organisation code
(9, GB 11714) and a check character computed over the first 17.

Check character: with the set ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z) each character has the value
of its place (0…30); the weight of position i (1…17) is 3^(i−1) mod 31; the check character is the one whose value
is 31 − (Σ value × weight mod 31), where 31 means 0.  Pure and shared: intake validates an investor's code with it,
supervision every row of an enterprise-data import.
"""

from __future__ import annotations

import re

from shared.i18n import _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(
    pow(3, i, 31) for i in range(17)
)  # 3^(i-1) mod 31, i = 1..17: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
VALUE = {ch: n for n, ch in enumerate(CHARSET)}


def check_character(first17: str) -> str:
    """The 18th character for the first 17 of a unified social credit code."""
    if len(first17) != 17 or any(ch not in VALUE for ch in first17):
        raise ValueError("17 characters of the GB 32100-2015 set are needed")
    total = sum(VALUE[ch] * w for ch, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def normalise(code) -> str:
    """The code as written on a certificate: spaces taken off, upper case (full-width letters folded)."""
    import unicodedata

    return unicodedata.normalize("NFKC", str(code or "")).replace(" ", "").strip().upper()


def problem(code) -> str | None:
    """None if ``code`` is a valid unified social credit code, else the rule it breaks (a message)."""
    if not isinstance(code, str) or len(code) != 18:
        return _("must be 18 characters (GB 32100-2015)")
    if not SHAPE.match(code):
        return _("may only use 0-9 and A-H J-N P-R T-U W-Y (no I, O, S, V, Z)")
    expected = check_character(code[:17])
    if code[17] != expected:
        return _(
            "check character is wrong: expected {expected} for the first 17 characters (GB 32100-2015)",
            expected=expected,
        )
    return None


def is_valid(code) -> bool:
    return problem(code) is None
