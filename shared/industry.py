"""GB/T 4754 (national industry classification) codes, as every service checks them."""
from __future__ import annotations

import re
from typing import Mapping

SECTOR_SHAPE = re.compile(r"^([A-T])(\d{2})(\d{0,2})$")


def sector_problem(code: str, sections: Mapping[str, list[int]]) -> str | None:
    """GB/T 4754 code: section letter + 2-digit division (+ group/class digits); None if valid."""
    match = SECTOR_SHAPE.match(code or "")
    if not match:
        return "must be a GB/T 4754 code: section letter A-T and 2 to 4 digits, e.g. C3612"
    section, division = match.group(1), int(match.group(2))
    low, high = sections[section]
    if not low <= division <= high:
        return f"division {division:02d} does not belong to section {section} (GB/T 4754: {low:02d}-{high:02d})"
    return None
