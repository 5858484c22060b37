"""The negotiation service (R3, R4, R5) driven through its own methods with real collaborators.

Each call builds a worker with nameko's ``worker_factory`` over a real SQLite
database (outbox included), the sample policy and a clock the test controls.
Projects arrive the way the bus delivers them: ``intake.project_filed`` and
``review.concluded`` envelopes handed to the service's handlers; what the
service says goes out is read back from its outbox.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from services.negotiation import models
from services.negotiation.service import NegotiationService
from shared.actor import Actor
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.policy import load_policy
from tests.harness import Harness, TestClock, shanghai

POLICY = load_policy()

IPB = {"user_id": "u1", "position": "ipb_clerk", "unit": "IPB"}
HENGDONG_HEAD = {"user_id": "u-hd", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
HEXI_HEAD = {"user_id": "u-hx", "position": "park_head:hexi", "unit": "PARK:hexi"}
LEADER = {"user_id": "u-lead", "position": "county_leader_in_charge", "unit": "LG"}
DEPUTY = {"user_id": "u-dep", "position": "deputy_magistrate_investment", "unit": "GOV"}
SECRETARY = {"user_id": "u-sec", "position": "party_secretary", "unit": "LG"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "LG"}
FIN_HEAD = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"}
XINTANG = {"user_id": "u-xt", "position": "town_head", "unit": "TOWN:xintang"}

# session participants
P_IPB = {"unit": "IPB", "position": "ipb_clerk"}
P_HENGDONG = {"unit": "PARK:hengdong", "position": "park_head:hengdong"}
P_LEADER = {"unit": "LG", "position": "county_leader_in_charge"}
P_LEGAL = {"unit": "LEGAL", "position": "legal_officer"}
P_FIN = {"unit": "FIN", "position": "bureau_head"}
P_XINTANG = {"unit": "TOWN:xintang", "position": "town_head"}

EVENTS = (
    "negotiation.decided",
    "negotiation.principal_decided",
    "negotiation.principals_decided",
    "negotiation.escalated",
)


class Negotiation(Harness):
    """The negotiation service with the sample policy and a clock the test moves."""

    def __init__(self, engine, clock: TestClock):
        super().__init__(NegotiationService, models.metadata, engine, policy=POLICY, clock=clock)
        self.clock = clock

    def stored(self, project_id: str) -> dict:
        table = models.negotiations
        with Session(self.provider.engine) as s:
            return dict(s.execute(select(table).where(table.c.project_id == project_id)).mappings().one())

    def stored_sessions(self, project_id: str) -> list[dict]:
        table = models.sessions
        with Session(self.provider.engine) as s:
            return [
                dict(r)
                for r in s.execute(
                    select(table).where(table.c.project_id == project_id).order_by(table.c.seq)
                ).mappings()
            ]


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'negotiation.db'}")
    models.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return TestClock(shanghai(2026, 10, 12))


@pytest.fixture
def neg(engine, clock):
    return Negotiation(engine, clock)


# -- feeding the service ----------------------------------------------------------------------------
def file_project(
    neg: Negotiation,
    project_id: str,
    n: int = 1,
    sector: str = "C3612",
    location_kind: str = "park",
    location_id: str | None = "hengdong",
    land_mu: str = "45",
) -> None:
    """Deliver intake.project_filed to the service's handler, as the bus would."""
    event = Envelope(
        type="intake.project_filed",
        actor=Actor(**IPB),
        project_id=project_id,
        payload={
            "ref": f"ZS2026-{n:04d}",
            "project_name": f"示例项目{n}",
            "investor_name": f"示例投资有限公司{n}",
            "sector": sector,
            "planned_total_investment": "250000000",
            "planned_fixed_asset_investment": "200000000",
            "land_mu": land_mu,
            "location_kind": location_kind,
            "location_id": location_id,
            "registered_unit": "IPB",
            "reason": "filed",
        },
    )
    neg.on_project_filed(event.dump())


BUREAUS = ["DRB", "IND", "FIN", "EPB", "LAND", "PLAN"]


def conclude(
    neg: Negotiation,
    project_id: str,
    outcome: str = "approved",
    outside_policy: bool = False,
    conditions: list | None = None,
    units: list | None = None,
    round_: int = 1,
) -> None:
    """Deliver review.concluded to the service's handler, as the bus would."""
    findings = [
        {
            "check": "national_industrial_policy",
            "verdict": "flag" if outside_policy else "ok",
            "outside_policy": outside_policy,
        }
    ]
    event = Envelope(
        type="review.concluded",
        actor=Actor(**HENGDONG_HEAD),
        project_id=project_id,
        payload={
            "outcome": outcome,
            "conditions": conditions or [],
            "findings": findings,
            "outside_policy": outside_policy,
            "round": round_,
            "reason": f"review {outcome}",
            **({"units": units} if units is not None else {}),
        },
    )
    neg.on_review_concluded(event.dump())


def approved(neg: Negotiation, project_id: str, n: int = 1, outside_policy: bool = False, **project) -> None:
    file_project(neg, project_id, n, **project)
    conclude(neg, project_id, "approved", outside_policy=outside_policy)


def assigned(
    neg: Negotiation,
    project_id: str,
    n: int = 1,
    unit: str | None = None,
    reason: str | None = None,
    outside_policy: bool = False,
    **project,
) -> dict:
    approved(neg, project_id, n, outside_policy=outside_policy, **project)
    neg.record_intermediary(IPB, project_id, {"none": True})
    unit = unit or neg.ranking(IPB, project_id)[0]["unit"]
    return neg.assign_unit(IPB, project_id, {"unit": unit, "reason": reason})


def park_project(neg: Negotiation, project_id: str, n: int = 1, **project) -> dict:
    """A hengdong project (sector C3252 is covered by Hengdong only), assigned to PARK:hengdong."""
    project.setdefault("sector", "C3252")
    got = assigned(neg, project_id, n, **project)
    assert got["responsible_unit"] == "PARK:hengdong"
    return got


