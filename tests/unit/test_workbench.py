"""The workbench (to-dos by unit and position), search by name fragments and credit code, and the project's file
(attachments), in the coordinator driven through its handlers and RPCs over a migrated SQLite database (its FTS5
index included)."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.coordinator import ledger, models, workbench, workbench_store
from services.coordinator.service import CoordinatorService
from shared import migrations
from shared.actor import SYSTEM, Actor, is_allowed
from shared.documents import DocumentStore
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotAllowed, NotFound
from shared.policy import load_policy
from tests.harness import Harness, TestClock, shanghai
from tests.ledger_events import IPB, feed, lead_payload, scenario

POLICY = load_policy()
CLERK = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
HEXI_HEAD = {"user_id": "u-hx", "position": "park_head:hexi", "unit": "PARK:hexi"}
HENGDONG_HEAD = {"user_id": "u-hd", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
DRB_REVIEWER = {"user_id": "u-drb", "position": "reviewer", "unit": "DRB"}
FIN_REVIEWER = {"user_id": "u-fin", "position": "reviewer", "unit": "FIN"}
FIN_CLERK = {"user_id": "u-fin2", "position": "clerk", "unit": "FIN"}
TOWN = {"user_id": "u-town", "position": "town_clerk", "unit": "TOWN:xintang"}
SHIWAN = {"user_id": "u-sw", "position": "town_clerk", "unit": "TOWN:shiwan"}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABh6FO1AAAAABJRU5ErkJggg=="
)


class Contracts:
    """The contracts service's answer on a confidential read (R13), as a fake of its RPC: FIN's custodian reads."""

    def __init__(self):
        self.asked = []

    @property
    def check_confidential_read(self):
        return self

    def __call__(self, actor, project_id, document, reason=None):
        self.asked.append((actor["user_id"], project_id))
        if actor["user_id"] != "fin-custodian":
            raise NotAllowed(
                "reading contract is refused: not a custodian of a holding unit and no leader's grant",
                {"basis": "none"},
            )
        return {"allowed": True, "basis": "custodian of FIN"}


@pytest.fixture
def coord(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'coordinator.db'}")
    migrations.upgrade("coordinator", engine)  # the FTS5 tables and their triggers come with the migration
    store = DocumentStore(tmp_path / "documents", POLICY.documents["documents"])
    harness = Harness(
        CoordinatorService,
        models.metadata,
        engine,
        policy=POLICY,
        documents=store,
        contracts=Contracts(),
        clock=TestClock(shanghai(2026, 12, 10)),
    )
    harness.store_root = tmp_path / "documents"
    for event in scenario():
        feed(harness, event)
    yield harness
    engine.dispose()


def kinds(answer):
    return sorted((i["kind"], i["ref"]) for i in answer["items"])


# -- the workbench ----------------------------------------------------------------------------------------------
def test_each_person_sees_what_their_unit_and_position_must_do_with_counts(coord):
    ipb = coord.workbench(CLERK)
    assert kinds(ipb) == [("convene_review", "ZS2026-0002"), ("open_accounting", "ZS2026-0001")]
    assert ipb["counts"] == {"convene_review": 1, "open_accounting": 1} and ipb["total"] == 2
    hexi = coord.workbench(HEXI_HEAD)  # negotiating in Hexi park: the park's head decides within authority
    assert kinds(hexi) == [("decide", "ZS2026-0003")]
    assert (
        coord.workbench({"user_id": "u-pc", "position": "park_clerk", "unit": "PARK:hexi"})["items"] == []
    )  # the head's
    hengdong = coord.workbench(HENGDONG_HEAD)  # O1 lapsed, its special report not filed: due 2026-11-25, overdue
    assert kinds(hengdong) == [("special_report", "ZS2026-0001")]
    assert hengdong["items"][0]["due"] == "2026-11-25" and hengdong["items"][0]["overdue"] is True
    assert coord.workbench(DRB_REVIEWER)["items"] == []  # DRB gave its opinions


def test_a_review_awaits_each_unit_that_has_not_given_its_opinion_and_only_its_reviewers(coord):
    at = shanghai(2026, 12, 1)
    feed(
        coord,
        Envelope(
            "review.convened",
            IPB,
            project_id="p2",
            occurred_at=at,
            payload={
                "ref": "ZS2026-0002",
                "required_units": ["DRB", "FIN"],
                "findings": [],
                "note": None,
                "deadline": "2026-12-15",
                "deadline_provisional": False,
                "reason": "review convened",
            },
        ),
    )
    fin = coord.workbench(FIN_REVIEWER)
    assert kinds(fin) == [("opinion", "ZS2026-0002")] and fin["items"][0]["due"] == "2026-12-15"
    assert fin["counts"] == {"opinion": 1} and fin["total"] == 1
    assert [i["ref"] for i in fin["due_soon"]] == ["ZS2026-0002"]  # due within policy's 7 days of 2026-12-10
    assert coord.workbench(FIN_CLERK)["items"] == []  # the authorization table: a clerk does not give opinions
    feed(
        coord,
        Envelope(
            "review.opinion_recorded",
            Actor("u-fin", "reviewer", "FIN"),
            project_id="p2",
            occurred_at=at + timedelta(hours=1),
            payload={"unit": "FIN", "opinion": "pass", "conditions": [], "reasons": [], "round": 1},
        ),
    )
    assert coord.workbench(FIN_REVIEWER)["items"] == [] and coord.workbench(FIN_REVIEWER)["counts"] == {}
    assert kinds(coord.workbench(DRB_REVIEWER)) == [("opinion", "ZS2026-0002")]
    assert coord.workbench(DRB_REVIEWER)["counts"] == {"opinion": 1}
    assert "convene_review" not in coord.workbench(CLERK)["counts"]


def test_what_a_person_did_is_listed_newest_first(coord):
    done = coord.workbench({"user_id": "u-drb", "position": "reviewer", "unit": "DRB"})["done"]
    assert [(d["ref"], d["type"]) for d in done] == [("ZS2026-0001", "review.opinion_recorded")]
    mine = coord.workbench(CLERK)["done"]
    assert mine[0]["type"] != "" and all(d["project_id"] for d in mine)


def test_the_to_dos_of_a_rebuilt_ledger_are_the_same(coord):
    before = [coord.workbench(who) for who in (HENGDONG_HEAD, CLERK, HEXI_HEAD)]
    coord.rebuild_ledger({"user_id": "u-d", "position": "ipb_director", "unit": "IPB"})
    after = [coord.workbench(who) for who in (HENGDONG_HEAD, CLERK, HEXI_HEAD)]
    assert [(b["items"], b["counts"]) for b in before] == [(a["items"], a["counts"]) for a in after]


def problem(event_type: str, project: str, problem_id: int, owner: str, day: int, **more) -> Envelope:
    return Envelope(
        event_type,
        IPB,
        project_id=project,
        occurred_at=shanghai(2026, 12, day),
        payload={
            "ref": None,
            "name": None,
            "responsible_unit": None,
            "problem_id": problem_id,
            "problem": f"问题{problem_id}",
            "owner": owner,
            "reason": "x",
            **more,
        },
    )


def test_a_problem_raised_awaits_its_owner_until_resolved_with_its_escalation_date(coord):
    """R11: supervision's problem is a to-do of the unit that must solve it (its owner, else the responsible unit),
    due on its escalation date, opening the project's problems; resolved, it is gone."""
    feed(coord, problem("supervision.problem_raised", "p3", 7, "unit:LAND", 8, escalation_due="2026-12-15"))
    feed(
        coord,
        problem("supervision.problem_raised", "p3", 8, "position:county_magistrate", 9, escalation_due="2026-12-16"),
    )
    land = coord.workbench({"user_id": "u-land", "position": "bureau_head", "unit": "LAND"})
    assert kinds(land) == [("resolve_problem", "ZS2026-0003")] and land["counts"] == {"resolve_problem": 1}
    (item,) = land["items"]
    assert (item["due"], item["subject"], item["problem_id"], item["operation"]) == (
        "2026-12-15",
        "问题7",
        7,
        "supervision.resolve_problem",
    )
    hexi = coord.workbench(HEXI_HEAD)  # owned by a position: the responsible unit (Hexi park) resolves it
    assert kinds(hexi) == [("decide", "ZS2026-0003"), ("resolve_problem", "ZS2026-0003")]
    assert hexi["counts"] == {"decide": 1, "resolve_problem": 1}
    assert [i["due"] for i in hexi["due_soon"]] == ["2026-12-16"]  # within policy's 7 days of 2026-12-10
    timeline = [e["kind"] for e in coord.get_project(CLERK, "p3")["timeline"]]
    assert timeline.count("supervision.problem_raised") == 2
    feed(coord, problem("supervision.problem_resolved", "p3", 7, "unit:LAND", 10, resolution="已协调"))
    assert coord.workbench({"user_id": "u-land", "position": "bureau_head", "unit": "LAND"})["counts"] == {}
    # resolved before it was heard raised (queues do not keep order): never awaited
    feed(coord, problem("supervision.problem_resolved", "p3", 9, "unit:LAND", 10, resolution="已协调"))
    feed(coord, problem("supervision.problem_raised", "p3", 9, "unit:LAND", 9, escalation_due="2026-12-16"))
    assert coord.workbench({"user_id": "u-land", "position": "bureau_head", "unit": "LAND"})["items"] == []
    # the rebuilt ledger awaits the same
    coord.rebuild_ledger({"user_id": "u-d", "position": "ipb_director", "unit": "IPB"})
    assert kinds(coord.workbench(HEXI_HEAD)) == [("decide", "ZS2026-0003"), ("resolve_problem", "ZS2026-0003")]


