"""Names, never codes (R18): what a person reads for a unit, a position, a state, an event or a sector.

The platform's own words (states, events, kinds of position) are texts of the message catalogue, marked
here with ``N_`` and translated like every other message.  The county's own names (its bureaus, parks and
towns, the county government) are policy data (``policy/county.yaml``); the GB/T 4754-2017 sector names are
data shipped with the platform (``shared/data/gbt4754_2017.csv``, where present).  A code nobody named is
shown as it is.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from shared.i18n import N_, gettext, normalize_locale

STATE_NAMES: Mapping[str, str] = {
    "lead": N_("lead"),
    "filed": N_("filed"),
    "under_review": N_("under joint review"),
    "approved": N_("review approved"),
    "rejected": N_("review rejected"),
    "returned": N_("returned for more information"),
    "assigned": N_("responsible unit assigned"),
    "negotiating": N_("negotiating"),
    "agreed": N_("agreed to sign"),
    "escalated": N_("escalated to the principals"),
    "refused": N_("refused"),
    "drafting": N_("contract drafting"),
    "legal_review": N_("legal review"),
    "signed": N_("signed"),
    "filed_copies": N_("contract filed"),
    "construction": N_("under construction"),
    "accounting": N_("investment accounting"),
    "closed": N_("closed"),
    "archived": N_("handed to the archives"),
    "terminated": N_("terminated"),
}

EVENT_NAMES: Mapping[str, str] = {
    "intake.lead_registered": N_("lead registered"),
    "intake.project_filed": N_("project filed"),
    "review.convened": N_("joint review convened"),
    "review.opinion_recorded": N_("review opinion recorded"),
    "review.returned": N_("returned for more information"),
    "review.resubmitted": N_("resubmitted by the investor"),
    "review.concluded": N_("joint review concluded"),
    "review.escalated": N_("review overdue, escalated"),
    "review.deadline_moved": N_("review deadline counted again on the holiday schedule"),
    "negotiation.intermediary_recorded": N_("intermediary recorded"),
    "negotiation.unit_assigned": N_("responsible unit assigned"),
    "negotiation.session_logged": N_("negotiation session logged"),
    "negotiation.escalated": N_("escalated to the principals"),
    "negotiation.decided": N_("decision recorded"),
    "negotiation.principal_decided": N_("a principal's decision recorded"),
    "negotiation.principals_decided": N_("the principals' decision"),
    "contracts.drafted": N_("contract drafted"),
    "contracts.submitted": N_("contract submitted for legal review"),
    "contracts.approved": N_("contract approved by the legal office"),
    "contracts.returned": N_("contract returned by the legal office"),
    "contracts.signed": N_("contract signed"),
    "contracts.file_completed": N_("contract copies filed"),
    "contracts.handed_over": N_("handed over for construction"),
    "contracts.archived": N_("contract handed to the archives"),
    "contracts.progress_recorded": N_("progress recorded"),
    "contracts.obligation_lapsed": N_("contract obligation overdue"),
    "contracts.special_report_filed": N_("special report filed"),
    "contracts.special_report_late": N_("special report late"),
    "contracts.report_due_moved": N_("special report deadline counted again on the holiday schedule"),
    "accounting.opened": N_("investment accounting opened"),
    "accounting.figures_computed": N_("accounting figures computed"),
    "accounting.report_issued": N_("accounting report issued"),
    "accounting.recovery_recorded": N_("fee recovery recorded"),
    "accounting.write_off_decided": N_("a principal's decision on writing off the fee"),
    "accounting.closed": N_("investment accounting closed"),
    "coordinator.project_state_changed": N_("project state changed"),
    "supervision.special_report_filed": N_("special report to the Leading Group filed"),
    "supervision.project_stale": N_("no progress for the stale period"),
    "supervision.problem_escalated": N_("problem escalated to the liaison leader"),
    "supervision.special_report_due": N_("special report due today"),
    "supervision.review_period_ending": N_("review period ends today"),
    "supervision.reminder": N_("follow-up reminder"),
}

POSITION_NAMES: Mapping[str, str] = {
    "ipb_clerk": N_("IPB clerk"),
    "ipb_director": N_("IPB director"),
    "ipb_deputy_director": N_("IPB deputy director"),
    "ipb_admin": N_("system administrator"),
    "reviewer": N_("reviewer"),
    "bureau_head": N_("bureau head"),
    "clerk": N_("clerk"),
    "archivist": N_("archivist"),
    "auditor": N_("auditor"),
    "legal_officer": N_("legal officer"),
    "legal_director": N_("director of the legal affairs office"),
    "gov_office_director": N_("director of the government office"),
    "park_clerk": N_("park clerk"),
    "town_head": N_("town head"),
    "county_leader_in_charge": N_("county leader in charge"),
    "deputy_magistrate_investment": N_("deputy county magistrate in charge of investment"),
    "county_magistrate": N_("county magistrate"),
    "party_secretary": N_("county party secretary"),
    "executive_deputy_leader": N_("executive deputy leader of the Leading Group"),
    "npc_liaison_leader": N_("liaison leader of the county NPC"),
    "cppcc_liaison_leader": N_("liaison leader of the county CPPCC"),
    "system": N_("the platform"),
}

SCOPED_POSITION_NAMES: Mapping[str, str] = {
    "park_head": N_("director of the {unit} management committee"),
    "park_reviewer": N_("reviewer of {unit}"),
    "custodian": N_("custodian of {unit}"),
}
"""``<kind>:<scope>`` positions: ``park_head:hengdong`` is the head of the park ``PARK:hengdong``."""

_SCOPE_UNIT = {"park_head": "PARK:{scope}", "park_reviewer": "PARK:{scope}", "custodian": "{scope}"}

_policy = None


def use_policy(policy) -> None:
    """Take the county's names from ``policy`` (a service calls it with the policy it loaded)."""
    global _policy
    _policy = policy
    _county_names.cache_clear()