def town_project(neg: Negotiation, project_id: str, n: int = 1, **project) -> dict:
    """A project no park covers (A0111), preferred at Xintang, assigned to TOWN:xintang."""
    project = {"sector": "A0111", "location_kind": "town", "location_id": "xintang", **project}
    got = assigned(neg, project_id, n, **project)
    assert got["responsible_unit"] == "TOWN:xintang"
    return got


def session(
    stage: str = "early",
    participants: list | None = None,
    land: dict | None = None,
    exceeding: list | None = None,
    held_on: str = "2026-10-12",
    agreed: list | None = None,
) -> dict:
    return {
        "held_on": held_on,
        "stage": stage,
        "participants": participants or [P_HENGDONG, P_IPB, P_LEGAL],
        "agreed": agreed or ["plot B-7"],
        "open": ["tax terms"],
        "exceeding_terms": exceeding or [],
        "land": land,
    }


def negotiating_park(neg: Negotiation, project_id: str, land: dict | None = None, **project) -> dict:
    """A park project after its final-stage session (LEGAL present: a decision may be recorded, R4)."""
    park_project(neg, project_id, **project)
    return neg.log_session(IPB, project_id, session("final", land=land))


def negotiating_town(neg: Negotiation, project_id: str, land: dict | None = None, **project) -> dict:
    town_project(neg, project_id, **project)
    return neg.log_session(
        IPB, project_id, session("final", participants=[P_LEADER, P_IPB, P_XINTANG, P_LEGAL], land=land)
    )


def decision_events(neg: Negotiation) -> list[dict]:
    return [e for e in neg.events() if e["type"] in EVENTS]


# == 1. the intermediary (R3) =========================================================================
def test_only_ipb_records_the_intermediary(neg):
    approved(neg, "p1")
    with pytest.raises(NotAllowed):
        neg.record_intermediary(FIN_HEAD, "p1", {"none": True})
    with pytest.raises(NotAllowed):
        neg.record_intermediary(HENGDONG_HEAD, "p1", {"name": "某咨询公司"})
    assert neg.stored("p1")["intermediary"] is None
    assert neg.events("negotiation.intermediary_recorded") == []

    got = neg.record_intermediary(IPB, "p1", {"name": "  恒信招商咨询  ", "contact": "0734-1234567"})
    assert got["intermediary"] == {"name": "恒信招商咨询", "contact": "0734-1234567"}
    row = neg.stored("p1")
    assert row["intermediary"] == {"name": "恒信招商咨询", "contact": "0734-1234567"}
    assert row["intermediary_recorded_by"]["unit"] == "IPB"
    (event,) = neg.events("negotiation.intermediary_recorded")
    assert event["project_id"] == "p1" and event["actor"]["unit"] == "IPB"
    assert event["payload"]["intermediary"] == {"name": "恒信招商咨询", "contact": "0734-1234567"}


def test_the_intermediary_is_a_name_or_none_true(neg):
    approved(neg, "p1")
    with pytest.raises(InvalidInput) as e:
        neg.record_intermediary(IPB, "p1", {})
    assert "name" in e.value.details
    with pytest.raises(InvalidInput) as e:
        neg.record_intermediary(IPB, "p1", {"name": "   "})
    assert "name" in e.value.details
    with pytest.raises(InvalidInput) as e:
        neg.record_intermediary(IPB, "p1", {"none": True, "name": "某咨询公司"})
    assert "name" in e.value.details
    assert neg.stored("p1")["intermediary"] is None
    assert neg.events("negotiation.intermediary_recorded") == []

    got = neg.record_intermediary(IPB, "p1", {"none": True})
    assert got["intermediary"] == {"none": True}
    assert neg.stored("p1")["intermediary"] == {"none": True}
    (event,) = neg.events("negotiation.intermediary_recorded")
    assert event["payload"]["intermediary"] == {"none": True}


def test_no_unit_is_assigned_before_the_intermediary_is_recorded(neg):
    approved(neg, "p1", sector="C3252")
    with pytest.raises(Conflict) as e:
        neg.assign_unit(IPB, "p1", {"unit": "PARK:hengdong"})
    assert "intermediary" in e.value.details
    row = neg.stored("p1")
    assert row["stage"] == "approved" and row["responsible_unit"] is None
    assert neg.events("negotiation.unit_assigned") == []


@pytest.mark.parametrize("outcome", ["rejected", None])
def test_a_project_not_approved_gets_no_intermediary(neg, outcome):
    file_project(neg, "p1")
    if outcome:
        conclude(neg, "p1", outcome)
    with pytest.raises(Conflict) as e:
        neg.record_intermediary(IPB, "p1", {"none": True})
    assert e.value.details["stage"] == [outcome or "filed"]
    assert neg.stored("p1")["intermediary"] is None
    assert neg.events() == []


# == 2. ranking (R3) ==================================================================================
def ranked(neg, project_id, **project) -> list[dict]:
    file_project(neg, project_id, **project)
    return neg.ranking(IPB, project_id)


def test_the_preferred_park_ranks_first_among_those_covering_the_sector(neg):
    got = ranked(neg, "p1", sector="C3985", location_kind="park", location_id="hexi")
    assert [(c["unit"], c["rank"]) for c in got] == [("PARK:hexi", 1), ("PARK:hengdong", 2)]
    assert "preferred" in got[0]["why"] and "preferred" not in got[1]["why"]

    got = ranked(neg, "p2", sector="C3985", location_kind="park", location_id="hengdong")
    assert [(c["unit"], c["rank"]) for c in got] == [("PARK:hengdong", 1), ("PARK:hexi", 2)]
    assert "preferred" in got[0]["why"] and "C39" in got[0]["why"]


def test_an_open_location_ranks_the_more_specific_positioning_first(neg):
    got = ranked(neg, "p1", sector="C3985", location_kind="open", location_id=None)
    assert [c["unit"] for c in got] == ["PARK:hexi", "PARK:hengdong"]
    assert "C3985" in got[0]["why"] and "(C39)" in got[1]["why"]
    assert all("preferred" not in c["why"] for c in got)
    assert [c["name"].render() for c in got] == ["河西新区", "衡东工业园"]