def test_an_ended_project_awaits_no_problem():
    row = {
        **ledger.blank("p"),
        "state": "terminated",
        "responsible_unit": "PARK:hexi",
        "problems": {"1": {"owner": "unit:LAND", "text": "x", "due": "2026-12-15", "resolved": False}},
    }
    assert workbench.awaiting(row, POLICY) == []
    row["state"] = "construction"
    assert [(e["kind"], e["unit"]) for e in workbench.awaiting(row, POLICY)] == [("resolve_problem", "LAND")]


def test_a_change_of_to_dos_rewrites_only_the_rows_that_changed_and_moves_each_count_by_its_net_change():
    def entry(unit, kind="opinion", due="2026-12-20", position=None, operation="review.record_opinion"):
        return {"unit": unit, "position": position, "kind": kind, "operation": operation, "due": due}

    reviewers = [entry("DRB"), entry("FIN"), entry("LAND")]
    # an opinion given: one row rewritten (to none), one count down; the others' rows left alone
    rewrite, counts = workbench_store.to_do_changes(reviewers, reviewers[::2])
    assert list(rewrite) == [("FIN", None, "opinion", "review.record_opinion", date(2026, 12, 20))]
    assert rewrite[("FIN", None, "opinion", "review.record_opinion", date(2026, 12, 20))] == []
    assert counts == {("FIN", "", "opinion", "review.record_opinion"): -1}
    # a deadline moved (a holiday schedule loaded): the rows rewritten under the new date, the counts unchanged
    moved = [entry("DRB", due="2026-12-22")]
    rewrite, counts = workbench_store.to_do_changes([entry("DRB")], moved)
    assert sorted(len(v) for v in rewrite.values()) == [0, 1]
    assert counts == {}
    # the same to-do twice (two entries of one key): both rewritten together, counted twice
    rewrite, counts = workbench_store.to_do_changes([], [entry("IPB", "decide", None), entry("IPB", "decide", None)])
    assert [len(v) for v in rewrite.values()] == [2] and counts == {("IPB", "", "decide", "review.record_opinion"): 2}
    # nothing changed: nothing written
    assert workbench_store.to_do_changes(reviewers, list(reviewers)) == ({}, {})


