"""The yearly per-mu benefit evaluation (亩均效益综合评价, R17 §4): pure rules over the enterprise data store's
figures and policy ``benefit.evaluation``.

* **Who is evaluated**: every enterprise of the register with a full year of data (tax, output, energy and land
  used of that year) on at least ``minimum_land_mu`` (sample 3 亩).
* **Indicators** (``indicators``, sample): tax per mu = tax ÷ land (万元/亩, weight 45 %), output per mu = output ÷
  land (万元/亩, 35 %), tax per tonne of standard coal equivalent = tax ÷ energy (万元/吨标准煤, 20 %; no energy
  used counts the cap).  Each indicator's score = min(value ÷ baseline, cap) × weight × 100, with the year's
  baseline (``baselines.<year>``; sample: the county's average × 2) and the cap (sample 1.2); the total is the sum,
  half-up to 2 places (an indicator's score is shown half-up to 2 places; the total is not the sum of those).
* **Class T** (not graded): the first ``new_production_years`` (2) years of production — production started in the
  year evaluated or the one before — and the sectors policy lists (``exempt_sectors``, GB/T 4754 prefixes).
* **Ranking** of the N graded: by total, higher first; ties by tax per mu (higher first), then by credit code.
* **Grades by rank**: A = ⌊0.20·N + 0.5⌋ first, B = ⌊0.40·N + 0.5⌋ next, D = ⌊0.05·N + 0.5⌋ last (at least 1 when
  N ≥ 10), C the rest (``grade_counts``; N = 20 → A 4, B 8, C 7, D 1).

Pure: no nameko, no session, no clock.  Exact decimals throughout; rounding once, where a figure is shown.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping

from shared.errors import InvalidInput
from shared.i18n import N_, Message, _
from shared.policy import Policy

CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_UP)
CENT = Decimal("0.01")
GRADES = ("A", "B", "C", "D")
GRADED, CLASS_T, NOT_EVALUATED = "graded", "T", "not_evaluated"
NEEDED = ("tax", "output", "energy", "land")
INDICATOR_NAMES = {
    "tax_per_mu": N_("tax per mu"),
    "output_per_mu": N_("output per mu"),
    "tax_per_energy": N_("tax per tonne of standard coal equivalent"),
}
INDICATOR_UNITS = {"tax_per_mu": "万元/亩", "output_per_mu": "万元/亩", "tax_per_energy": "万元/吨标准煤"}
GRADE_NAMES = {
    "A": N_("grade A (encouraged)"),
    "B": N_("grade B (supported)"),
    "C": N_("grade C (upgraded)"),
    "D": N_("grade D (restricted)"),
    "T": N_("class T (not graded)"),
}


def half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    rounded = value.quantize(places, rounding=decimal.ROUND_HALF_UP)
    return rounded if rounded != 0 else abs(rounded)


@dataclass(frozen=True)
class Rules:
    """The evaluation's policy for a year."""

    year: int
    minimum_land: Decimal
    cap: Decimal
    weights: Mapping[str, Decimal]
    baselines: Mapping[str, Decimal]
    shares: Mapping[str, Decimal]
    d_at_least_one_from: int
    new_production_years: int
    exempt_sectors: tuple[str, ...]


def rules(policy: Policy, year: int) -> Rules:
    """The evaluation's rules for ``year``; InvalidInput naming ``year`` when policy sets no baselines for it."""
    spec = policy.get("benefit.evaluation")
    baselines = spec["baselines"].get(year) or spec["baselines"].get(str(year))
    if not baselines:
        raise InvalidInput.for_field(
            "year", _("policy sets no baselines of the per-mu benefit evaluation for {year}", year=str(year))
        )
    weights = {i["key"]: Decimal(i["weight"]) for i in spec["indicators"]}
    return Rules(
        year,
        Decimal(spec["minimum_land_mu"]),
        Decimal(spec["cap"]),
        weights,
        {k: Decimal(baselines[k]) for k in weights},
        {g: Decimal(spec["grades"][g]) for g in ("A", "B", "D")},
        int(spec["grades"]["d_at_least_one_from"]),
        int(spec["new_production_years"]),
        tuple(spec.get("exempt_sectors") or ()),
    )