def test_only_the_parks_covering_the_sector_are_ranked(neg):
    got = ranked(neg, "p1", sector="C3252", location_kind="park", location_id="hexi")
    assert [(c["unit"], c["rank"]) for c in got] == [("PARK:hengdong", 1)]
    assert got[0]["why"]


def test_a_sector_no_park_covers_goes_to_the_towns_preferred_first(neg):
    got = ranked(neg, "p1", sector="A0111", location_kind="town", location_id="yangqiao")
    assert [(c["unit"], c["rank"]) for c in got] == [("TOWN:yangqiao", 1), ("TOWN:shiwan", 2), ("TOWN:xintang", 3)]
    assert not any(c["unit"].startswith("PARK:") for c in got)
    assert "preferred" in got[0]["why"]
    assert all(c["why"] and "A0111" in c["why"] for c in got)

    got = ranked(neg, "p2", sector="A0111", location_kind="open", location_id=None)
    assert [c["unit"] for c in got] == ["TOWN:shiwan", "TOWN:xintang", "TOWN:yangqiao"]
    assert all(c["why"] for c in got)


# == 3. assignment (R3) ===============================================================================
def test_confirming_the_top_unit_needs_no_reason(neg):
    approved(neg, "p1", sector="C3985", location_kind="park", location_id="hexi")
    neg.record_intermediary(IPB, "p1", {"none": True})
    got = neg.assign_unit(IPB, "p1", {"unit": "PARK:hexi"})
    assert got["stage"] == "assigned" and got["responsible_unit"] == "PARK:hexi"
    assert got["session_lead"] == "park_head:hexi"
    row = neg.stored("p1")
    assert row["stage"] == "assigned" and row["responsible_unit"] == "PARK:hexi" and row["assignment_reason"] is None
    assert [c["unit"] for c in row["ranking"]] == ["PARK:hexi", "PARK:hengdong"]

    (event,) = neg.events("negotiation.unit_assigned")
    payload = event["payload"]
    assert payload["unit"] == "PARK:hexi" and payload["proposed"] == "PARK:hexi"
    assert [(c["unit"], c["rank"]) for c in payload["ranking"]] == [("PARK:hexi", 1), ("PARK:hengdong", 2)]
    assert all(c["why"] for c in payload["ranking"])
    assert payload["reason"] == "交办河西新区（推荐排序第一）"  # the unit by its name


def test_choosing_another_unit_needs_a_reason(neg):
    approved(neg, "p1", sector="C3985", location_kind="park", location_id="hexi")
    neg.record_intermediary(IPB, "p1", {"none": True})
    for reason in (None, "", "   "):
        with pytest.raises(InvalidInput) as e:
            neg.assign_unit(IPB, "p1", {"unit": "PARK:hengdong", "reason": reason})
        assert "reason" in e.value.details
    assert neg.stored("p1")["stage"] == "approved" and neg.stored("p1")["responsible_unit"] is None
    assert neg.events("negotiation.unit_assigned") == []

    reason = "衡东已有配套供应链"
    got = neg.assign_unit(IPB, "p1", {"unit": "PARK:hengdong", "reason": reason})
    # Hengdong did not review the project (it was bound for Hexi): its opinion comes first, in a new round (R2/R3)
    assert got["stage"] == "park_review" and got["responsible_unit"] is None
    assert got["pending"]["unit"] == "PARK:hengdong" and neg.events("negotiation.unit_assigned") == []
    (asked,) = neg.events("negotiation.park_review_requested")
    assert asked["payload"]["unit"] == "PARK:hengdong" and reason in asked["payload"]["reason"]
    conclude(neg, "p1", units=BUREAUS + ["PARK:hexi", "PARK:hengdong"], round_=2)
    got = neg.get_negotiation(IPB, "p1")
    assert got["responsible_unit"] == "PARK:hengdong" and got["assignment_reason"] == reason
    assert got["stage"] == "assigned" and got["pending"] is None
    (event,) = neg.events("negotiation.unit_assigned")
    assert event["actor"]["user_id"] == IPB["user_id"]  # IPB's choice, handed over once the park passed
    assert event["payload"]["unit"] == "PARK:hengdong" and event["payload"]["proposed"] == "PARK:hexi"
    assert event["payload"]["reason"] == reason
    assert [c["unit"] for c in event["payload"]["ranking"]] == ["PARK:hexi", "PARK:hengdong"]


def test_an_unknown_unit_is_refused_and_only_ipb_assigns(neg):
    approved(neg, "p1", sector="C3252")
    neg.record_intermediary(IPB, "p1", {"none": True})
    for unit in ("PARK:nowhere", "TOWN:atlantis", "FIN"):
        with pytest.raises(InvalidInput) as e:
            neg.assign_unit(IPB, "p1", {"unit": unit, "reason": "because"})
        assert "unit" in e.value.details
    with pytest.raises(NotAllowed):
        neg.assign_unit(HENGDONG_HEAD, "p1", {"unit": "PARK:hengdong"})
    assert neg.stored("p1")["responsible_unit"] is None
    assert neg.events("negotiation.unit_assigned") == []


# == 4. sessions (R4) =================================================================================
def test_a_park_session_without_its_park_head_is_refused(neg):
    park_project(neg, "p1")
    with pytest.raises(InvalidInput) as e:
        neg.log_session(IPB, "p1", session(participants=[P_IPB, P_LEADER, P_FIN]))
    assert e.value.msg.render() == "本次洽谈缺少：洽谈牵头人（衡东工业园管委会主任）"
    assert (
        len(e.value.details["participants"]) == 1
        and "衡东工业园管委会主任" in e.value.details["participants"][0].render()
    )
    assert neg.stored_sessions("p1") == [] and neg.stored("p1")["stage"] == "assigned"
    assert neg.events("negotiation.session_logged") == []


def test_a_session_without_ipb_is_refused(neg):
    park_project(neg, "p1")
    with pytest.raises(InvalidInput) as e:
        neg.log_session(HENGDONG_HEAD, "p1", session(participants=[P_HENGDONG, P_LEADER, P_LEGAL]))
    assert e.value.msg.render() == "本次洽谈缺少：县招商局（每次洽谈均须参加）"
    assert len(e.value.details["participants"]) == 1
    assert neg.stored_sessions("p1") == [] and neg.stored("p1")["stage"] == "assigned"
    assert neg.events("negotiation.session_logged") == []