def _current_policy():
    if _policy is not None:
        return _policy
    from shared.policy import cached_policy

    return cached_policy(None)


@lru_cache(maxsize=4)
def _county_names(_key: int) -> dict[str, tuple[str, str]]:
    """unit code -> (Chinese name, English name), from the policy's county, bureaus, parks and towns."""
    policy = _current_policy()
    county = policy.documents.get("county", {})
    names: dict[str, tuple[str, str]] = {}
    for entry in county.get("units") or ():
        names[entry["code"]] = (entry.get("name_zh") or entry["code"], entry.get("name_en") or entry["code"])
    for park in policy.parks.values():
        names[park.unit] = (park.name_zh, park.name_en)
    for town in policy.towns.values():
        names[town.unit] = (town.name_zh, town.name_en)
    return names


def unit_name(code: str, locale: str | None = None) -> str:
    if not code:
        return ""
    pair = _county_names(id(_current_policy())).get(code)
    if pair is None:
        return code
    return pair[0] if normalize_locale(locale) == "zh-CN" else pair[1]


def channel_name(code: str, locale: str | None = None) -> str:
    """A source channel (how an investor first reached the county), from the policy."""
    for channel in _current_policy().documents.get("county", {}).get("source_channels") or ():
        if channel.get("id") == code:
            zh = channel.get("name_zh") or code
            return zh if normalize_locale(locale) == "zh-CN" else channel.get("name_en") or code
    return code


def position_name(code: str, locale: str | None = None) -> str:
    if not code:
        return ""
    if code in POSITION_NAMES:
        return gettext(POSITION_NAMES[code], locale)
    kind, _sep, scope = code.partition(":")
    if scope and kind in SCOPED_POSITION_NAMES:
        unit = _SCOPE_UNIT[kind].format(scope=scope)
        return gettext(SCOPED_POSITION_NAMES[kind], locale).format(unit=unit_name(unit, locale))
    return code


def state_name(code: str, locale: str | None = None) -> str:
    return gettext(STATE_NAMES[code], locale) if code in STATE_NAMES else code


def event_name(code: str, locale: str | None = None) -> str:
    return gettext(EVENT_NAMES[code], locale) if code in EVENT_NAMES else code


SECTOR_DATA = Path(__file__).resolve().parent / "data" / "gbt4754_2017.csv"


@lru_cache(maxsize=1)
def sectors() -> dict[str, tuple[str, str]]:
    """GB/T 4754-2017 code -> (Chinese name, English name); empty if the data file is not shipped."""
    if not SECTOR_DATA.exists():
        return {}
    with SECTOR_DATA.open(encoding="utf-8") as handle:
        return {row["code"]: (row["name_zh"], row.get("name_en") or row["name_zh"]) for row in csv.DictReader(handle)}


def sector_name(code: str, locale: str | None = None) -> str | None:
    pair = sectors().get(code or "")
    if pair is None:
        return None
    return pair[0] if normalize_locale(locale) == "zh-CN" else pair[1]


def sector_label(code: str, locale: str | None = None) -> str:
    """``铝压延加工（C3252）`` / ``Aluminium rolling (C3252)``; the code alone when its name is unknown."""
    name = sector_name(code, locale)
    if not name:
        return code
    return f"{name}（{code}）" if normalize_locale(locale) == "zh-CN" else f"{name} ({code})"


