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

from shared.i18n import LOCALES, N_, gettext, normalize_locale

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
    "negotiation.reopened": N_("negotiation reopened"),
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
    "supervision.problem_raised": N_("problem raised"),
    "supervision.problem_resolved": N_("problem resolved"),
    "supervision.special_report_due": N_("special report due today"),
    "supervision.review_period_ending": N_("review period ends today"),
    "supervision.reminder": N_("follow-up reminder"),
    "supervision.holiday_schedule_missing": N_("the official holiday schedule of next year is not loaded"),
    "supervision.rectification_opened": N_("a standard-land commitment is short: rectification opened"),
    "supervision.commitment_unmet": N_("a standard-land commitment still short after rectification: damages apply"),
    "supervision.damages_recorded": N_("a payment or reduction of standard-land damages recorded"),
    "supervision.damages_reduction_decided": N_("a principal's decision on reducing standard-land damages"),
    "supervision.damages_settled": N_("standard-land damages paid in full"),
    "supervision.benefit_graded": N_("per-mu benefit grade"),
}

POSITION_NAMES: Mapping[str, str] = {
    "ipb_clerk": N_("IPB clerk"),
    "ipb_director": N_("IPB director"),
    "ipb_deputy_director": N_("IPB deputy director"),
    "ipb_admin": N_("system administrator"),
    "system_administrator": N_("system administrator"),
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
    "staff": N_("staff member"),
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


def unit_full_name(code: str, policy=None) -> str:
    """The full Chinese name a contract or an official document writes for a unit (示例县发展和改革局,
    衡东工业园管理委员会, 示例县新塘镇人民政府): the policy's ``full_name_zh``, else the name a park's management
    committee, a town's government or a bureau is known by."""
    county = (policy or _current_policy()).documents.get("county", {})
    kind, _sep, key = (code or "").partition(":")
    entries = {"PARK": county.get("parks"), "TOWN": county.get("towns")}.get(kind) if key else county.get("units")
    for entry in entries or ():
        if entry.get("id" if key else "code") == (key or code):
            if entry.get("full_name_zh"):
                return entry["full_name_zh"]
    name = unit_name(code, "zh-CN")
    return name + ("管理委员会" if kind == "PARK" and key else "人民政府" if kind == "TOWN" and key else "")


def channel_name(code: str, locale: str | None = None) -> str:
    """A source channel (how an investor first reached the county), from the policy."""
    for channel in _current_policy().documents.get("county", {}).get("source_channels") or ():
        if channel.get("id") == code:
            zh = channel.get("name_zh") or code
            return zh if normalize_locale(locale) == "zh-CN" else channel.get("name_en") or code
    return code


def incentive_unit_name(code: str, locale: str | None = None) -> str:
    """The unit a preferential-policy clause's value is in (``percent`` → %), from the policy's catalogue."""
    units = (_current_policy().documents.get("incentives") or {}).get("units") or {}
    entry = units.get(code) or {}
    return entry.get("zh" if normalize_locale(locale) == "zh-CN" else "en", code or "")


def indicator_name(code: str, locale: str | None = None) -> str:
    """A standard-land indicator by its name (``policy/standard_land.yaml``: ``tax_per_mu`` → 亩均税收)."""
    entry = ((_current_policy().documents.get("standard_land") or {}).get("indicators") or {}).get(code) or {}
    return entry.get("name_zh" if normalize_locale(locale) == "zh-CN" else "name_en") or code or ""


def clause_name(code: str, locale: str | None = None) -> str:
    """A clause of the county's catalogue of preferential policies by its name (``policy/incentives.yaml``)."""
    for clause in (_current_policy().documents.get("incentives") or {}).get("clauses") or ():
        if clause.get("id") == code:
            return clause.get("name_zh" if normalize_locale(locale) == "zh-CN" else "name_en") or code
    return code


def address_name(code: str, locale: str | None = None) -> str:
    """A recipient or owner address (``unit:LAND``, ``position:bureau_head``, ``user:li.clerk``) by its name (a
    user by their sign-in name: the platform keeps no other name of them here)."""
    kind, _sep, rest = str(code or "").partition(":")
    if kind == "unit":
        return unit_name(rest, locale)
    if kind == "position":
        return position_name(rest, locale)
    if kind == "user":
        return rest
    return str(code or "")


def names_its_unit(position: str) -> bool:
    """A scoped position whose name says its unit (park_head:hexi → 河西新区管委会主任): no unit beside it."""
    kind, _sep, scope = position.partition(":")
    return bool(scope) and kind in SCOPED_POSITION_NAMES


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


def actor_label(actor: Mapping | None, with_name: bool = True):
    """Who acted, as a Message: 李文员（县招商局招商局工作人员）, 县国土资源局局长, 系统 (the platform itself)."""
    from shared.i18n import _

    if not actor:
        return None
    if actor.get("unit") == "SYSTEM" or actor.get("position") == "system":
        return _("{position:position}", position="system")
    scoped = names_its_unit(actor.get("position") or "")
    if with_name and actor.get("name") and actor.get("name") != actor.get("user_id"):
        if scoped:
            return _("{name} ({position:position})", name=actor["name"], position=actor["position"])
        return _(
            "{name} ({unit:unit}, {position:position})",
            name=actor["name"],
            unit=actor.get("unit"),
            position=actor.get("position"),
        )
    if scoped:
        return _("{position:position}", position=actor["position"])
    return _("{position:position} ({unit:unit})", unit=actor.get("unit"), position=actor.get("position"))


def state_name(code: str, locale: str | None = None) -> str:
    return gettext(STATE_NAMES[code], locale) if code in STATE_NAMES else code


def _key(text: str) -> str:
    return "".join((text or "").split()).casefold()


STATE_ALIASES: Mapping[str, str] = {
    "已备案": "filed",
    "联审通过": "approved",
    "联审未通过": "rejected",
    "已交办责任单位": "assigned",
    "报县主要领导决策": "escalated",
    "已达成一致": "agreed",
    "决策不同意": "refused",
    "合同法制审查": "legal_review",
    "在建": "construction",
    "核算完毕": "closed",
    "合同已移交档案局": "archived",
}
"""Other words county ledgers write for a state (a workbook kept before the platform is imported with them)."""


def state_of_name(text: str) -> str | None:
    """A lifecycle state from its code, its name in any language (联审中, under joint review) or a word county
    ledgers use for it (在建); None if unknown."""
    wanted = _key(text)
    for code, msgid in STATE_NAMES.items():
        if wanted in {_key(code), *(_key(gettext(msgid, locale)) for locale in LOCALES)}:
            return code
    return STATE_ALIASES.get(wanted)


def unit_of_name(text: str) -> str | None:
    """A unit from its code or its name in any language (衡东工业园, 衡东工业园管委会, 县发改局, 发改局); None if
    unknown."""
    wanted = _key(text)
    if not wanted:
        return None
    for code, (zh, en) in _county_names(id(_current_policy())).items():
        names = {_key(code), _key(zh), _key(en)}
        if code.startswith("PARK:"):
            names.add(_key(zh + "管委会"))
        elif code.startswith("TOWN:"):
            names.add(_key(zh + "人民政府"))
        elif zh.startswith("县"):
            names.add(_key(zh[1:]))
        if wanted in names:
            return code
    return None


def event_name(code: str, locale: str | None = None) -> str:
    return gettext(EVENT_NAMES[code], locale) if code in EVENT_NAMES else code


COMMAND_NAMES: Mapping[str, str] = {
    "command:terminate": N_("termination of the project"),
}


def trigger_name(code: str, locale: str | None = None) -> str:
    """A lifecycle trigger: an event (``review.returned``), an event with its outcome (``review.concluded:
    approved``) or an IPB command (``command:terminate``)."""
    if code in COMMAND_NAMES:
        return gettext(COMMAND_NAMES[code], locale)
    event, _sep, outcome = code.partition(":")
    if not outcome:
        return event_name(event, locale)
    return gettext(N_("{event} ({outcome})"), locale).format(
        event=event_name(event, locale), outcome=term_name("outcome", outcome, locale)
    )


TERM_NAMES: Mapping[str, Mapping[str, str]] = {
    "opinion": {"pass": N_("pass"), "conditional": N_("conditional pass"), "fail": N_("fail")},
    "verdict": {
        "ok": N_("meets the requirement"),
        "flag": N_("for the reviewers' attention"),
        "fail": N_("does not meet the requirement"),
        "error": N_("the check could not be run"),
    },
    "check": {
        "national_industrial_policy": N_("national industrial policy"),
        "county_industrial_plan": N_("county industrial plan"),
        "environmental_protection": N_("environmental protection"),
        "investment_intensity": N_("investment intensity"),
    },
    "policy_class": {
        "encouraged": N_("encouraged class"),
        "permitted": N_("permitted class"),
        "restricted": N_("restricted class"),
        "eliminated": N_("eliminated class"),
    },
    "impact": {
        "report_form": N_("environmental impact report"),
        "report_table": N_("environmental impact form"),
        "registration": N_("environmental impact registration"),
    },
    "location": {"park": N_("an industrial park"), "town": N_("a town"), "open": N_("location open")},
    "outcome": {
        "approved": N_("approved"),
        "rejected": N_("rejected"),
        "agreed": N_("agreed"),
        "refused": N_("refused"),
        "pending": N_("pending"),
        "agree": N_("agrees"),
        "refuse": N_("refuses"),
    },
    "book": {
        "information": N_("key investment information ledger"),
        "negotiation": N_("ledger of projects under negotiation"),
        "contracted": N_("ledger of contracted projects"),
    },
    "review_state": {"open": N_("open"), "returned": N_("returned for more information"), "concluded": N_("concluded")},
    "stage": {
        "filed": N_("filed"),
        "approved": N_("review approved"),
        "rejected": N_("review rejected"),
        "park_review": N_("awaiting the assigned park's review opinion"),
        "assigned": N_("responsible unit assigned"),
        "negotiating": N_("negotiating"),
        "escalated": N_("escalated to the principals"),
        "agreed": N_("agreed to sign"),
        "refused": N_("refused"),
        "signed": N_("signed"),
    },
    "session_stage": {"early": N_("early stage"), "final": N_("final stage")},
    "contract_state": {
        "pending": N_("no agreement yet"),
        "negotiating": N_("back in negotiation"),
        "agreed": N_("agreed to sign"),
        "refused": N_("refused"),
        "drafting": N_("contract drafting"),
        "legal_review": N_("legal review"),
        "signed": N_("signed"),
        "filed_copies": N_("contract filed"),
        "construction": N_("under construction"),
        "archived": N_("handed to the archives"),
    },
    "version_status": {
        "draft": N_("draft"),
        "submitted": N_("submitted to the legal affairs office"),
        "approved": N_("approved by the legal affairs office"),
        "returned": N_("returned by the legal affairs office"),
    },
    "obligation_status": {
        "open": N_("not yet due"),
        "met": N_("met"),
        "lapsed": N_("overdue"),
        "ended": N_("ended with the project"),
    },
    "report_cause": {
        "overdue_obligation": N_("contract obligation overdue"),
        "unfinished_review": N_("joint review not finished"),
        "cannot_go_ahead": N_("the project cannot go ahead for objective reasons"),
        "unmet_commitment": N_("standard-land commitment still unmet after rectification"),
    },
    "stalled": {
        "approved_not_assigned": N_("approved, not yet placed"),
        "signed_not_started": N_("signed, not yet started"),
        "started_not_completed": N_("started, not yet completed"),
    },
    "notice_channel": {"inbox": N_("in-app inbox"), "email": N_("e-mail"), "webhook": N_("group robot")},
    "progress_source": {"recorded": N_("recorded"), "obligation": N_("contract obligation")},
}
"""Small vocabularies: ``{x:opinion}``, ``{x:verdict}``, … (``shared.i18n.TERMS``)."""


def term_name(term: str, code: str, locale: str | None = None) -> str:
    names = TERM_NAMES.get(term) or {}
    return gettext(names[code], locale) if code in names else code


OPERATION_NAMES: Mapping[str, str] = {
    "intake.register_lead": N_("register a lead"),
    "intake.read_lead": N_("read a lead"),
    "intake.file_project": N_("file a project"),
    "intake.confirm_not_duplicate": N_("confirm that a project is not a duplicate"),
    "intake.add_reserve": N_("add a reserve project"),
    "intake.edit_reserve": N_("change a reserve project"),
    "intake.read_reserve": N_("read the project reserve"),
    "intake.read_reserve_plan": N_("read the reserve plan's count per tier"),
    "intake.publish_reserve": N_("publish a reserve project in the public catalog"),
    "review.convene": N_("convene the joint review"),
    "review.record_return": N_("record a return for more information"),
    "review.resubmit": N_("record the investor's resubmission"),
    "review.record_opinion": N_("record a review opinion"),
    "review.read": N_("read the joint review"),
    "negotiation.record_intermediary": N_("record the intermediary"),
    "negotiation.assign_unit": N_("assign the responsible unit"),
    "negotiation.log_session": N_("log a negotiation session"),
    "negotiation.read": N_("read the negotiation"),
    "negotiation.decide": N_("decide on the project"),
    "contracts.draft": N_("draft the contract"),
    "contracts.legal_review": N_("review the contract for the legal affairs office"),
    "contracts.read_draft": N_("read the contract draft"),
    "contracts.designate_custodian": N_("designate a custodian of contract files"),
    "contracts.register_copies": N_("register the contract copies"),
    "contracts.read_register": N_("read the register of contract copies"),
    "contracts.read_custodians": N_("read the custodians of contract files"),
    "contracts.grant_access": N_("grant access to a contract file"),
    "contracts.read_audit": N_("read the audit trail of contract files"),
    "gateway.read_audit": N_("read the audit trail of user administration and sign-in"),
    "coordinator.read_assessment": N_("read the Leading Group's assessment of the units"),
    "landreserve.change_parcel": N_("change a parcel of the land reserve"),
    "landreserve.import_parcels": N_("import the land reserve's parcels"),
    "landreserve.read_parcels": N_("read the land reserve"),
    "leadership.manage_roster": N_("keep the Leading Group's roster"),
    "leadership.read_roster": N_("read the Leading Group's roster"),
    "leadership.plan_event": N_("plan an investment event"),
    "leadership.record_event": N_("record an investment event"),
    "leadership.read_events": N_("read the investment events"),
    "leadership.read_effectiveness": N_("read what the investment events brought"),
    "contracts.record_progress": N_("record progress on a contract obligation"),
    "contracts.file_special_report": N_("file a special report on a contract obligation"),
    "accounting.open": N_("open the investment accounting"),
    "accounting.record_actual_fai": N_("record the actual fixed-asset investment"),
    "accounting.record_land_used": N_("record the land actually used"),
    "accounting.record_recovery": N_("record a recovery of the fee"),
    "accounting.waive_recovery": N_("write off the rest of the fee"),
    "accounting.read": N_("read the investment accounting"),
    "notifications.read_inbox": N_("read the inbox"),
    "notifications.read_deliveries": N_("read the delivery log"),
    "notifications.configure_channels": N_("configure the notification channels"),
    "supervision.read_tracking": N_("read the tracking of projects"),
    "supervision.record_figure": N_("enter a figure for the standard-land checks"),
    "supervision.request_recheck": N_("ask for the check after a rectification"),
    "supervision.recover_damages": N_("record a payment of standard-land damages"),
    "supervision.reduce_damages": N_("reduce standard-land damages"),
    "supervision.record_progress": N_("record a project's progress"),
    "supervision.raise_problem": N_("log a problem"),
    "supervision.resolve_problem": N_("resolve a problem"),
    "supervision.set_contacts": N_("set a project's contacts"),
    "supervision.schedule_reminder": N_("schedule a reminder"),
    "supervision.manage_deadlines": N_("manage deadlines"),
    "supervision.file_special_report": N_("file a special report to the Leading Group"),
    "supervision.read_special_reports": N_("read the special reports"),
    "supervision.enter_figures.tax": N_("import or enter enterprises' tax figures"),
    "supervision.enter_figures.energy": N_("import or enter enterprises' energy figures"),
    "supervision.enter_figures.electricity": N_("import or enter enterprises' electricity figures"),
    "supervision.enter_figures.output": N_("import or enter enterprises' output figures"),
    "supervision.enter_figures.land": N_("import or enter enterprises' land figures"),
    "supervision.import_enterprises": N_("import the register of enterprises"),
    "supervision.read_figures": N_("read the enterprise data store"),
    "supervision.evaluate_benefit": N_("run the per-mu benefit evaluation"),
    "supervision.read_benefit": N_("read the per-mu benefit evaluation"),
    "supervision.forecast_benefit": N_("forecast a project's per-mu benefit grade"),
    "coordinator.read_project": N_("read a project"),
    "coordinator.terminate_project": N_("terminate a project"),
    "coordinator.read_ledger": N_("read the ledger"),
    "coordinator.import_ledger": N_("import a ledger workbook"),
    "coordinator.rebuild_ledger": N_("rebuild the ledger"),
    "coordinator.set_key_project": N_("designate a key project"),
    "coordinator.read_key_projects": N_("read the key projects"),
    "coordinator.assign_responsibility": N_("assign a project's responsible leader and person"),
    "coordinator.set_requirements": N_("set the advancement requirements"),
    "coordinator.record_funds_in_place": N_("record the funds in place"),
    "coordinator.set_targets": N_("set the yearly targets"),
    "coordinator.read_targets": N_("read the yearly targets"),
    "coordinator.read_summary": N_("read the work summary"),
    "coordinator.read_workbench": N_("read the workbench"),
    "coordinator.search": N_("search projects"),
    "coordinator.read_attachments": N_("read the project file"),
    "coordinator.attach_business_licence": N_("attach the business licence"),
    "coordinator.attach_proposal": N_("attach the proposal or feasibility study"),
    "coordinator.attach_review_opinion": N_("attach a written review opinion"),
    "coordinator.attach_negotiation_minutes": N_("attach the minutes of a negotiation"),
    "coordinator.attach_meeting_minutes": N_("attach the minutes of the county leaders' decision meeting"),
    "coordinator.attach_signed_contract": N_("attach the scan of the signed contract"),
    "coordinator.attach_site_photo": N_("attach a photo of the site"),
    "review.load_holidays": N_("load the official holiday schedule"),
    "contracts.load_holidays": N_("load the official holiday schedule"),
    "supervision.load_holidays": N_("load the official holiday schedule"),
    "negotiation.renegotiate": N_("renegotiate a project"),
    "contracts.preview_obligations": N_("preview the obligations that would lapse"),
    "supervision.preview_deadlines": N_("preview the deadlines that would fall due"),
    "accounting.write_off": N_("write off the rest of the fee"),
}
"""An operation of the authority table (``policy/authority.yaml``) -> what it does, for a refusal."""


def operation_name(code: str, locale: str | None = None) -> str:
    return gettext(OPERATION_NAMES[code], locale) if code in OPERATION_NAMES else code


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


def search_sectors(query: str = "", limit: int = 50, locale: str | None = None) -> list[dict]:
    """GB/T 4754-2017 entries whose code starts with ``query`` or whose name contains it (a class before its group,
    shorter codes first), each with its code, name and label (``名称（代码）``)."""
    wanted = (query or "").strip()
    upper, folded = wanted.upper(), wanted.casefold()
    found = []
    for code, (zh, en) in sectors().items():
        if not wanted or code.startswith(upper) or folded in zh.casefold() or folded in en.casefold():
            found.append(code)
    found.sort(key=lambda c: (c != upper, not c.startswith(upper) if wanted else False, len(c) != 5, c))
    return [
        {"code": c, "name": sector_name(c, locale), "label": sector_label(c, locale), "level": _LEVELS[len(c)]}
        for c in found[:limit]
    ]


_LEVELS = {1: "section", 3: "division", 4: "group", 5: "class"}


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
    "planned_annual_output": N_("planned yearly output at full production"),
    "planned_annual_tax": N_("planned yearly tax at full production"),
    "planned_annual_energy": N_("planned yearly energy consumption at full production"),
    "tax": N_("tax"),
    "output": N_("output value"),
    "energy": N_("energy consumption"),
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
    "policy_terms.commitment": N_("standard-land indicator committed"),
    "commitment": N_("standard-land indicator committed"),
    "commitments": N_("standard-land commitments"),
    "commitments.indicator": N_("standard-land indicator"),
    "commitments.value": N_("committed value"),
    "commitments.clause": N_("damages clause"),
    "commitments.base_amount": N_("base of the proportional damages"),
    "indicator": N_("standard-land indicator"),
    "base_amount": N_("base of the proportional damages"),
    "figure": N_("figure"),
    "rectification_id": N_("rectification"),
    "damages_id": N_("damages"),
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
    "notes": N_("notes"),
    "confirmed_new": N_("confirmed as a new project"),
    "q": N_("search text"),
    "on": N_("date"),
    "content_base64": N_("file content"),
    "content": N_("file content"),
    "file.content": N_("file content"),
    "file": N_("file"),
    "mode": N_("import mode"),
    "designated": N_("designated by the Leading Group"),
    "key": N_("key projects only"),
    "overdue": N_("overdue only"),
    "requirements": N_("advancement requirements"),
    "location": N_("location"),
    "location.kind": N_("kind of location"),
    "location.id": N_("park or town"),
    "location_detail": N_("place within the park or town"),
    "intended_investor": N_("intended investor"),
    "contact_person": N_("contact person"),
    "negotiation_notes": N_("notes of the negotiation"),
    "contract_notes": N_("notes of the contract"),
    "period": N_("period"),
    "kind": N_("kind"),
    "project_id": N_("project"),
    "liaison_leader.position": N_("position of the liaison leader"),
    "none": N_("no intermediary"),
    "clause": N_("policy clause"),
    "value": N_("value agreed"),
    "exceeds_policy": N_("whether it exceeds current policy"),
    "recommendation": N_("recommendation"),
    "withdrawn": N_("policy terms withdrawn"),
    "term": N_("policy term"),
    "replaces": N_("custodian replaced"),
    "met": N_("met"),
    "delisting_price_per_mu": N_("delisting price per mu"),
    "delisting_price": N_("delisting price"),
    "voucher": N_("voucher number"),
    "is_admin": N_("administrator"),
    "active": N_("active"),
    "seat": N_("seat"),
    "email": N_("e-mail address"),
    "since": N_("since"),
    "until": N_("until"),
    "organising_unit": N_("organising unit"),
    "place": N_("place"),
    "planned_on": N_("planned date"),
    "budget": N_("budget"),
    "plan_notes": N_("notes of the plan"),
    "actual_cost": N_("actual cost"),
    "investors_met": N_("investors met"),
    "interest": N_("interest shown"),
    "refs": N_("project references"),
    "planned_intensity": N_("planned investment intensity"),
    "status": N_("status"),
    "holidays": N_("days off"),
    "workdays": N_("make-up working days"),
    "investor_signatory.name": N_("investor's signatory"),
    "investor_signatory.title": N_("title of the investor's signatory"),
    "current_password": N_("current password"),
    "new_password": N_("new password"),
    "as_of": N_("date"),
    # supervision and notifications
    "at": N_("time of the reminder"),
    "owner": N_("who must solve it"),
    "resolution": N_("how it was solved"),
    "responsible_person.user_id": N_("responsible person's account"),
    "responsible_person.name": N_("responsible person's name"),
    "to": N_("recipients"),
    "cause": N_("cause"),
    "notification_id": N_("notice"),
    "problem_id": N_("problem"),
    "url": N_("web address"),
    "format": N_("format"),
    "host": N_("mail server"),
    "port": N_("port"),
    "sender": N_("sender"),
    "username": N_("user name"),
    "starttls": N_("encrypted connection (STARTTLS)"),
    "timeout": N_("time-out"),
    "secret": N_("signing secret"),
}
"""A form's field -> what a person calls it (``{f:field}``); ``a[0].b`` is looked up as ``a.b``, then ``b``."""

_INDEX = re.compile(r"\[\d+\]|\.\d+(?=\.|$)")


def field_name(code: str, locale: str | None = None) -> str:
    """``participants[0].unit`` and ``participants.0.unit`` are looked up as ``participants.unit``, then ``unit``."""
    if not code:
        return ""
    plain = _INDEX.sub("", code)
    for key in (code, plain, plain.rsplit(".", 1)[-1]):
        if key in FIELD_NAMES:
            return gettext(FIELD_NAMES[key], locale)
    return code
