"""GB/T 4754 (national industry classification) codes, as every service checks them."""

from __future__ import annotations

import re
from typing import Mapping

from shared.i18n import _

SECTOR_SHAPE = re.compile(r"^([A-T])(\d{2})(\d{0,2})$")


def sector_problem(code: str, sections: Mapping[str, list[int]]):
    """GB/T 4754 code: section letter + 2-digit division (+ group/class digits); None if valid."""
    match = SECTOR_SHAPE.match(code or "")
    if not match:
        return _("must be a GB/T 4754 code: a section letter A-T and 2 to 4 digits, e.g. C3612")
    section, division = match.group(1), int(match.group(2))
    low, high = sections[section]
    if not low <= division <= high:
        return _(
            "division {division} does not belong to section {section} (GB/T 4754: {low} to {high})",
            division=f"{division:02d}",
            section=section,
            low=f"{low:02d}",
            high=f"{high:02d}",
        )
    return None