def test_a_final_session_needs_legal_an_early_one_does_not(neg):
    park_project(neg, "p1")
    with pytest.raises(InvalidInput) as e:
        neg.log_session(IPB, "p1", session("final", participants=[P_HENGDONG, P_IPB]))
    assert "县法制办（后期洽谈须参加）" in e.value.msg.render() and len(e.value.details["participants"]) == 1
    assert neg.stored_sessions("p1") == [] and neg.events("negotiation.session_logged") == []

    got = neg.log_session(IPB, "p1", session("early", participants=[P_HENGDONG, P_IPB]))
    assert got["stage"] == "negotiating" and [s["stage"] for s in got["sessions"]] == ["early"]
    got = neg.log_session(IPB, "p1", session("final", participants=[P_HENGDONG, P_IPB, P_LEGAL]))
    assert [s["stage"] for s in got["sessions"]] == ["early", "final"]
    assert len(neg.stored_sessions("p1")) == 2


def test_a_town_session_is_led_by_the_county_leader_in_charge(neg):
    got = town_project(neg, "p1")
    assert got["session_lead"] == "county_leader_in_charge"
    with pytest.raises(InvalidInput) as e:  # a park head does not lead a town project
        neg.log_session(IPB, "p1", session(participants=[P_HENGDONG, P_IPB, P_XINTANG]))
    assert "洽谈牵头人（分管县领导）" in e.value.msg.render()
    assert neg.stored_sessions("p1") == [] and neg.events("negotiation.session_logged") == []

    got = neg.log_session(XINTANG, "p1", session(participants=[P_LEADER, P_IPB, P_XINTANG]))
    assert got["stage"] == "negotiating"
    (stored,) = neg.stored_sessions("p1")
    assert stored["logged_by"]["unit"] == "TOWN:xintang"


def test_the_first_session_is_marked_first_and_its_record_is_kept(neg):
    park_project(neg, "p1")
    agreed = ["plot B-7, 45 mu", "construction starts 2027-03"]
    neg.log_session(IPB, "p1", session(held_on="2026-10-12", agreed=agreed))
    neg.log_session(HENGDONG_HEAD, "p1", session(held_on="2026-10-20", exceeding=["tax rebate 5 years"]))
    neg.log_session(IPB, "p1", session("final", held_on="2026-11-02"))

    events = neg.events("negotiation.session_logged", "p1")
    assert [(e["payload"]["seq"], e["payload"]["first"]) for e in events] == [(1, True), (2, False), (3, False)]
    assert [e["payload"]["held_on"] for e in events] == ["2026-10-12", "2026-10-20", "2026-11-02"]
    assert events[0]["payload"]["agreed"] == agreed
    assert events[1]["payload"]["exceeding_terms"] == ["tax rebate 5 years"]
    assert events[1]["actor"]["position"] == "park_head:hengdong"

    stored = neg.stored_sessions("p1")
    assert [(s["seq"], s["stage"], s["held_on"]) for s in stored] == [
        (1, "early", dt.date(2026, 10, 12)),
        (2, "early", dt.date(2026, 10, 20)),
        (3, "final", dt.date(2026, 11, 2)),
    ]
    assert stored[0]["agreed"] == agreed and stored[0]["open_matters"] == ["tax terms"]
    assert stored[0]["participants"][0]["position"] == "park_head:hengdong"
    assert stored[1]["exceeding_terms"] == ["tax rebate 5 years"]
    assert neg.stored("p1")["stage"] == "negotiating"


def test_only_ipb_or_the_responsible_unit_logs_a_session(neg):
    park_project(neg, "p1")
    for outsider in (FIN_HEAD, HEXI_HEAD, XINTANG):
        with pytest.raises(NotAllowed):
            neg.log_session(outsider, "p1", session())
    assert neg.stored_sessions("p1") == [] and neg.events("negotiation.session_logged") == []

    got = neg.log_session(HENGDONG_HEAD, "p1", session())
    assert got["stage"] == "negotiating"
    (event,) = neg.events("negotiation.session_logged")
    assert event["actor"]["unit"] == "PARK:hengdong" and event["payload"]["first"] is True


def test_no_session_before_a_unit_is_assigned(neg):
    approved(neg, "p1", sector="C3252")
    neg.record_intermediary(IPB, "p1", {"none": True})
    with pytest.raises(Conflict):
        neg.log_session(IPB, "p1", session())
    assert neg.stored_sessions("p1") == [] and neg.events("negotiation.session_logged") == []


# == 5. decision route and decisions (R5) =============================================================
def test_within_authority_in_a_park_only_the_park_head_decides(neg):
    negotiating_park(neg, "p1", land_mu="45")
    route = neg.route(IPB, "p1")
    assert route["escalated"] is False and route["within_policy"] is True and route["land_mu"] == "45"
    assert route["decides"] == ["park_head:hengdong"] and route["signs"] == "park_head:hengdong"
    assert route["recommends"] is None and route["reasons"]

    for outsider in (MAGISTRATE, SECRETARY, HEXI_HEAD, LEADER, DEPUTY):
        with pytest.raises(NotAllowed):
            neg.decide(outsider, "p1", {"decision": "agree"})
    with pytest.raises(NotAllowed):  # not a deciding position at all
        neg.decide(IPB, "p1", {"decision": "agree"})
    assert decision_events(neg) == []
    assert neg.stored("p1")["stage"] == "negotiating" and neg.stored("p1")["decisions"] == {}

    with pytest.raises(Conflict):  # nothing to recommend on a route within authority
        neg.recommend(HENGDONG_HEAD, "p1", {"recommendation": "please decide"})
    assert decision_events(neg) == [] and neg.stored("p1")["stage"] == "negotiating"

    got = neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    assert got["stage"] == "agreed" and got["decisions"] == {"park_head:hengdong": "agree"}
    (event,) = neg.events("negotiation.decided")
    assert event["payload"]["outcome"] == "agreed" and event["payload"]["decided_by"] == "park_head:hengdong"
    assert event["payload"]["route"]["signs"] == "park_head:hengdong"
    assert event["payload"]["route"]["escalated"] is False
    row = neg.stored("p1")
    assert row["stage"] == "agreed" and row["route"]["signs"] == "park_head:hengdong"

    with pytest.raises(Conflict):  # decided once
        neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    assert len(neg.events("negotiation.decided")) == 1