def grade_counts(n: int, shares: Mapping[str, Decimal] | None = None, d_at_least_one_from: int = 10) -> dict[str, int]:
    """How many of ``n`` graded enterprises get each grade: A = ⌊0.20·N + 0.5⌋, B = ⌊0.40·N + 0.5⌋,
    D = ⌊0.05·N + 0.5⌋ (at least 1 when N ≥ 10), C the rest."""
    shares = shares or {"A": Decimal("0.20"), "B": Decimal("0.40"), "D": Decimal("0.05")}

    def rounded(share: Decimal) -> int:
        return int((share * n + Decimal("0.5")).to_integral_value(rounding=decimal.ROUND_FLOOR))

    a, b, d = rounded(shares["A"]), rounded(shares["B"]), rounded(shares["D"])
    if n >= d_at_least_one_from:
        d = max(d, 1)
    a = min(a, n)
    b = min(b, n - a)
    d = min(d, n - a - b)
    return {"A": a, "B": b, "C": n - a - b - d, "D": d}


def indicator_values(figures: Mapping[str, Decimal]) -> dict[str, Decimal | None]:
    """The indicators of a year's figures, exact (None: no energy used, the cap counts)."""
    tax, output, energy, land = (Decimal(figures[k]) for k in NEEDED)
    return {
        "tax_per_mu": CONTEXT.divide(tax, land),
        "output_per_mu": CONTEXT.divide(output, land),
        "tax_per_energy": CONTEXT.divide(tax, energy) if energy > 0 else None,
    }


def scores(values: Mapping[str, Decimal | None], r: Rules) -> tuple[dict[str, Decimal], Decimal]:
    """Each indicator's score, min(value ÷ baseline, cap) × weight × 100 (exact), and the total half-up to 2 places."""
    each = {}
    for key, weight in r.weights.items():
        value = values.get(key)
        ratio = r.cap if value is None else min(CONTEXT.divide(value, r.baselines[key]), r.cap)
        each[key] = CONTEXT.multiply(CONTEXT.multiply(ratio, weight), Decimal(100))
    return each, half_up(sum(each.values(), Decimal(0)))


@dataclass(frozen=True)
class Enterprise:
    """What the evaluation needs of an enterprise: its register facts and its figures of the year."""

    credit_code: str
    name: str | None
    location: str | None
    sector: str | None
    production_year: int | None
    figures: Mapping[str, Decimal]
    registered: bool = True


@dataclass
class Result:
    credit_code: str
    name: str | None
    location: str | None
    sector: str | None
    status: str  # graded | T | not_evaluated
    reason: object = None  # a message: why T or not evaluated
    values: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    total: Decimal | None = None
    rank: int | None = None
    grade: str | None = None  # A B C D, T, None (not evaluated)

    @property
    def tax_per_mu(self) -> Decimal:
        return self.values.get("tax_per_mu") or Decimal(0)


def classify(e: Enterprise, r: Rules) -> tuple[str, object]:
    """graded, T (with the reason) or not evaluated (with the reason)."""
    if not e.registered:
        return NOT_EVALUATED, _("not in the register of enterprises")
    missing = [k for k in NEEDED if e.figures.get(k) is None]
    if missing:
        return NOT_EVALUATED, _(
            "no full year of data: {kinds:clauses} missing", kinds=[Message(KIND_WORDS[k]) for k in missing]
        )
    if Decimal(e.figures["land"]) < r.minimum_land:
        return NOT_EVALUATED, _(
            "on {land:mu}, less than the {minimum:mu} evaluated",
            land=str(e.figures["land"]),
            minimum=str(r.minimum_land),
        )
    if e.production_year is not None and r.year - e.production_year < r.new_production_years:
        return CLASS_T, _(
            "in its first {n:count} years of production (since {since})",
            n=r.new_production_years,
            since=str(e.production_year),
        )
    if e.sector and any(e.sector.startswith(prefix) for prefix in r.exempt_sectors):
        return CLASS_T, _("its sector {sector:sector} is not graded", sector=e.sector)
    return GRADED, None


