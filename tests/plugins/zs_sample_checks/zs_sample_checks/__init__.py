"""Sample department check plugins (entry-point group ``zhaoshang.review_checks``).

``land_size_note`` flags a project asking for more than 50 mu of land;
``always_broken`` always raises, to show that a failing plugin becomes an
``error`` finding and never stops the review.
"""

from __future__ import annotations

from decimal import Decimal

from services.review.checks import FLAG, OK, Finding

THRESHOLD_MU = Decimal("50")


class LandSizeNote:
    name = "land_size_note"
    unit = "LAND"

    def run(self, project, policy) -> Finding:
        values = {"threshold_mu": str(THRESHOLD_MU)}
        if project.land_mu > THRESHOLD_MU:
            return Finding(
                self.name, self.unit, FLAG, f"land of {project.land_mu} mu is more than {THRESHOLD_MU} mu", values
            )
        return Finding(self.name, self.unit, OK, f"land of {project.land_mu} mu is within {THRESHOLD_MU} mu", values)


class AlwaysBroken:
    name = "always_broken"
    unit = "IPB"

    def run(self, project, policy) -> Finding:
        raise RuntimeError("sample plugin failure")