def test_the_decision_route_names_who_decides_and_signs():
    row = {
        **ledger.blank("p"),
        "state": "escalated",
        "responsible_unit": "PARK:hengdong",
        "route": {"escalated": True, "decides": ["party_secretary", "county_magistrate"], "signs": "county_magistrate"},
        "principal_decisions": ["party_secretary"],
    }
    assert [(e["unit"], e["position"]) for e in workbench.awaiting(row, POLICY)] == [("LG", "county_magistrate")]
    row.update(state="legal_review", contract_approved=True)
    assert [(e["kind"], e["position"]) for e in workbench.awaiting(row, POLICY)] == [("sign", "county_magistrate")]
    row.update(contract_approved=False)
    assert [e["kind"] for e in workbench.awaiting(row, POLICY)] == ["legal_review"]


def test_the_one_fee_awaits_its_recovering_units_and_a_write_off_the_principal_still_to_decide():
    def todo(*events):
        row = ledger.fold(
            {**ledger.blank("p"), "state": "accounting", "responsible_unit": "PARK:hengdong"},
            [
                Envelope(kind, SYSTEM, payload=payload, project_id="p", occurred_at=shanghai(2027, 3, day))
                for day, (kind, payload) in enumerate(events, 1)
            ],
            POLICY,
        )
        return [(e["kind"], e["unit"], e["position"]) for e in workbench.awaiting(row, POLICY)]

    figures = ("accounting.figures_computed", {"figures": [], "fee": "810000.00", "reason": "x"})
    report = (
        "accounting.report_issued",
        {
            "documents": [],
            "opinion": "x",
            "fee": "810000.00",
            "recovery_units": ["FIN", "LAND", "LEGAL"],
            "reason": "x",
        },
    )
    paid = (
        "accounting.recovery_recorded",
        {
            "unit": "FIN",
            "kind": "payment",
            "amount": "500000.00",
            "paid": "500000.00",
            "outstanding": "310000.00",
            "status": "outstanding",
            "reason": "x",
        },
    )
    agreed = (
        "accounting.write_off_decided",
        {
            "position": "county_magistrate",
            "decision": "agree",
            "amount": "310000.00",
            "outcome": None,
            "awaiting": ["party_secretary"],
            "reason": "x",
        },
    )
    written_off = (
        "accounting.write_off_decided",
        {
            "position": "party_secretary",
            "decision": "agree",
            "amount": "310000.00",
            "outcome": "written_off",
            "awaiting": [],
            "reason": "x",
        },
    )
    assert todo(figures) == [("accounting_report", "IPB", None)]
    recovery = [("recovery", unit, None) for unit in ("FIN", "LAND", "LEGAL")]
    assert todo(figures, report) == todo(figures, report, paid) == recovery
    assert todo(figures, report, paid, agreed) == recovery + [("write_off", "LG", "party_secretary")]
    assert todo(figures, report, paid, agreed, written_off) == []
    settled = (
        "accounting.recovery_recorded",
        {**paid[1], "paid": "810000.00", "outstanding": "0.00", "status": "settled"},
    )
    assert todo(figures, report, settled) == []
    no_fee = ("accounting.report_issued", {**report[1], "fee": "0.00", "recovery_units": []})
    assert todo(figures, no_fee) == []