KIND_WORDS = {
    "tax": N_("tax"),
    "output": N_("output value"),
    "energy": N_("energy consumption"),
    "land": N_("land used"),
}


def rank_key(result: Result):
    return (-result.total, -result.tax_per_mu, result.credit_code)


def evaluate(enterprises: Iterable[Enterprise], r: Rules) -> list[Result]:
    """Every enterprise's result: the graded ranked and graded, class T scored but not graded, the others with the
    reason they are not evaluated.  Graded first in rank order, then class T by total, then the rest by code."""
    graded, others = [], []
    for e in enterprises:
        status, reason = classify(e, r)
        result = Result(e.credit_code, e.name, e.location, e.sector, status, reason)
        if status != NOT_EVALUATED:
            result.values = indicator_values(e.figures)
            result.scores, result.total = scores(result.values, r)
        if status == GRADED:
            graded.append(result)
        else:
            if status == CLASS_T:
                result.grade = CLASS_T
            others.append(result)
    graded.sort(key=rank_key)
    counts = grade_counts(len(graded), r.shares, r.d_at_least_one_from)
    bounds, start = [], 0
    for grade in GRADES:
        bounds.append((start + counts[grade], grade))
        start += counts[grade]
    for rank, result in enumerate(graded, start=1):
        result.rank = rank
        result.grade = next(g for end, g in bounds if rank <= end)
    others.sort(key=lambda x: (x.status != CLASS_T, -(x.total or 0), x.credit_code))
    return graded + others


def summary(results: list[Result]) -> dict:
    """Counts per grade, and per park or town per grade."""
    per_grade = {g: 0 for g in (*GRADES, CLASS_T)}
    per_location: dict[str, dict[str, int]] = {}
    for x in results:
        if x.grade:
            per_grade[x.grade] += 1
            per_location.setdefault(x.location or "", {g: 0 for g in (*GRADES, CLASS_T)})[x.grade] += 1
    return {
        "per_grade": per_grade,
        "per_location": per_location,
        "graded": sum(per_grade[g] for g in GRADES),
        "not_evaluated": sum(1 for x in results if x.status == NOT_EVALUATED),
    }


def check_year_over(year: int, this_year: int) -> int:
    """Only a year that is over is evaluated (its figures are final)."""
    if year >= this_year:
        raise InvalidInput.for_field("year", _("only a year that is over is evaluated"))
    return year


def check_disclosed(spec: Mapping) -> Mapping:
    """§6: the outcomes of signed projects are public only where the county's policy discloses them."""
    if not spec.get("enabled"):
        from shared.errors import NotFound

        raise NotFound(_("this county does not disclose the outcomes of signed projects"), {})
    return spec


# -- §5: a forecast at the door -----------------------------------------------------------------------------------
def check_planned(planned: Mapping[str, Decimal]) -> Mapping[str, Decimal]:
    """A forecast is of a project on some land: its planned land is more than 0 mu."""
    if planned["land"] <= 0:
        raise InvalidInput.for_field("land_mu", _("must be more than 0"))
    return planned


def forecast(planned: Mapping[str, Decimal], r: Rules, graded: list[Result]) -> dict:
    """A project's forecast (planned tax, output, energy and land a year at full production) against the year's
    baselines: its indicators, scores and total, and the grade it would get among this year's graded enterprises
    (its rank among them and the project; no grade when none are graded)."""
    values = indicator_values(planned)
    each, total = scores(values, r)
    if not graded:
        return {"values": values, "scores": each, "total": total, "rank": None, "of": 0, "grade": None}
    probe = Result("~forecast", None, None, None, GRADED, values=values, scores=each, total=total)
    ranked = sorted([*graded, probe], key=rank_key)
    n = len(ranked)
    counts = grade_counts(n, r.shares, r.d_at_least_one_from)
    rank = ranked.index(probe) + 1
    end, grade = 0, None
    for g in GRADES:
        end += counts[g]
        if rank <= end:
            grade = g
            break
    return {"values": values, "scores": each, "total": total, "rank": rank, "of": n, "grade": grade}