def test_no_decision_before_the_first_session(neg):
    park_project(neg, "p1", land_mu="45")
    with pytest.raises(Conflict):
        neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    assert decision_events(neg) == [] and neg.stored("p1")["stage"] == "assigned"


def test_outside_parks_at_exactly_60_mu_the_leader_decides_and_the_deputy_signs(neg):
    negotiating_town(neg, "p1", land={"value": "40000", "unit": "m2"}, land_mu="70")
    route = neg.route(IPB, "p1")
    assert route["in_park"] is False and route["escalated"] is False and route["land_mu"] == "60"
    assert route["decides"] == ["county_leader_in_charge"] and route["signs"] == "deputy_magistrate_investment"
    (stored,) = neg.stored_sessions("p1")
    assert stored["land_value"] == "40000" and stored["land_unit"] == "m2" and stored["land_mu"] == 60

    for outsider in (DEPUTY, HENGDONG_HEAD, MAGISTRATE, SECRETARY):
        with pytest.raises(NotAllowed):
            neg.decide(outsider, "p1", {"decision": "agree"})
    assert decision_events(neg) == []

    got = neg.decide(LEADER, "p1", {"decision": "agree"})
    assert got["stage"] == "agreed"
    (event,) = neg.events("negotiation.decided")
    assert event["payload"]["outcome"] == "agreed" and event["payload"]["decided_by"] == "county_leader_in_charge"
    assert event["payload"]["route"]["signs"] == "deputy_magistrate_investment"
    assert event["payload"]["route"]["decides"] == ["county_leader_in_charge"]


def test_75_mu_in_a_park_goes_to_the_principals_after_the_park_recommends(neg):
    negotiating_park(neg, "p1", land={"value": "5", "unit": "ha"}, land_mu="45")
    route = neg.route(IPB, "p1")
    assert route["escalated"] is True and route["land_mu"] == "75"
    assert route["decides"] == ["party_secretary", "county_magistrate"]
    assert route["recommends"] == "park_head:hengdong" and route["signs"] == "county_magistrate"

    with pytest.raises(Conflict):  # the recommendation comes first
        neg.decide(SECRETARY, "p1", {"decision": "agree"})
    with pytest.raises(NotAllowed):  # the park head no longer decides
        neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    with pytest.raises(NotAllowed):  # a park project is recommended by its park, not the leader in charge
        neg.recommend(LEADER, "p1", {"recommendation": "agree with conditions"})
    assert decision_events(neg) == [] and neg.stored("p1")["stage"] == "negotiating"

    got = neg.recommend(HENGDONG_HEAD, "p1", {"recommendation": "建议同意，按75亩供地"})
    assert got["stage"] == "escalated"
    assert got["recommendation"]["text"] == "建议同意，按75亩供地"
    assert got["recommendation"]["by"]["position"] == "park_head:hengdong"
    (escalated,) = neg.events("negotiation.escalated")
    assert escalated["payload"]["route"]["decides"] == ["party_secretary", "county_magistrate"]
    assert escalated["payload"]["recommendation"] == "建议同意，按75亩供地"

    got = neg.decide(SECRETARY, "p1", {"decision": "agree"})
    assert got["stage"] == "escalated" and got["decisions"] == {"party_secretary": "agree"}
    (principal,) = neg.events("negotiation.principal_decided")
    assert principal["payload"]["position"] == "party_secretary" and principal["payload"]["decision"] == "agree"
    assert neg.events("negotiation.principals_decided") == [] and neg.events("negotiation.decided") == []

    with pytest.raises(Conflict):
        neg.decide(SECRETARY, "p1", {"decision": "refuse", "reasons": ["second thoughts"]})
    assert neg.stored("p1")["decisions"] == {"party_secretary": "agree"}
    assert len(neg.events("negotiation.principal_decided")) == 1

    got = neg.decide(MAGISTRATE, "p1", {"decision": "agree"})
    assert got["stage"] == "agreed"
    assert got["decisions"] == {"party_secretary": "agree", "county_magistrate": "agree"}
    (outcome,) = neg.events("negotiation.principals_decided")
    assert outcome["payload"]["outcome"] == "agreed"
    assert outcome["payload"]["route"]["signs"] == "county_magistrate"
    assert outcome["payload"]["decisions"] == {"party_secretary": "agree", "county_magistrate": "agree"}
    assert len(neg.events("negotiation.principal_decided")) == 2
    assert neg.events("negotiation.decided") == []
    assert neg.stored("p1")["stage"] == "agreed"


def test_one_principal_refusing_refuses_with_its_reasons(neg):
    negotiating_park(neg, "p1", land_mu="75")
    neg.recommend(HENGDONG_HEAD, "p1", {"recommendation": "建议同意"})

    with pytest.raises(InvalidInput) as e:
        neg.decide(MAGISTRATE, "p1", {"decision": "refuse"})
    assert "reasons" in e.value.details
    with pytest.raises(InvalidInput) as e:
        neg.decide(MAGISTRATE, "p1", {"decision": "refuse", "reasons": []})
    assert "reasons" in e.value.details
    assert neg.events("negotiation.principal_decided") == [] and neg.stored("p1")["decisions"] == {}

    reasons = ["land price below the county floor", "no wastewater plan"]
    got = neg.decide(MAGISTRATE, "p1", {"decision": "refuse", "reasons": reasons})
    assert got["stage"] == "refused"
    (outcome,) = neg.events("negotiation.principals_decided")
    assert outcome["payload"]["outcome"] == "refused"
    assert outcome["payload"]["reasons"] == reasons
    assert all(r in outcome["payload"]["reason"] for r in reasons)
    assert outcome["payload"]["decisions"] == {"county_magistrate": "refuse"}
    (principal,) = neg.events("negotiation.principal_decided")
    assert principal["payload"]["reasons"] == reasons

    with pytest.raises(Conflict):  # refused: no more decisions
        neg.decide(SECRETARY, "p1", {"decision": "agree"})
    assert neg.stored("p1")["stage"] == "refused"
    assert len(neg.events("negotiation.principals_decided")) == 1