# -- search ----------------------------------------------------------------------------------------------------
def test_search_finds_a_project_by_two_characters_three_and_more_and_the_credit_code(coord):
    code = "91430400MA4L12345X"
    payload = {
        **lead_payload("ZS2026-0004", "年产5万吨铝型材项目", "90000000"),
        "credit_code": code,
        "investor_name": "湖南衡东铝业有限公司",
    }
    feed(
        coord,
        Envelope("intake.lead_registered", IPB, project_id="p4", payload=payload, occurred_at=shanghai(2026, 12, 2)),
    )
    assert [h["ref"] for h in coord.search(CLERK, {"q": "铝型"})["items"]][0] == "ZS2026-0004"  # two characters
    assert [h["ref"] for h in coord.search(CLERK, {"q": "铝型材"})["items"]] == ["ZS2026-0004"]
    assert [h["ref"] for h in coord.search(CLERK, {"q": "衡东铝业"})["items"]] == ["ZS2026-0004"]  # the investor
    assert [h["ref"] for h in coord.search(CLERK, {"q": code})["items"]] == ["ZS2026-0004"]
    assert [h["ref"] for h in coord.search(CLERK, {"q": "MA4L"})["items"]] == ["ZS2026-0004"]
    assert coord.search(CLERK, {"q": "冷链", "state": "filed"})["items"][0]["ref"] == "ZS2026-0002"
    assert coord.search(CLERK, {"q": "冷链", "state": "lead"})["items"] == []
    assert coord.search(CLERK, {"q": "项目", "year": 2025})["items"] == []
    assert [h["ref"] for h in coord.search(CLERK, {"q": "项目", "unit": "PARK:hexi"})["items"]] == ["ZS2026-0003"]


