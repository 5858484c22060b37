"""Land (亩) and money (元 / 万元) as exact ``Decimal`` values.

The one rounding rule of the platform
-------------------------------------
``ROUNDING = ROUND_HALF_UP`` (四舍五入, ties away from zero, so -0.005 -> -0.01):

* money in 元 (yuan)                -> 2 places (0.01 元), ``quantize_money``
* land in 亩 (mu)                   -> 2 places (0.01 亩), ``quantize_land``
* intensity in 万元/亩 (wan per mu) -> 2 places,          ``quantize_intensity``

Rounding is applied only when a figure is stored or shown, never in the middle
of a computation: conversions here return unrounded values, and a caller
quantizes the final figure once.  A rounded zero is always ``0.00`` (never
``-0.00``).

Units: 1 亩 = 2000/3 m² exactly, 1 公顷 (ha) = 15 亩, 1 万元 = 10 000 元.
Floats are accepted only through ``str(float)`` (their shortest repr), so
``2.675`` means the decimal 2.675, not the binary approximation below it.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from shared.i18n import _

__all__ = [
    "ROUNDING",
    "LAND_UNITS",
    "parse_decimal",
    "quantize_money",
    "quantize_land",
    "quantize_intensity",
    "to_mu",
    "land_in_mu",
    "exact_mu",
    "LAND_PLACES",
    "mu_to_m2",
    "mu_to_ha",
    "yuan_to_wan",
    "wan_to_yuan",
    "wan_per_mu",
    "format_wan",
    "UnitError",
]

ROUNDING = decimal.ROUND_HALF_UP

_CENT = Decimal("0.01")
_YUAN_PER_WAN = Decimal(10000)
_MU_PER_HA = Decimal(15)
_M2_PER_MU_NUM = Decimal(2000)  # 1 亩 = 2000/3 m²
_M2_PER_MU_DEN = Decimal(3)

_TRAPS = [decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow]
# Arithmetic context of this module, independent of the caller's thread context.
_CTX = decimal.Context(prec=28, rounding=ROUNDING, traps=_TRAPS)
# Context for conversions that must be exact (m² -> 亩, 万元 <-> 元).
_EXACT = decimal.Context(prec=60, rounding=ROUNDING, traps=_TRAPS + [decimal.Inexact])

# Canonical unit -> accepted spellings (ASCII spellings are case-insensitive).
LAND_UNITS: dict[str, tuple[str, ...]] = {
    "mu": ("mu", "亩"),
    "m2": ("m2", "m²", "㎡", "sqm", "平方米"),
    "ha": ("ha", "公顷"),
}
_UNIT_ALIASES = {alias: unit for unit, aliases in LAND_UNITS.items() for alias in aliases}


class UnitError(ValueError):
    """A figure that cannot be taken: ``field`` names what was wrong (the caller's field name given to
    ``parse_decimal``; ``"value"`` or ``"unit"`` of a land area), ``rule`` says why (a ``Message``) — for the
    caller's own ``InvalidInput`` (its field path, this rule).  ``str()`` is ``"<field>: <rule>"`` in English."""

    def __init__(self, field: str, rule):
        super().__init__(f"{field}: {rule}")
        self.field, self.rule = field, rule


def parse_decimal(value: object, field: str) -> Decimal:
    """Read ``value`` (int, str, Decimal or float via ``str``) as a finite Decimal.

    bool, None, NaN, Infinity, empty or malformed strings raise ``UnitError(field, rule)``.
    """
    if isinstance(value, bool) or value is None:
        raise UnitError(field, _("must be a number, not {value}", value=repr(value)))
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = _from_text(str(value), field)
    elif isinstance(value, str):
        result = _from_text(value, field)
    else:
        raise UnitError(field, _("must be a number"))
    if not result.is_finite():
        raise UnitError(field, _("must be a finite number"))
    return result


def _from_text(text: str, field: str) -> Decimal:
    stripped = text.strip()
    if not stripped:
        raise UnitError(field, _("must be a number, not empty"))
    try:
        return Decimal(stripped)
    except decimal.InvalidOperation:
        raise UnitError(field, _("is not a number: {text}", text=text)) from None


def _quantize_cent(value: object, field: str) -> Decimal:
    number = parse_decimal(value, field)
    try:
        result = number.quantize(_CENT, rounding=ROUNDING, context=_CTX)
    except decimal.InvalidOperation:
        raise UnitError(field, _("is too large to store: {number}", number=str(number))) from None
    return result.copy_abs() if result.is_zero() else result


def quantize_money(x: object) -> Decimal:
    """元 to 0.01, half-up (for storing or showing a money figure)."""
    return _quantize_cent(x, "money")