FIELD_NAMES: Mapping[str, str] = {
    "body": N_("the request"),
    "investor": N_("investor"),
    "investor.name": N_("investor's name"),
    "investor.kind": N_("kind of investor"),
    "investor.credit_code": N_("unified social credit code"),
    "investor.registration_id": N_("registration number"),
    "investor.country": N_("country or region"),
    "credit_code": N_("unified social credit code"),
    "contact": N_("contact"),
    "contact.name": N_("contact person"),
    "contact.phone": N_("contact phone"),
    "contact.email": N_("contact e-mail"),
    "project_name": N_("project name"),
    "name": N_("name"),
    "sector": N_("sector"),
    "planned_total_investment": N_("planned total investment"),
    "planned_fixed_asset_investment": N_("planned fixed-asset investment"),
    "total_investment": N_("total investment"),
    "fixed_asset_investment": N_("fixed-asset investment"),
    "land_demand": N_("land demand"),
    "land_demand.value": N_("land demand"),
    "land_demand.unit": N_("unit of the land demand"),
    "land": N_("land"),
    "land.value": N_("land"),
    "land.unit": N_("unit of the land"),
    "land_mu": N_("land (mu)"),
    "intensity_wan_per_mu": N_("investment intensity"),
    "policy_terms": N_("policy terms"),
    "policy_terms.clause": N_("policy clause"),
    "policy_terms.value": N_("value agreed"),
    "policy_terms.exceeds_policy": N_("whether it exceeds current policy"),
    "withdrawn.term": N_("policy term withdrawn"),
    "obligations.id": N_("obligation number"),
    "land_used": N_("land used"),
    "actual_fai": N_("actual fixed-asset investment"),
    "preferred_location": N_("preferred location"),
    "preferred_location.kind": N_("kind of location"),
    "preferred_location.id": N_("park or town"),
    "source_channel": N_("source channel"),
    "unit": N_("unit"),
    "units": N_("units"),
    "position": N_("position"),
    "user_id": N_("user name"),
    "password": N_("password"),
    "credentials": N_("user name and password"),
    "session": N_("session"),
    "Authorization": N_("sign-in"),
    "opinion": N_("opinion"),
    "conditions": N_("conditions"),
    "reasons": N_("reasons"),
    "reason": N_("reason"),
    "request": N_("materials requested"),
    "note": N_("note"),
    "comments": N_("comments"),
    "decision": N_("decision"),
    "stage": N_("stage of negotiation"),
    "held_on": N_("date of the session"),
    "participants": N_("participants"),
    "agreed": N_("matters agreed"),
    "open": N_("matters open"),
    "exceeding_terms": N_("terms exceeding current policy"),
    "intermediary": N_("intermediary"),
    "version": N_("version"),
    "obligations": N_("obligations"),
    "other_terms": N_("other terms"),
    "dispute_resolution": N_("dispute resolution"),
    "construction_start": N_("construction start date"),
    "completion": N_("completion date"),
    "production": N_("full production date"),
    "signatory": N_("signatory"),
    "investor_signatory": N_("investor's signatory"),
    "copies": N_("copies"),
    "number": N_("number"),
    "cabinet": N_("cabinet"),
    "grantee_user_id": N_("person granted access"),
    "expires_at": N_("valid until"),
    "amount": N_("amount"),
    "basis": N_("basis"),
    "year": N_("year"),
    "targets": N_("targets"),
    "limit": N_("number of rows"),
    "offset": N_("starting row"),
    "sort": N_("sort by"),
    "order": N_("order"),
    "state": N_("state"),
    "book": N_("book"),
    "tier": N_("tier"),
    "published": N_("published"),
    "document": N_("document"),
    "filename": N_("file name"),
    "content_type": N_("file type"),
    "title": N_("title"),
    "description": N_("description"),
    "cooperation_mode": N_("cooperation mode"),
    "contact_office": N_("contact office"),
    "responsible_leader": N_("responsible leader"),
    "responsible_person": N_("responsible person"),
    "liaison_leader": N_("liaison leader"),
    "service_team": N_("service team"),
    "due": N_("due date"),
    "text": N_("text"),
    "summary": N_("summary"),
    "special_report_ref": N_("special report"),
    "channel": N_("channel"),
    "settings": N_("settings"),
    "participants.unit": N_("participant's unit"),
    "participants.position": N_("participant's position"),
    "participants.person": N_("participant's name"),
}
"""A form's field -> what a person calls it (``{f:field}``); ``a[0].b`` is looked up as ``a.b``, then ``b``."""

_INDEX = re.compile(r"\[\d+\]")


def field_name(code: str, locale: str | None = None) -> str:
    if not code:
        return ""
    for key in (code, _INDEX.sub("", code), code.rsplit(".", 1)[-1]):
        if key in FIELD_NAMES:
            return gettext(FIELD_NAMES[key], locale)
    return code