def test_search_ranks_a_name_that_starts_with_the_fragment_first(coord):
    for i, name in enumerate(["新型建材二期项目", "建材物流园项目"]):
        feed(
            coord,
            Envelope(
                "intake.lead_registered",
                IPB,
                project_id=f"r{i}",
                occurred_at=shanghai(2026, 12, 3),
                payload=lead_payload(f"ZS2026-01{i}", name, "50000000"),
            ),
        )
    assert [h["name"] for h in coord.search(CLERK, {"q": "建材"})["items"]][0] == "建材物流园项目"


def test_a_lead_is_found_only_by_whom_may_read_it(coord):
    feed(
        coord,
        Envelope(
            "intake.lead_registered",
            Actor("u-town", "town_clerk", "TOWN:xintang"),
            project_id="p5",
            occurred_at=shanghai(2026, 12, 4),
            payload=lead_payload(
                "ZS2026-0005", "中药材加工项目", "20000000", ("town", "xintang"), "C2730", "TOWN:xintang"
            ),
        ),
    )
    assert [h["ref"] for h in coord.search(TOWN, {"q": "药材"})["items"]] == ["ZS2026-0005"]
    assert coord.search(SHIWAN, {"q": "药材"})["items"] == []  # another town's lead
    assert coord.search(DRB_REVIEWER, {"q": "药材"})["items"] == []
    # need-to-know (R15): a bureau finds the projects it reviews, not one whose review is not convened yet
    assert coord.search(DRB_REVIEWER, {"q": "冷链"})["items"] == []
    assert [h["ref"] for h in coord.search(DRB_REVIEWER, {"q": "建材"})["items"]] == ["ZS2026-0003"]
    assert coord.search(HENGDONG_HEAD, {"q": "建材"})["items"] == []  # Hexi park's project


def test_search_refuses_a_bad_query_naming_the_field(coord):
    with pytest.raises(InvalidInput) as bad:
        coord.search(CLERK, {"q": ""})
    assert "q" in bad.value.details
    with pytest.raises(InvalidInput) as bad:
        coord.search(CLERK, {"q": "项目", "state": "nowhere"})
    assert "state" in bad.value.details


# -- attachments -------------------------------------------------------------------------------------------------
def upload(kind, content, filename="file.pdf", note=None):
    return {"kind": kind, "filename": filename, "content_base64": base64.b64encode(content).decode(), "note": note}


def stored(coord) -> list:
    return sorted(p.name for p in coord.store_root.rglob("*") if p.is_file()) if coord.store_root.exists() else []


def test_an_attachment_is_stored_with_its_checksum_listed_and_read_back(coord):
    added = coord.attach(CLERK, "p2", upload("business_licence", PDF, "营业执照.pdf"))
    assert added["sha256"] == hashlib.sha256(PDF).hexdigest() and added["content_type"] == "application/pdf"
    listing = coord.attachments(CLERK, "p2")
    assert [a["id"] for a in listing["items"]] == [added["id"]]
    assert {k["kind"] for k in listing["may_attach"]} == {"business_licence", "proposal"}
    read = coord.attachment_document(TOWN, "p2", added["id"])  # the town's own project
    assert base64.b64decode(read["content_base64"]) == PDF and read["sha256"] == added["sha256"]
    with pytest.raises(NotAllowed):  # need-to-know (R15): not a project of another town
        coord.attachment_document(SHIWAN, "p2", added["id"])