def test_a_restricted_class_finding_escalates_even_small_land(neg):
    negotiating_park(neg, "p1", land_mu="10", outside_policy=True)
    route = neg.route(IPB, "p1")
    assert route["escalated"] is True and route["within_policy"] is False and route["land_mu"] == "10"
    assert route["decides"] == ["party_secretary", "county_magistrate"] and route["signs"] == "county_magistrate"
    assert any("restricted" in r for r in route["reasons"])
    with pytest.raises(NotAllowed):
        neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    assert decision_events(neg) == []

    negotiating_park(neg, "p2", land_mu="10", n=2)  # the same project without the finding: within authority
    assert neg.route(IPB, "p2")["escalated"] is False


def test_an_exceeding_term_escalates_until_a_later_session_withdraws_it(neg):
    park_project(neg, "p1", land_mu="10")
    neg.log_session(IPB, "p1", session(exceeding=["tax rebate beyond policy"], held_on="2026-10-10"))
    route = neg.route(IPB, "p1")
    assert route["escalated"] is True and route["within_policy"] is False
    assert route["exceeding"] == ["T1 tax rebate beyond policy — recorded in session 1 of 2026-10-10"]
    assert any("tax rebate beyond policy" in r and "session 1" in r for r in route["reasons"])
    with pytest.raises(NotAllowed):
        neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})

    # left out of the next session's list, it stays open (R4): nothing drops out silently
    neg.log_session(IPB, "p1", session("final", exceeding=[]))
    route = neg.route(IPB, "p1")
    assert route["escalated"] is True and route["exceeding"][0].render().startswith("T1 tax rebate beyond policy")
    # withdrawn by a later session, with a reason, by IPB (or the session lead)
    with pytest.raises(InvalidInput) as refused:
        neg.log_session(IPB, "p1", {**session("final"), "withdrawn": [{"term": "T7", "reason": "x"}]})
    assert "withdrawn.0.term" in refused.value.details
    neg.log_session(IPB, "p1", {**session("final"), "withdrawn": [{"term": "T1", "reason": "投资方放弃该诉求"}]})
    route = neg.route(IPB, "p1")
    assert route["escalated"] is False and route["within_policy"] is True and route["exceeding"] == []
    assert route["decides"] == ["park_head:hengdong"]
    got = neg.get_negotiation(IPB, "p1")
    assert got["route"]["escalated"] is False
    (term,) = got["policy_terms"]
    assert (term["status"], term["withdrawn_in"], term["withdrawal_reason"]) == ("withdrawn", 3, "投资方放弃该诉求")
    assert term["withdrawn_by"]["unit"] == "IPB"
    assert decision_events(neg) == []

    got = neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    assert got["stage"] == "agreed"
    (event,) = neg.events("negotiation.decided")
    assert event["payload"]["route"]["within_policy"] is True


@pytest.mark.parametrize(
    "land, escalated, land_mu",
    [
        ({"value": "60.01", "unit": "mu"}, True, "60.01"),
        ({"value": "40007", "unit": "m2"}, True, "60.0105"),
        ({"value": "4", "unit": "ha"}, False, "60"),
        ({"value": "60", "unit": "mu"}, False, "60"),
    ],
)
def test_the_60_mu_line_on_the_agreed_land(neg, land, escalated, land_mu):
    negotiating_park(neg, "p1", land=land, land_mu="30")
    route = neg.route(IPB, "p1")
    assert route["escalated"] is escalated and route["land_mu"] == land_mu
    assert route["signs"] == ("county_magistrate" if escalated else "park_head:hengdong")


def test_the_latest_agreed_land_counts(neg):
    park_project(neg, "p1", land_mu="30")
    assert neg.route(IPB, "p1")["escalated"] is False  # planned land until a session agrees one
    neg.log_session(IPB, "p1", session(land={"value": "40007", "unit": "m2"}))
    assert neg.route(IPB, "p1")["escalated"] is True
    neg.log_session(IPB, "p1", session())  # no land agreed in this session: the last agreed stands
    assert neg.route(IPB, "p1")["escalated"] is True
    neg.log_session(IPB, "p1", session(land={"value": "4", "unit": "ha"}))
    route = neg.route(IPB, "p1")
    assert route["escalated"] is False and route["land_mu"] == "60"


# == leaders' desks and bad land ========================================================================


def test_the_desk_shows_what_the_route_asks_of_each_position_now(neg):
    negotiating_park(neg, "p-small", land={"value": "45", "unit": "mu"})
    negotiating_park(neg, "p-big", n=2, land={"value": "75", "unit": "mu"})
    park_desk = {d["project_id"]: d["action"] for d in neg.decisions_awaiting(HENGDONG_HEAD)}
    assert park_desk == {"p-small": "decide", "p-big": "recommend"}
    assert neg.decisions_awaiting(MAGISTRATE) == []
    neg.recommend(HENGDONG_HEAD, "p-big", {"recommendation": "同意"})
    assert [d["project_id"] for d in neg.decisions_awaiting(MAGISTRATE)] == ["p-big"]
    neg.decide(MAGISTRATE, "p-big", {"decision": "agree"})
    assert neg.decisions_awaiting(MAGISTRATE) == []
    assert [d["project_id"] for d in neg.decisions_awaiting(SECRETARY)] == ["p-big"]
    assert {d["project_id"] for d in neg.decisions_awaiting(HENGDONG_HEAD)} == {"p-small"}


@pytest.mark.parametrize(
    "land, field",
    [
        ({"value": "-5", "unit": "mu"}, "land.value"),
        ({"value": "0", "unit": "mu"}, "land.value"),
        ({"value": "1E+30", "unit": "m2"}, "land.value"),
    ],
)
def test_an_impossible_agreed_land_is_refused_and_nothing_is_stored(neg, land, field):
    park_project(neg, "p1")
    with pytest.raises(InvalidInput) as refused:
        neg.log_session(IPB, "p1", session(land=land))
    assert field in refused.value.details
    assert neg.stored_sessions("p1") == [] and neg.events("negotiation.session_logged") == []
    assert neg.route(IPB, "p1")["land_mu"] == "45"