def quantize_land(x: object) -> Decimal:
    """亩 to 0.01, half-up (for storing or showing a land figure)."""
    return _quantize_cent(x, "land")


def quantize_intensity(x: object) -> Decimal:
    """万元/亩 to 0.01, half-up (for storing or showing an investment intensity)."""
    return _quantize_cent(x, "intensity")


def _canonical_unit(unit: str) -> str:
    key = unit.strip().lower() if isinstance(unit, str) else unit
    try:
        return _UNIT_ALIASES[key]
    except (KeyError, TypeError):
        raise UnitError(
            "unit", _("unknown land unit {unit}; use mu/亩, m2/平方米 or ha/公顷", unit=repr(unit))
        ) from None


def to_mu(value: object, unit: str) -> Decimal:
    """Area in 亩, exact and unrounded.  ``unit`` is mu/亩, m2/平方米 or ha/公顷.

    m² -> 亩 is ``value * 3 / 2000`` (always a finite decimal); ha -> 亩 is ``* 15``.
    Negative areas and unknown units raise ``UnitError`` (field ``"value"`` or ``"unit"``).
    """
    canonical = _canonical_unit(unit)
    area = parse_decimal(value, "value")
    if area < 0:
        raise UnitError("value", _("must not be negative"))
    try:
        if canonical == "m2":
            return _EXACT.divide(_EXACT.multiply(area, _M2_PER_MU_DEN), _M2_PER_MU_NUM)
        if canonical == "ha":
            return _EXACT.multiply(area, _MU_PER_HA)
    except decimal.Inexact:
        raise UnitError("value", _("has too many digits to convert exactly: {area}", area=str(area))) from None
    return area


LAND_PLACES = 10
"""Decimal places of mu a land figure keeps exactly (the database's column, ``shared.types.decimal_column_type``):
an m² value with up to 6 decimal places converts exactly."""


def exact_mu(value: object, unit: str = "mu") -> Decimal:
    """Area in 亩 exactly as given — never rounded — written with at least 2 places (``40003`` m² is ``60.0045``,
    ``45`` mu is ``45.00``).  A value needing more than ``LAND_PLACES`` places raises ``UnitError`` (``"value"``)."""
    mu = to_mu(value, unit).normalize(_EXACT)
    if mu.as_tuple().exponent < -LAND_PLACES:
        raise UnitError(
            "value",
            _(
                "has more decimal places than are kept exactly (at most {places} once in mu): {value}",
                places=LAND_PLACES,
                value=str(value),
            ),
        )
    return mu.quantize(_CENT) if mu.as_tuple().exponent > -2 else mu


def land_in_mu(value: object, unit: str) -> Decimal:
    """Area in 亩, rounded for storage/display: ``quantize_land(to_mu(value, unit))`` (a ``UnitError`` names the
    ``"value"`` or the ``"unit"``)."""
    return _quantize_cent(to_mu(value, unit), "value")


def mu_to_m2(mu: object) -> Decimal:
    """亩 -> m² (``mu * 2000 / 3``), unrounded (28 significant digits)."""
    area = parse_decimal(mu, "land area (mu)")
    return _CTX.divide(_CTX.multiply(area, _M2_PER_MU_NUM), _M2_PER_MU_DEN)


def mu_to_ha(mu: object) -> Decimal:
    """亩 -> 公顷 (``mu / 15``), unrounded (28 significant digits)."""
    return _CTX.divide(parse_decimal(mu, "land area (mu)"), _MU_PER_HA)


def yuan_to_wan(yuan: object) -> Decimal:
    """元 -> 万元 (÷ 10 000), exact and unrounded."""
    return _EXACT.divide(parse_decimal(yuan, "money (yuan)"), _YUAN_PER_WAN)


def wan_to_yuan(wan: object) -> Decimal:
    """万元 -> 元 (× 10 000), exact and unrounded."""
    return _EXACT.multiply(parse_decimal(wan, "money (wan)"), _YUAN_PER_WAN)


def wan_per_mu(yuan: object, mu: object) -> Decimal:
    """Investment intensity in 万元/亩 from 元 and 亩, unrounded; ``mu`` must be > 0."""
    area = parse_decimal(mu, "land area (mu)")
    if area <= 0:
        raise UnitError("land area (mu)", _("must be more than 0 to compute an intensity"))
    return _CTX.divide(yuan_to_wan(yuan), area)


def format_wan(yuan: object) -> str:
    """Show an amount given in 元 as 万元 with 2 places: ``12345678 -> '1,234.57 万元'``."""
    wan = _quantize_cent(yuan_to_wan(yuan), "money (wan)")
    return f"{wan:,.2f} 万元"