def test_a_bad_file_is_refused_naming_the_rule_and_nothing_is_stored(coord):
    for content, name, rule in [
        (b"MZ\x90\x00not a pdf at all", "licence.pdf", "by its content"),
        (b"", "licence.pdf", "is empty"),
        (PNG, "proposal.pdf", "is a png file by its content"),
    ]:
        kind = "proposal" if name.startswith("proposal") else "business_licence"
        with pytest.raises(InvalidInput) as bad:
            coord.attach(CLERK, "p2", upload(kind, content, name))
        assert any(rule in r for r in bad.value.details["file.content"]), bad.value.details
    big = PDF + b"0" * POLICY.get("documents.attachments.max_size_bytes")
    with pytest.raises(InvalidInput) as bad:
        coord.attach(CLERK, "p2", upload("business_licence", big))
    assert "the limit is" in bad.value.details["file.content"][0]
    assert stored(coord) == [] and coord.attachments(CLERK, "p2")["items"] == []


def test_an_attachment_is_attached_only_while_its_stage_is_open_and_by_whom_the_table_names(coord):
    with pytest.raises(Conflict):  # p1 is under construction: its business licence's stage is closed
        coord.attach(CLERK, "p1", upload("business_licence", PDF))
    with pytest.raises(NotAllowed):  # a photo of the site: the responsible park, not another
        coord.attach(HEXI_HEAD, "p1", upload("site_photo", PNG, "site.png"))
    photo = coord.attach(HENGDONG_HEAD, "p1", upload("site_photo", PNG, "site.png"))
    newer = coord.call("attach", HENGDONG_HEAD, "p1", upload("site_photo", PNG + b"\x00", "site2.png"), photo["id"])
    items = coord.attachments(CLERK, "p1")["items"]
    assert [(a["id"], a["replaced_by"]) for a in items] == [(newer["id"], None), (photo["id"], newer["id"])]
    with pytest.raises(Conflict):  # a superseded version is not replaced again
        coord.call("attach", HENGDONG_HEAD, "p1", upload("site_photo", PNG, "site3.png"), photo["id"])


def test_the_signed_contract_s_scan_is_read_under_the_contract_s_confidentiality(coord):
    with Session(coord.engine) as s:  # p1 back in filed_copies, where the scan is attached
        s.execute(models.projects.update().where(models.projects.c.id == "p1").values(state="filed_copies"))
        s.commit()
    scan = coord.attach(CLERK, "p1", upload("signed_contract", PDF, "合同.pdf"))
    with pytest.raises(NotAllowed):
        coord.attachment_document(CLERK, "p1", scan["id"])
    read = coord.attachment_document(
        {"user_id": "fin-custodian", "position": "custodian:FIN", "unit": "FIN"}, "p1", scan["id"]
    )
    assert base64.b64decode(read["content_base64"]) == PDF
    with pytest.raises(NotFound):
        coord.attachment_document(CLERK, "p2", scan["id"])  # another project's attachment is not found by this one


# -- what the web app shows each position: the authorization table, as the services enforce it -----------------------
def test_each_position_s_operations_are_the_authorization_table_s():
    from services.gateway.workbench_routes import allowed_operations

    clerk = allowed_operations(Actor("u", "ipb_clerk", "IPB"), POLICY.authority)
    assert clerk["intake.file_project"] == "always" and "negotiation.decide" not in clerk
    head = allowed_operations(Actor("u", "park_head:hengdong", "PARK:hengdong"), POLICY.authority)
    assert head["negotiation.decide"] == "always" and head["review.record_opinion"] == "always"
    assert head["contracts.record_progress"] == "own" and "intake.file_project" not in head
    reviewer = allowed_operations(Actor("u", "reviewer", "DRB"), POLICY.authority)
    assert "negotiation.decide" not in reviewer and "coordinator.read_ledger" not in reviewer
    for actor in (
        Actor("u", "ipb_clerk", "IPB"),
        Actor("u", "park_head:hengdong", "PARK:hengdong"),
        Actor("u", "reviewer", "DRB"),
        Actor("u", "county_magistrate", "LG"),
    ):
        ops = allowed_operations(actor, POLICY.authority)
        for operation in POLICY.authority:  # "always" exactly where the table admits the actor on any record
            assert (ops.get(operation) == "always") == is_allowed(
                actor,
                operation,
                POLICY.authority,
                **{k: "elsewhere" for k in ("responsible_unit", "owner_unit", "task_unit", "park")},
            ), operation