# == 6. what is signed is what was decided (R4, R5) ======================================================
def test_a_decision_within_authority_may_refuse_with_reasons_and_ipb_renegotiates(neg):
    negotiating_park(neg, "p1", land_mu="45")
    with pytest.raises(InvalidInput) as refused:
        neg.decide(HENGDONG_HEAD, "p1", {"decision": "refuse"})
    assert "reasons" in refused.value.details and decision_events(neg) == []

    got = neg.decide(HENGDONG_HEAD, "p1", {"decision": "refuse", "reasons": ["投资强度偏低", "税收贡献不足"]})
    assert got["stage"] == "refused" and got["decisions"] == {"park_head:hengdong": "refuse"}
    (event,) = neg.events("negotiation.decided")
    payload = event["payload"]
    assert payload["outcome"] == "refused" and payload["reasons"] == ["投资强度偏低", "税收贡献不足"]
    assert "投资强度偏低" in payload["reason"] and payload["round"] == 1
    with pytest.raises(Conflict):  # decided once
        neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    with pytest.raises(Conflict) as refused:  # no session on a refused project until IPB renegotiates
        neg.log_session(IPB, "p1", session("final"))
    assert "renegotiates" in refused.value.message

    # back to IPB: it renegotiates (or terminates: the coordinator's, with a special report)
    with pytest.raises(NotAllowed):
        neg.renegotiate(HENGDONG_HEAD, "p1", {"reason": "x"})
    got = neg.renegotiate(IPB, "p1", {"reason": "投资方同意追加设备投资"})
    assert (got["stage"], got["round"], got["decisions"], got["route"]["escalated"]) == ("negotiating", 2, {}, False)
    (reopened,) = neg.events("negotiation.reopened")
    assert reopened["payload"]["round"] == 2 and reopened["payload"]["cause"] == "renegotiation"
    assert "投资方同意追加设备投资" in reopened["payload"]["reason"]
    with pytest.raises(Conflict):  # renegotiated once: it is negotiating now
        neg.renegotiate(IPB, "p1", {"reason": "again"})
    neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    agreed = neg.events("negotiation.decided")[-1]["payload"]
    assert agreed["outcome"] == "agreed" and agreed["round"] == 2


def test_no_decision_before_legal_took_part_in_a_final_stage_session(neg):
    park_project(neg, "p1", land_mu="45")
    neg.log_session(IPB, "p1", session("early"))  # LEGAL present, but not at the final stage
    assert neg.get_negotiation(IPB, "p1")["legal_attended"] is False
    with pytest.raises(Conflict) as refused:
        neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    assert "Legal Affairs Office" in refused.value.message and "sessions" in refused.value.details
    park_project(neg, "p2", n=2, land_mu="75")  # escalated: no recommendation either
    neg.log_session(IPB, "p2", session("early"))
    with pytest.raises(Conflict):
        neg.recommend(HENGDONG_HEAD, "p2", {"recommendation": "建议同意"})
    assert decision_events(neg) == []

    neg.log_session(IPB, "p1", session("final"))
    assert neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})["stage"] == "agreed"


def test_the_decision_carries_the_decided_terms(neg):
    park_project(neg, "p1", land_mu="40")
    neg.log_session(
        IPB,
        "p1",
        {
            **session("early", agreed=["供地方式：挂牌出让"]),
            "total_investment": "150000000",
            "fixed_asset_investment": "100000000",
        },
    )
    neg.log_session(
        IPB,
        "p1",
        {
            **session("final", land={"value": "30000", "unit": "m2"}, agreed=["供地方式：挂牌出让", "2027年3月开工"]),
            "policy_terms": [{"clause": "tax_reward_years", "value": "3"}],
        },
    )
    terms = neg.get_negotiation(IPB, "p1")["terms"]
    expected = {
        "land_mu": "45",
        "total_investment": "150000000",
        "fixed_asset_investment": "100000000",
        "intensity_wan_per_mu": "222.22",
        "agreed": ["供地方式：挂牌出让", "2027年3月开工"],
        "policy_terms": ["地方留成税收奖励年限：3年"],
    }
    assert terms == expected
    neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    (event,) = neg.events("negotiation.decided")
    assert event["payload"]["terms"] == expected and neg.stored("p1")["decided_terms"] == expected


def test_a_change_after_the_decision_needs_a_new_decision_on_the_route_the_changed_terms_give(neg):
    negotiating_park(neg, "p1", land_mu="45")
    neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    # a session after the decision that changes nothing decided: the decision stands
    neg.log_session(IPB, "p1", {**session("final"), "open": ["厂房设计方案"]})
    assert neg.stored("p1")["stage"] == "agreed" and neg.events("negotiation.reopened") == []

    got = neg.log_session(IPB, "p1", session("final", land={"value": "80", "unit": "mu"}))
    assert (got["stage"], got["round"], got["decisions"], got["decided_terms"]) == ("negotiating", 2, {}, None)
    (reopened,) = neg.events("negotiation.reopened")
    assert reopened["payload"]["changed"] == ["land_mu", "intensity_wan_per_mu"]
    assert reopened["payload"]["from_stage"] == "agreed" and reopened["payload"]["round"] == 2
    route = neg.route(IPB, "p1")  # 45 mu decided, changed to 80: the principals' now
    assert route["escalated"] is True and route["land_mu"] == "80" and route["signs"] == "county_magistrate"
    with pytest.raises(NotAllowed):
        neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    neg.recommend(HENGDONG_HEAD, "p1", {"recommendation": "建议同意按80亩供地"})
    neg.decide(SECRETARY, "p1", {"decision": "agree"})
    neg.decide(MAGISTRATE, "p1", {"decision": "agree"})
    (outcome,) = neg.events("negotiation.principals_decided")
    assert outcome["payload"]["round"] == 2 and outcome["payload"]["terms"]["land_mu"] == "80"
    assert outcome["payload"]["route"]["signs"] == "county_magistrate"


def test_a_changed_term_while_the_principals_decide_sends_it_back_too(neg):
    negotiating_park(neg, "p1", land_mu="75")
    neg.recommend(HENGDONG_HEAD, "p1", {"recommendation": "建议同意"})
    neg.decide(SECRETARY, "p1", {"decision": "agree"})
    neg.log_session(IPB, "p1", {**session("final"), "policy_terms": [{"clause": "land_price_rebate", "value": "40"}]})
    got = neg.get_negotiation(IPB, "p1")
    assert got["stage"] == "negotiating" and got["decisions"] == {} and got["recommendation"] is None
    assert neg.events("negotiation.reopened")[0]["payload"]["changed"] == ["policy_terms"]
    with pytest.raises(Conflict):  # the recommendation comes again first
        neg.decide(MAGISTRATE, "p1", {"decision": "agree"})


def test_policy_terms_are_picked_from_the_county_catalogue_or_flagged_explicitly(neg):
    park_project(neg, "p1", land_mu="45")
    within = [{"clause": "land_price_rebate", "value": "30"}, {"text": "协助办理项目审批手续", "exceeds_policy": False}]
    neg.log_session(IPB, "p1", {**session("final"), "policy_terms": within})
    route = neg.route(IPB, "p1")
    assert route["within_policy"] is True and route["exceeding"] == []  # 30 % is the catalogue's limit: within
    neg.log_session(
        IPB,
        "p1",
        {**session("final", held_on="2026-10-13"), "policy_terms": [{"clause": "land_price_rebate", "value": "40"}]},
    )
    route = neg.route(IPB, "p1")
    assert route["escalated"] is True
    assert [t.render() for t in route["exceeding"]] == [
        "T3 土地出让金返还（用于项目基础设施配套）：40%（现行政策上限30%），见第2次洽谈（2026年10月13日）"
    ]
    terms = {t["term_id"]: (t["exceeds"], t["status"]) for t in neg.get_negotiation(IPB, "p1")["policy_terms"]}
    assert terms == {"T1": (False, "open"), "T2": (False, "open"), "T3": (True, "open")}

    for bad, field in (
        (({"clause": "free_lunch", "value": "1"},), "policy_terms.0.clause"),
        (({"text": "另行商定的优惠"},), "policy_terms.0.exceeds_policy"),
        (({"clause": "land_price_rebate"},), "policy_terms.0.value"),
    ):
        with pytest.raises(InvalidInput) as refused:
            neg.log_session(IPB, "p1", {**session("final"), "policy_terms": list(bad)})
        assert field in refused.value.details
    # withdrawn by IPB or the session lead only, with a reason
    park_clerk = {"user_id": "u-pc", "position": "park_clerk", "unit": "PARK:hengdong"}
    with pytest.raises(NotAllowed):
        neg.log_session(park_clerk, "p1", {**session("final"), "withdrawn": [{"term": "T3", "reason": "放弃"}]})
    assert len(neg.stored_sessions("p1")) == 2
    neg.log_session(
        HENGDONG_HEAD, "p1", {**session("final"), "withdrawn": [{"term": "T3", "reason": "按现行政策执行"}]}
    )
    assert neg.route(IPB, "p1")["escalated"] is False
    assert neg.get_negotiation(IPB, "p1")["terms"]["policy_terms"] == [
        "土地出让金返还（用于项目基础设施配套）：30%",
        "协助办理项目审批手续",
    ]
    catalogue = {c["id"]: c["limit"] for c in neg.incentive_catalogue(IPB)}
    assert catalogue["land_price_rebate"] == "30" and len(catalogue) >= 5


def test_the_location_checks_run_again_for_the_unit_ipb_assigns(neg):
    # C3985 is in both parks' positioning; 10,000 万元 on 45 mu = 222.22 万元/亩: Hengdong's 200, not Hexi's 250
    file_project(neg, "p1", sector="C3985", location_kind="park", location_id="hengdong")
    with Session(neg.provider.engine) as s, s.begin():
        s.execute(models.negotiations.update().values(planned_fixed_asset_investment="100000000"))
    conclude(neg, "p1", units=BUREAUS + ["PARK:hengdong"])
    neg.record_intermediary(IPB, "p1", {"none": True})
    with pytest.raises(InvalidInput) as refused:
        neg.assign_unit(IPB, "p1", {"unit": "PARK:hexi", "reason": "投资方改选河西"})
    assert refused.value.msg.render() == (
        "项目不能交由河西新区承接，选址相关审查未通过：投资强度：计划投资强度222.22 万元/亩，"
        "低于河西新区最低标准250.00 万元/亩"
    )
    assert refused.value.details["unit"]
    assert neg.stored("p1")["stage"] == "approved" and neg.events("negotiation.park_review_requested") == []
    got = neg.assign_unit(IPB, "p1", {"unit": "PARK:hengdong"})  # it reviewed the project: handed over at once
    assert got["stage"] == "assigned" and got["responsible_unit"] == "PARK:hengdong"

    # a sector barred at a location: C25 (石油加工) at any town
    approved(neg, "p2", n=2, sector="C2511", location_kind="open", location_id=None)
    neg.record_intermediary(IPB, "p2", {"none": True})
    with pytest.raises(InvalidInput) as refused:
        neg.assign_unit(IPB, "p2", {"unit": "TOWN:xintang", "reason": "就近安置"})
    assert refused.value.msg.render().startswith("项目不能交由新塘镇承接，选址相关审查未通过：环境保护：")


def test_a_signed_contract_takes_no_more_sessions(neg):
    negotiating_park(neg, "p1", land_mu="45")
    neg.decide(HENGDONG_HEAD, "p1", {"decision": "agree"})
    signed = Envelope(type="contracts.signed", actor=Actor(**HENGDONG_HEAD), project_id="p1", payload={"version": 1})
    neg.on_contract_signed(signed.dump())
    with pytest.raises(Conflict) as refused:
        neg.log_session(IPB, "p1", session("final", land={"value": "80", "unit": "mu"}))
    assert "signed" in refused.value.message and neg.events("negotiation.reopened") == []
