"""``zhaoshang demo``: sample projects through their whole life, against a running platform, as its users would.

A 45-mu project in Hengdong park from lead to archives (review with conditions, two negotiation sessions, the
park head's decision, the contract returned once by LEGAL then signed, its 8 copies filed, construction, an
obligation lapsing, the accounting, recovery and the hand-over to ARCH); a 75-mu project escalated to the
principals and then terminated with its special report; a project in an eliminated sector rejected at review;
then the notifications the first project sent, the ledger, the reserve and the LG's targets; last the Leading Group's
roster imported, an investment event held and linked to the lead it brought, the land reserve's parcels imported and
matched to a lead, and the LG's assessment of the units.  All of it is said from the message catalogue in the
language the demo asks the API to answer in (Chinese unless ``--lang en``).  Each actor it plays is a user
provisioned over the bus who signs in through the gateway like anyone.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request

from shared.config import load_config
from shared.i18n import _
from zhaoshang.cli import OPERATOR


class ApiError(SystemExit):
    """An HTTP error answer of the gateway (shown, and ends the command, if not caught)."""

    def __init__(self, method: str, path: str, status: int, text: str):
        super().__init__(f"{method} {path} -> {status}: {text}")
        self.status = status
        try:
            self.body = json.loads(text)
        except ValueError:
            self.body = {"message": text}


def _refused(base: str, method: str, path: str, actor: dict, body: dict | None = None) -> str:
    """Call what must be refused; return the refusal's message."""
    try:
        _call(base, method, path, actor, body)
    except ApiError as refused:
        return f"{refused.status} {refused.body.get('message')}"
    raise SystemExit(f"demo: {method} {path} should have been refused")


class DemoPeople:
    """The demo's people: each actor it plays becomes a user (provisioned over the bus as the operator's
    command line does) who signs in through the gateway like anyone; requests carry the session token."""

    def __init__(self):
        import secrets

        self.password = secrets.token_urlsafe(12) + "-7a"
        self.tokens: dict[tuple, str] = {}
        self.users: dict[str, tuple] = {}
        self.rpc = None

    def token(self, base: str, actor: dict) -> str:
        key = (actor["user_id"], actor["position"], actor["unit"])
        if key not in self.tokens:
            user_id = actor["user_id"]
            if self.users.setdefault(user_id, key) != key:  # one demo name playing two positions: two users
                user_id = f"{user_id}~{actor['position']}~{actor['unit']}".replace(":", ".")[:64]
            name = actor.get("name") or DEMO_NAMES.get(actor["user_id"]) or user_id
            self._provision(
                {
                    "user_id": user_id,
                    "name": name,
                    "position": actor["position"],
                    "unit": actor["unit"],
                    "password": self.password,
                }
            )
            request = urllib.request.Request(
                base + "/api/sessions",
                method="POST",
                headers={"Content-Type": "application/json"},
                data=json.dumps({"user_id": user_id, "password": self.password}).encode(),
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                self.tokens[key] = json.loads(response.read())["token"]
        return self.tokens[key]

    def _provision(self, user: dict) -> None:
        from nameko.standalone.rpc import ClusterRpcProxy

        import shared.rpc  # noqa: F401  (typed errors and messages cross RPC as themselves)

        if self.rpc is None:
            self._cluster = ClusterRpcProxy(load_config(), timeout=30)
            self.rpc = self._cluster.start()
        self.rpc.gateway.provision_user(OPERATOR, user)


PEOPLE = DemoPeople()


DEMO_LANGUAGE = "zh-CN"
"""The language the demo asks the API to answer in: Chinese, as the county's staff read it (``--lang en`` for
English).  The demo's own narration comes from the message catalogue in the same language (units, positions, states and
sectors by their names, amounts in 万元, land in 亩, times in Asia/Shanghai), and what the API says (its refusals,
the reasons of a route, the formulas of the figures, a timeline) is printed as it answers."""

DEMO_NAMES = {
    "demo-clerk": "刘文员",
    "demo-drb": "发改局审查员",
    "demo-ind": "工信局审查员",
    "demo-fin": "财政局局长",
    "demo-epb": "环保局审查员",
    "demo-land": "国土局局长",
    "demo-plan": "规划局审查员",
    "demo-park": "冯主任",
    "demo-legal": "法制办干部",
    "demo-audit": "审计局审计员",
    "demo-admin": "系统管理员",
    "demo-park-clerk": "园区干事",
    "demo-county_magistrate": "县长",
    "demo-party_secretary": "县委书记",
    "demo-ipb_director": "招商局局长",
    "demo-county_leader_in_charge": "分管县领导",
    "demo-park_head-hengdong": "冯主任",
    "demo-bureau_head": "局长",
    "demo-legal_director": "法制办主任",
    "demo-gov_office_director": "政府办主任",
    "fin-archivist": "财政局档案员",
    "curious": "工信局干部",
}
"""Who the demo's people are (each signs in under a name, as the county's people do; timelines name them)."""


def _headers(base: str, actor: dict) -> dict:
    return {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {PEOPLE.token(base, actor)}",
        "Accept-Language": DEMO_LANGUAGE,
    }


def _call(base: str, method: str, path: str, actor: dict, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=_headers(base, actor))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise ApiError(method, path, exc.code, exc.read().decode()) from None


SAMPLE_LEAD = {
    "investor": {"name": "湖南恒达新材料有限公司", "kind": "domestic", "credit_code": "91430100MA4L0XXX0Q"},
    "contact": {"name": "王经理", "phone": "0731-88886666", "email": "wang@example.com"},
    "project_name": "年产5万吨高性能铝合金型材项目",
    "sector": "C3252",
    "planned_total_investment": "150000000",
    "planned_fixed_asset_investment": "120000000",
    "land_demand": {"value": "40000", "unit": "m2"},
    "preferred_location": {"kind": "park", "id": "hengdong"},
    "source_channel": "fair",
    "notes": "示例项目",
    "confirmed_new": True,
}


def sample_lead(n: int = 1, **changes) -> dict:
    """A sample lead (the n-th sample investor) with a valid credit code (check character computed)."""
    from services.intake.domain import uscc_check_character

    lead = json.loads(json.dumps(SAMPLE_LEAD))
    lead.update(changes)
    first17 = lead["investor"]["credit_code"][:16] + str(n % 10)
    lead["investor"]["credit_code"] = first17 + uscc_check_character(first17)
    if n != 1:
        lead["investor"]["name"] = f"示例投资者{n}有限公司"
    return lead


class DemoError(Exception):
    pass


def _try(base, method, path, actor, body=None):
    try:
        return _call(base, method, path, actor, body)
    except SystemExit as exc:
        raise DemoError(str(exc)) from None


def _until(what: str, attempt, timeout: float = 30):
    """Retry ``attempt`` until it returns a truthy value (events take a moment to travel)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = attempt()
            if result:
                return result
        except DemoError as exc:
            last = exc
        time.sleep(0.3)
    raise SystemExit(f"demo: {what} did not happen within {timeout:.0f} s ({last})")


CLERK = {"user_id": "demo-clerk", "position": "ipb_clerk", "unit": "IPB"}
REVIEWERS = [
    ({"user_id": "demo-drb", "position": "reviewer", "unit": "DRB"}, {"opinion": "pass"}),
    (
        {"user_id": "demo-ind", "position": "reviewer", "unit": "IND"},
        {"opinion": "conditional", "conditions": ["投产后三年内研发投入不低于营业收入的3%"]},
    ),
    ({"user_id": "demo-fin", "position": "reviewer", "unit": "FIN"}, {"opinion": "pass"}),
    (
        {"user_id": "demo-epb", "position": "reviewer", "unit": "EPB"},
        {"opinion": "conditional", "conditions": ["编制环境影响报告表并取得批复后方可开工"]},
    ),
    ({"user_id": "demo-land", "position": "reviewer", "unit": "LAND"}, {"opinion": "pass"}),
    ({"user_id": "demo-plan", "position": "reviewer", "unit": "PLAN"}, {"opinion": "pass"}),
    ({"user_id": "demo-park", "position": "park_head:hengdong", "unit": "PARK:hengdong"}, {"opinion": "pass"}),
]


def _file_and_review(base: str, lead_body: dict) -> dict:
    lead = _try(base, "POST", "/api/leads", CLERK, lead_body)
    _say(
        _(
            "registered lead {ref}: {name} ({sector:sector}, {mu:mu})",
            ref=lead["ref"],
            name=lead["project_name"],
            sector=lead["sector"],
            mu=lead["land_mu"],
        ),
        0,
    )
    _try(base, "POST", f"/api/leads/{lead['id']}/file", CLERK, {"reason": "材料齐全，予以立项"})
    _say(_("filed by {unit:unit}", unit="IPB"))
    review = _try(base, "POST", f"/api/projects/{lead['id']}/review", CLERK, {"note": "召集联合审查"})
    units, deadline = review["required_units"], review["deadline"]
    _say(
        _("review convened: units {units:units}; deadline {date:date} (provisional)", units=units, date=deadline)
        if review["deadline_provisional"]
        else _("review convened: units {units:units}; deadline {date:date}", units=units, date=deadline)
    )
    for finding in review["findings"]:
        _say(
            _(
                "check {check:check}: {verdict:verdict} — {reason}",
                check=finding["check"],
                verdict=finding["verdict"],
                reason=finding["reason"],
            ),
            2,
        )
    return lead


def _print_project(base: str, lead: dict, state: str) -> None:
    project = _until(
        f"the coordinator reaching {state!r}",
        lambda: (p := _try(base, "GET", f"/api/projects/{lead['id']}", CLERK))["state"] == state and p,
    )
    _say(
        _(
            "project {ref} — state: {state:state}; next: {next:triggers}",
            ref=project["ref"],
            state=project["state"],
            next=project["allowed_next"],
        )
        if project["allowed_next"]
        else _("project {ref} — state: {state:state} (final)", ref=project["ref"], state=project["state"]),
        0,
    )
    _say(_("timeline (Asia/Shanghai):"))
    for step in project["timeline"]:
        _say(
            _(
                "{at:datetime}  {summary} by {who}  {reason}",
                at=step["at"],
                summary=step["summary"],
                who=step["who"],
                reason=step.get("reason") or "",
            ),
            2,
        )
    print()


def _approve(base: str, lead: dict) -> None:
    for actor, opinion in REVIEWERS:
        if actor["unit"].startswith("PARK:"):
            actor = {
                **actor,
                "unit": f"PARK:{lead['preferred_location']['id']}",
                "position": f"park_head:{lead['preferred_location']['id']}",
            }
        review = _try(base, "POST", f"/api/projects/{lead['id']}/review/opinions", actor, opinion)
        _say(
            _(
                "{unit:unit}: {opinion:opinion} {conditions:clauses}",
                unit=actor["unit"],
                opinion=opinion["opinion"],
                conditions=opinion.get("conditions", []),
            )
        )
    _say(
        _(
            "review {state:review_state}: {outcome:outcome}, {n} conditions carried forward",
            state=review["state"],
            outcome=review["outcome"],
            n=len(review["conditions"]),
        )
    )


def _negotiate(base: str, lead: dict, sessions: list[dict]) -> dict:
    pid = lead["id"]
    _try(base, "POST", f"/api/projects/{pid}/intermediary", CLERK, {"none": True})
    _say(_("intermediary: none (recorded by {unit:unit})", unit="IPB"))
    ranking = _try(base, "GET", f"/api/projects/{pid}/responsible-unit/ranking", CLERK)
    for c in ranking:
        _say(_("rank {rank}: {unit:unit} — {why}", rank=c["rank"], unit=c["unit"], why=c["why"]), 2)
    _try(base, "POST", f"/api/projects/{pid}/responsible-unit", CLERK, {"unit": ranking[0]["unit"]})
    _say(_("responsible unit: {unit:unit} (confirmed by {by:unit})", unit=ranking[0]["unit"], by="IPB"))
    for body in sessions:
        negotiation = _try(base, "POST", f"/api/projects/{pid}/negotiation/sessions", CLERK, body)
        _say(_session(negotiation, body["stage"], body["agreed"]))
    route = _try(base, "GET", f"/api/projects/{pid}/decision-route", CLERK)
    recommends = _("; recommended by {position:position}", position=route["recommends"]) if route["recommends"] else ""
    _say(
        _(
            "decision route: escalated — decided by {decides:positions}{recommends}; signed by {signs:position}",
            decides=route["decides"],
            recommends=recommends,
            signs=route["signs"],
        )
        if route["escalated"]
        else _(
            "decision route: within authority — decided by {decides:positions}{recommends}; signed by {signs:position}",
            decides=route["decides"],
            recommends=recommends,
            signs=route["signs"],
        )
    )
    for reason in route["reasons"]:
        _say(_("· {reason}", reason=reason), 2)
    return route


def _session(negotiation: dict, stage: str, agreed: list):
    """A negotiation session as said: its number, stage, who led it and what was agreed."""
    return _(
        "session {n} ({stage:session_stage}) led by {lead:position}: agreed {agreed:clauses}",
        n=len(negotiation["sessions"]),
        stage=stage,
        lead=negotiation["session_lead"],
        agreed=agreed,
    )


CUSTODIANS = {  # unit -> (head position, custodian user, name, cabinet)
    "GOV": ("gov_office_director", "gov-archivist", "政府办 档案员", "政府办 机要室 A-01"),
    "IPB": ("ipb_director", "ipb-archivist", "招商局 档案员", "招商局 档案柜 2号"),
    "FIN": ("bureau_head", "fin-archivist", "财政局 档案员", "财政局 合同柜 F-3"),
    "LAND": ("bureau_head", "land-archivist", "国土局 档案员", "国土局 合同柜 L-1"),
    "LEGAL": ("legal_director", "legal-archivist", "法制办 档案员", "法制办 档案柜 1号"),
    "IND": ("bureau_head", "ind-archivist", "工信局 档案员", "工信局 合同柜 I-2"),
}


def _contract_to_construction(base: str, lead: dict, signatory: str, responsible_unit: str) -> None:
    """R6, R13, R7: draft from the decided terms → LEGAL → signed by the routed signatory → 8 copies filed →
    construction; the obligations signing created."""
    import datetime as dt

    from shared.clock import today_shanghai

    pid = lead["id"]
    today = today_shanghai()

    def after(days: int) -> str:  # dates from the signing day on: signing refuses an obligation due before it
        return (today + dt.timedelta(days=days)).isoformat()

    terms = {
        "construction_start": after(90),
        "completion": after(455),
        "production": after(575),
        "obligations": [
            {"id": "O1", "text": "取得项目用地并缴清土地出让金", "due": after(60), "party": "investor"},
            {"id": "O2", "text": "取得环境影响评价批复", "due": after(75), "party": "investor"},
        ],
    }
    contract = _try(base, "POST", f"/api/projects/{pid}/contract/versions", CLERK, terms)
    decided = contract["decided_terms"]
    _say(
        _(
            "contract v{version} drafted by {unit:unit} (a Word document) from the decided terms: {mu:mu}, "
            "{total:wan}, intensity {intensity:intensity}; party A: {party_a}",
            version=contract["versions"][-1]["version"],
            unit="IPB",
            mu=decided["land_mu"],
            total=decided["total_investment"],
            intensity=decided["intensity_wan_per_mu"],
            party_a=contract["party_a"],
        )
    )
    refusal = _refused(base, "POST", f"/api/projects/{pid}/contract/versions", CLERK, {**terms, "land_mu": "80"})
    _say(_("{unit:unit} drafts a version at {mu:mu}: refused — {refusal}", unit="IPB", mu="80", refusal=refusal))
    _try(base, "POST", f"/api/projects/{pid}/contract/submission", CLERK, {"version": 1})
    legal = {"user_id": "demo-legal", "position": "legal_officer", "unit": "LEGAL"}
    _try(
        base,
        "POST",
        f"/api/projects/{pid}/contract/legal-review",
        legal,
        {"version": 1, "decision": "return", "comments": ["第七条违约责任需明确违约金计算方式"]},
    )
    _say(
        _(
            "{unit:unit} returns v{version}: {comment}",
            unit="LEGAL",
            version=1,
            comment="第七条违约责任需明确违约金计算方式",
        )
    )
    terms["other_terms"] = ["乙方逾期开工的，按日支付合同总投资万分之一的违约金"]
    _try(base, "POST", f"/api/projects/{pid}/contract/versions", CLERK, terms)
    _try(base, "POST", f"/api/projects/{pid}/contract/submission", CLERK, {"version": 2})
    _try(base, "POST", f"/api/projects/{pid}/contract/legal-review", legal, {"version": 2, "decision": "approve"})
    _say(_("v{version} drafted, submitted, approved by {unit:unit}", version=2, unit="LEGAL"))
    refusal = _refused(
        base,
        "POST",
        f"/api/projects/{pid}/contract/signature",
        _leader("county_magistrate"),
        {"version": 2, "investor_signatory": {"name": "张总", "title": "董事长"}},
    )
    _say(_("{position:position} tries to sign: refused — {refusal}", position="county_magistrate", refusal=refusal))
    signed = _try(
        base,
        "POST",
        f"/api/projects/{pid}/contract/signature",
        _leader(signatory, responsible_unit),
        {"version": 2, "investor_signatory": {"name": "张总", "title": "董事长"}},
    )
    _say(
        _(
            "v{version} signed by {position:position} and the investor; obligations: {obligations:clauses}",
            version=2,
            position=signatory,
            obligations=[
                _("{key} {text} (due {due:date})", key=o["key"], text=o["text"], due=o["due"])
                for o in signed["obligations"]
            ],
        )
    )
    custodians = dict(CUSTODIANS)
    custodians[responsible_unit] = (
        f"park_head:{responsible_unit[5:]}",
        "park-archivist",
        "园区 档案员",
        "园区管委会 档案柜 P-1",
    )
    for unit, (head, user, name, cabinet) in custodians.items():
        _try(
            base,
            "PUT",
            f"/api/custodians/{unit}",
            _leader(head, unit),
            {"user_id": user, "name": name, "cabinet": cabinet},
        )
    _say(_("custodians and cabinets designated by {n} units", n=len(custodians)))
    refusal = _refused(
        base,
        "POST",
        f"/api/projects/{pid}/contract/copies",
        CLERK,
        {"copies": [{"number": n, "unit": u} for n, u in enumerate(list(custodians)[:6], 1)]},
    )
    _say(_("{n} copies: refused — {refusal}", n=6, refusal=refusal))
    copies = [{"number": n, "unit": u} for n, u in enumerate(list(custodians) + ["IPB"], 1)]
    filed = _try(base, "POST", f"/api/projects/{pid}/contract/copies", CLERK, {"copies": copies})
    _say(
        _(
            "filed: {copies:list}",
            copies=[_("No.{number} {unit:unit}", number=c["number"], unit=c["unit"]) for c in filed["copies"]],
        )
    )
    _try(base, "POST", f"/api/projects/{pid}/contract/hand-over", CLERK)
    _say(_("handed over to {unit:unit} for construction", unit=responsible_unit))
    fin = {"user_id": "fin-archivist", "position": "archivist", "unit": "FIN"}
    read = _try(base, "POST", f"/api/projects/{pid}/contract/reading", fin, {"reason": "核对合同条款"})
    _say(_("the custodian of {unit:unit} reads the contract ({basis})", unit="FIN", basis=read["basis"]))
    refusal = _refused(
        base,
        "POST",
        f"/api/projects/{pid}/contract/reading",
        {"user_id": "curious", "position": "clerk", "unit": "IND"},
        {"reason": "想看看"},
    )
    _say(_("a clerk of {unit:unit} without a grant: refused — {refusal}", unit="IND", refusal=refusal))
    trail = _try(base, "GET", f"/api/projects/{pid}/contract/audit", _leader("ipb_director", "IPB"))
    _say(_("audit trail: {n} entries, the last at {at:datetime}", n=len(trail), at=trail[-1]["at"]))
    checked = _try(base, "POST", "/api/contracts/check-obligations", CLERK)["changed"]
    contract = _try(base, "GET", f"/api/projects/{pid}/contract", CLERK)
    due = min(contract["obligations"], key=lambda item: item["due"])
    _say(
        _(
            "obligations checked today: {n} lapsed; the first due is {key} ({text}) on {due:date}, supervised by "
            "{unit:unit}",
            n=checked,
            key=due["key"],
            text=due["text"],
            due=due["due"],
            unit=responsible_unit,
        )
    )
    _print_project(base, lead, "construction")


def _download(base: str, path: str, actor: dict, target) -> int:
    request = urllib.request.Request(base + path, headers=_headers(base, actor))
    with urllib.request.urlopen(request, timeout=30) as response:
        data = response.read()
    target.write_bytes(data)
    return len(data)


def _account_and_archive(base: str, lead: dict, out_dir) -> None:
    """R12 then R13's last step: accounting, the report to a file, recovery, closing, hand-over to ARCH."""
    from pathlib import Path

    pid = lead["id"]
    _try(base, "POST", f"/api/projects/{pid}/accounting", CLERK, {"reason": "合同约定建设期满，开展投资核算"})
    _say(
        _(
            "accounting opened by {unit:unit} with {units:units}",
            unit="IPB",
            units=["FIN", "DRB", "IND", "LAND", "AUDIT", f"PARK:{lead['preferred_location']['id']}"],
        )
    )
    audit = {"user_id": "demo-audit", "position": "auditor", "unit": "AUDIT"}
    land = {"user_id": "demo-land", "position": "bureau_head", "unit": "LAND"}
    refusal = _refused(
        base, "PUT", f"/api/projects/{pid}/accounting/actual-fai", land, {"amount": "90000000", "basis": "x"}
    )
    _say(
        _(
            "{unit:unit} tries to enter the actual fixed-asset investment: refused — {refusal}",
            unit="LAND",
            refusal=refusal,
        )
    )
    _try(
        base,
        "PUT",
        f"/api/projects/{pid}/accounting/actual-fai",
        audit,
        {"amount": "90000000", "basis": "县审计局审计报告〔2026〕31号"},
    )
    result = _try(
        base,
        "PUT",
        f"/api/projects/{pid}/accounting/land-used",
        land,
        {"land": {"value": "30000", "unit": "m2"}, "basis": "县国土资源局实测"},
    )
    for item in result["figures"]:
        _say(
            _(
                "{name}: {value} = {formula}",
                name=_figure_name(item["name"]),
                value=_figure_value(item["value"], item["unit"]),
                formula=item["formula"],
            ),
            2,
        )
    issued = _try(base, "POST", f"/api/projects/{pid}/accounting/report", CLERK, {})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for kind in ("docx", "pdf"):
        target = out / f"{lead['ref']}-accounting.{kind}"
        size = _download(base, f"/api/projects/{pid}/accounting/report.{kind}", CLERK, target)
        _say(_("report written to {path} ({size} bytes)", path=str(target), size=size))
    _say(_("opinion: {opinion}", opinion=issued["report"]["opinion"]))
    _recover(base, pid, issued["receivable"])
    _try(base, "POST", f"/api/projects/{pid}/contract/archives", CLERK, {"note": "移交县档案局"})
    _say(_("contract handed to {unit:unit}", unit="ARCH"))
    _print_project(base, lead, "archived")


def _figure_name(name: str):
    """An accounting figure's name (the accounting answers with its code)."""
    names = {
        "actual_fixed_asset_investment": _("actual fixed-asset investment"),
        "land_used": _("land used"),
        "actual_intensity": _("actual investment intensity"),
        "contracted_intensity": _("contracted investment intensity"),
        "reasonable_land": _("reasonable land"),
        "excess_land": _("land in excess of the reasonable land"),
        "delisting_price": _("the land's delisting price"),
        "fee_to_recover": _("fee to recover"),
    }
    return names.get(name, name)


def _figure_value(value: str, unit: str):
    """An accounting figure's value in the county's units: money in 万元, land in 亩, intensity in 万元/亩."""
    if unit == "yuan":
        return _("{value:wan}", value=value)
    if unit == "yuan/mu":
        return _("{value:wan} per mu", value=value)
    if unit == "mu":
        return _("{value:mu}", value=value)
    if unit == "万元/亩":
        return _("{value:intensity}", value=value)
    return _("{value} {unit}", value=value, unit=unit)


def _recover(base: str, pid: str, owed: dict) -> None:
    """R12: the fee is one receivable; FIN, LAND and LEGAL record against it, the principals write off the rest."""
    path = f"/api/projects/{pid}/accounting"
    _say(
        _(
            "the fee is one receivable: {amount:yuan} owed by the investor — {roles:clauses}",
            amount=owed["amount"],
            roles=[_("{unit:unit}: {role}", unit=r["unit"], role=r["role"]) for r in owed["roles"]],
        )
    )
    fin = {"user_id": "demo-fin", "position": "bureau_head", "unit": "FIN"}
    legal = {"user_id": "demo-legal", "position": "legal_officer", "unit": "LEGAL"}
    land = {"user_id": "demo-land", "position": "bureau_head", "unit": "LAND"}
    paid = _try(
        base,
        "POST",
        f"{path}/recovery",
        fin,
        {"amount": "500000.00", "voucher": "FIN-2026-031", "note": "投资方缴纳第一笔"},
    )["receivable"]
    _say(
        _(
            "{unit:unit} records {amount:yuan} paid (voucher {voucher}): {outstanding:yuan} outstanding",
            unit="FIN",
            amount="500000.00",
            voucher="FIN-2026-031",
            outstanding=paid["outstanding"],
        )
    )
    _try(base, "POST", f"{path}/recovery", land, {"note": "已向投资方送达超出合理用地处置通知"})
    _say(_("{unit:unit} records its act on the land (no money): a notice on the excess land served", unit="LAND"))
    refusal = _refused(base, "POST", f"{path}/recovery", legal, {"amount": "400000.00", "note": "法院执行款"})
    _say(_("{unit:unit} records {amount:yuan}: refused — {refusal}", unit="LEGAL", amount="400000.00", refusal=refusal))
    paid = _try(base, "POST", f"{path}/recovery", legal, {"amount": "300000.00", "note": "法院强制执行到位"})[
        "receivable"
    ]
    _say(
        _(
            "{unit:unit} records {amount:yuan} recovered by court enforcement: {outstanding:yuan} outstanding",
            unit="LEGAL",
            amount="300000.00",
            outstanding=paid["outstanding"],
        )
    )
    for position in ("county_magistrate", "party_secretary"):
        result = _try(
            base,
            "POST",
            f"{path}/write-off",
            _leader(position),
            {"decision": "agree", "reason": "余款系企业破产清算后无法追回部分，经县委常委会研究同意核销"},
        )
        _say(
            _(
                "{position:position} agrees to write off the remaining {amount:yuan} (with a reason)",
                position=position,
                amount=paid["outstanding"],
            )
        )
    owed = result["receivable"]
    statuses = {
        "outstanding": _("receivable outstanding"),
        "settled": _("receivable settled"),
        "written_off": _("receivable written off"),
    }
    states = {"open": _("accounting open"), "closed": _("accounting closed")}
    _say(
        _(
            "{status}: {paid:yuan} paid + {written_off:yuan} written off = {amount:yuan}; {state}",
            status=statuses.get(owed["status"], owed["status"]),
            paid=owed["paid"],
            written_off=owed["written_off"],
            amount=owed["amount"],
            state=states.get(result["state"], result["state"]),
        )
    )


def _leader(position: str, unit: str = "LG") -> dict:
    return {"user_id": f"demo-{position.replace(':', '-')}", "position": position, "unit": unit}


ADMIN = {"user_id": "demo-admin", "position": "ipb_admin", "unit": "IPB"}
PARK_CLERK = {"user_id": "demo-park-clerk", "position": "park_clerk", "unit": "PARK:hengdong"}


def _local_receivers(base: str):
    """An SMTP server and a group-robot receiver on localhost; IPB's administrator points the channels at them."""
    from zhaoshang.receivers import LocalMailbox, LocalRobot

    mailbox = LocalMailbox().start()
    robot = LocalRobot(mailbox=mailbox).start()
    _try(
        base,
        "PUT",
        "/api/notifications/channels/email",
        ADMIN,
        {"settings": {"host": mailbox.host, "port": mailbox.port, "sender": "zhaoshang@demo.local", "timeout": 5}},
    )
    _try(base, "PUT", "/api/notifications/channels/webhook", ADMIN, {"settings": {"url": robot.url, "format": "text"}})
    _say(
        _(
            "notification channels (set by {position:position}): e-mail to the demo's SMTP server {smtp}; webhook to "
            "the demo's robot receiver {url}",
            position=ADMIN["position"],
            smtp=f"{mailbox.host}:{mailbox.port}",
            url=robot.url.split("?")[0],
        ),
        0,
    )
    print()
    return mailbox, robot


def _terminate_with_special_report(base: str, lead: dict) -> None:
    """R11: termination is refused without a special report to the LG, then done with one."""
    import base64

    pid, director = lead["id"], _leader("ipb_director", "IPB")
    reason = {"reason": "投资方母公司资金链断裂，项目客观上无法推进", "special_report_ref": f"SR-{lead['ref']}-1"}
    refusal = _refused(base, "POST", f"/api/projects/{pid}/terminate", director, reason)
    _say(
        _(
            "{position:position} terminates it without a special report: refused — {refusal}",
            position="ipb_director",
            refusal=refusal,
        )
    )
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    report = _try(
        base,
        "POST",
        f"/api/projects/{pid}/special-reports",
        director,
        {
            "cause": "cannot_go_ahead",
            "summary": "投资方资金链断裂，无法履行投资承诺，建议终止项目",
            "document": {"filename": "关于终止项目的专题报告.pdf", "content_base64": base64.b64encode(pdf).decode()},
        },
    )
    _say(
        _(
            "special report {ref} to the Leading Group filed ({cause:report_cause}, {filename})",
            ref=report["ref"],
            cause=report["cause"],
            filename=report["document"]["filename"],
        )
    )
    project = _try(
        base, "POST", f"/api/projects/{pid}/terminate", director, {**reason, "special_report_ref": report["ref"]}
    )
    _say(_("terminated with {ref}: state {state:state}", ref=report["ref"], state=project["state"]))


def _show_notifications(base: str, lead: dict, mailbox, robot) -> None:
    """What the first project's events and deadlines sent: the park's inbox, e-mail and the group robot."""
    ref = lead["ref"]
    _say(_("notifications of project {ref}:", ref=ref), 0)
    inbox = _try(base, "GET", "/api/inbox?limit=200", PARK_CLERK)
    mine = [i for i in inbox["items"] if i["ref"] == ref]
    _say(
        _(
            "inbox of {unit:unit} ({position:position} sees {n} unread):",
            unit=PARK_CLERK["unit"],
            position=PARK_CLERK["position"],
            n=inbox["unread"],
        )
    )
    for item in reversed(mine):
        _say(
            _(
                "{at:datetime}  {read}  {title} — {text}",
                at=item["created_at"],
                read=_("read") if item["read_at"] else _("unread"),
                title=item["title"],
                text=item["text"],
            ),
            2,
        )
    mails = _until(
        "the e-mail reaching the demo's SMTP server",
        lambda: [m for m in mailbox.messages if ref in m["subject"] or ref in m["body"]],
    )
    _say(_("e-mail delivered to the demo's SMTP server ({n}):", n=len(mails)))
    for mail in mails:
        _say(_("to {to} — {subject}", to=", ".join(mail["to"]), subject=mail["subject"]), 2)
    hooks = _until(
        "the webhook reaching the demo's robot receiver",
        lambda: [h for h in robot.posts if ref in json.dumps(h["json"], ensure_ascii=False)],
    )
    _say(_("webhook delivered to the demo's group-robot receiver ({n}):", n=len(hooks)))
    for hook in hooks:
        _say(_("posted: {payload}", payload=json.dumps(hook["json"], ensure_ascii=False)), 2)
    log = _try(base, "GET", f"/api/notifications/deliveries?project_id={lead['id']}", CLERK)
    counts: dict = {}
    for item in log:
        counts[(item["channel"], item["status"])] = counts.get((item["channel"], item["status"]), 0) + 1
    statuses = {"delivered": _("delivered"), "failed": _("failed"), "pending": _("pending"), "retrying": _("retrying")}
    _say(
        _(
            "delivery log: {counts:list}",
            counts=[
                _("{channel:notice_channel} {status} ×{n}", channel=c, status=statuses.get(s, s), n=n)
                for (c, s), n in sorted(counts.items())
            ],
        )
    )


def run(url: str, out_dir, language: str | None = None) -> int:
    """The whole demo against the gateway at ``url``, the API answering in ``language`` (``DEMO_LANGUAGE`` by
    default); documents written under ``out_dir``."""
    global DEMO_LANGUAGE
    DEMO_LANGUAGE = language or DEMO_LANGUAGE
    base = url.rstrip("/")
    mailbox, robot = _local_receivers(base)
    park = "hengdong"
    participants = [
        {"unit": f"PARK:{park}", "position": f"park_head:{park}"},
        {"unit": "IPB", "position": "ipb_director"},
        {"unit": "LG", "position": "county_leader_in_charge"},
        {"unit": "LAND", "position": "bureau_head"},
    ]
    early = {
        "held_on": "2026-11-20",
        "stage": "early",
        "participants": participants,
        "agreed": ["总投资1.5亿元", "供地方式：挂牌出让"],
        "open": ["税收奖励"],
        "exceeding_terms": [],
    }
    final = {
        "held_on": "2026-11-25",
        "stage": "final",
        "participants": participants + [{"unit": "LEGAL", "position": "legal_director"}],
        "agreed": ["税收奖励按现行政策执行", "2027年3月开工"],
        "open": [],
        "exceeding_terms": [],
        "policy_terms": [{"clause": "tax_reward_years", "value": "3"}],
    }

    small = _file_and_review(
        base, sample_lead(land_demand={"value": "45", "unit": "mu"}, planned_fixed_asset_investment="100000000")
    )
    _approve(base, small)
    route = _negotiate(base, small, [early, {**final, "land": {"value": "30000", "unit": "m2"}}])
    head = _leader(route["decides"][0], f"PARK:{park}")
    refusal = ["环保措施未落实，暂不同意"]
    _try(
        base,
        "POST",
        f"/api/projects/{small['id']}/decision-route/decisions",
        head,
        {"decision": "refuse", "reasons": refusal},
    )
    _say(
        _(
            "{position:position} decides: refuse — {reason} ({unit:unit} notified)",
            position=route["decides"][0],
            reason=refusal[0],
            unit="IPB",
        )
    )
    _until(
        "the coordinator hearing the refusal",
        lambda: _try(base, "GET", f"/api/projects/{small['id']}", CLERK)["state"] == "refused",
    )
    again = _try(
        base,
        "POST",
        f"/api/projects/{small['id']}/negotiation/renegotiation",
        CLERK,
        {"reason": "投资方承诺取得环评批复后方可开工"},
    )
    _say(_("{unit:unit} renegotiates: back to negotiation, round {round}", unit="IPB", round=again["round"]))
    third = _try(
        base,
        "POST",
        f"/api/projects/{small['id']}/negotiation/sessions",
        CLERK,
        {**final, "held_on": "2026-11-26", "agreed": ["乙方取得环评批复后方可开工"]},
    )
    _say(_session(third, "final", ["乙方取得环评批复后方可开工"]))
    _try(base, "POST", f"/api/projects/{small['id']}/decision-route/decisions", head, {"decision": "agree"})
    _say(
        _(
            "{position:position} decides: agree — {signs:position} will sign the contract",
            position=route["decides"][0],
            signs=route["signs"],
        )
    )
    _print_project(base, small, "agreed")
    _contract_to_construction(base, small, route["signs"], f"PARK:{park}")
    _account_and_archive(base, small, out_dir)

    large = _file_and_review(
        base,
        sample_lead(
            n=3,
            project_name="年产10GWh锂离子电池项目",
            sector="C3841",
            land_demand={"value": "75", "unit": "mu"},
            planned_total_investment="200000000",
            planned_fixed_asset_investment="150000000",
        ),
    )
    _approve(base, large)
    route = _negotiate(base, large, [early, {**final, "land": {"value": "5", "unit": "ha"}}])
    _try(
        base,
        "POST",
        f"/api/projects/{large['id']}/decision-route/recommendation",
        _leader(route["recommends"], f"PARK:{park}"),
        {"recommendation": "项目符合园区定位，建议同意按75亩供地"},
    )
    _say(_("{position:position} recommends to the principals", position=route["recommends"]))
    for principal in route["decides"]:
        _try(
            base,
            "POST",
            f"/api/projects/{large['id']}/decision-route/decisions",
            _leader(principal),
            {"decision": "agree"},
        )
        _say(_("{position:position} decides: agree", position=principal))
    _say(_("{position:position} will sign the contract", position=route["signs"]))
    _print_project(base, large, "agreed")
    _terminate_with_special_report(base, large)
    print()

    eliminated = sample_lead(
        n=2, sector="C3041", project_name="平板玻璃生产线项目", preferred_location={"kind": "park", "id": "hexi"}
    )
    rejected = _file_and_review(base, eliminated)
    _print_project(base, rejected, "rejected")
    _show_notifications(base, small, mailbox, robot)
    robot.stop()
    mailbox.stop()
    _ledger_reserve_and_targets(base, out_dir)
    _leading_group_and_land(base, small)
    return 0


def _ledger_reserve_and_targets(base: str, out_dir) -> None:
    """The ledger (R10, R14) and the reserve (R8, R9): a key project, the reserve and its public catalog, the three books, the LG's targets; the Excel
    ledger and the quarterly summary written to files."""
    import datetime as dt
    from pathlib import Path

    from shared.clock import today_shanghai

    today = today_shanghai()
    drb = {"user_id": "demo-drb", "position": "bureau_head", "unit": "DRB"}
    magistrate = _leader("county_magistrate")
    _say(_("== the ledger, key projects, the reserve, the public catalog, the Leading Group's targets"), 0)
    key = _file_and_review(
        base,
        sample_lead(
            n=4,
            project_name="智能制造装备产业园项目",
            sector="C3491",
            planned_total_investment="160000000",
            planned_fixed_asset_investment="130000000",
            land_demand={"value": "50", "unit": "mu"},
        ),
    )
    row = _until(
        "the ledger row of the new lead",
        lambda: (r := _try(base, "GET", f"/api/projects/{key['id']}/ledger", CLERK))["state"] == "under_review" and r,
    )
    _say(
        _(
            "{ref}: {total:wan} → tier {tier}, key project by the threshold; red flags: {flags:clauses}",
            ref=row["ref"],
            total=row["total_investment"],
            tier=row["tier"],
            flags=row["red_flags"],
        )
    )
    _try(
        base,
        "PUT",
        f"/api/projects/{key['id']}/key-project",
        magistrate,
        {
            "liaison_leader": {"user_id": magistrate["user_id"], "name": "王县长", "position": "county_magistrate"},
            "service_team": [{"name": "赵六", "role": "队长", "unit": "IPB"}, {"name": "钱七", "role": "专职服务专员"}],
        },
    )
    _try(
        base,
        "PUT",
        f"/api/projects/{key['id']}/advancement-requirements",
        CLERK,
        {"requirements": [{"step": "陪同投资方考察衡东工业园地块", "due": (today + dt.timedelta(days=7)).isoformat()}]},
    )
    _try(
        base,
        "PUT",
        f"/api/projects/{key['id']}/responsibility",
        CLERK,
        {"responsible_person": {"name": "李干事", "phone": "0734-8888001"}},
    )
    mine = _try(base, "GET", "/api/key-projects/mine", magistrate)
    _say(
        _(
            "the Leading Group names {leader} ({position:position}) liaison leader, service team {team:list}; "
            "{unit:unit} names {person} responsible person; {leader}'s own list: {refs:list}",
            leader="王县长",
            position="county_magistrate",
            team=["赵六", "钱七"],
            unit="IPB",
            person="李干事",
            refs=[r["ref"] for r in mine["items"]],
        )
    )
    signed = next(r for r in _try(base, "GET", "/api/ledger?book=contracted&sort=ref", CLERK)["items"])
    _try(
        base,
        "POST",
        f"/api/projects/{signed['project_id']}/funds-in-place",
        _leader("park_head:hengdong", "PARK:hengdong"),
        {"on": today.isoformat(), "amount": "90000000", "note": "项目资本金到位"},
    )
    _say(
        _(
            "{unit:unit} records funds in place for {ref}: {amount:wan}",
            unit="PARK:hengdong",
            ref=signed["ref"],
            amount="90000000",
        )
    )

    pdf = base64.b64encode(b"%PDF-1.4 sample feasibility study").decode()
    for name, total, sector, publish in (
        ("锂电池正极材料项目", "180000000", "C3985", True),
        ("电子元器件配套产业园", "80000000", "C3971", False),
        ("农产品精深加工项目", "20000000", "C1391", False),
    ):
        entered = _try(
            base,
            "POST",
            "/api/reserve",
            drb,
            {
                "year": today.year,
                "name": name,
                "sector": sector,
                "location": {"kind": "park", "id": "hexi"},
                "total_investment": total,
                "cooperation_mode": "合资",
                "contact_office": "县发改局项目办 0734-5551234",
                "intended_investor": {"name": "某意向投资方（保密）"},
                "contact_person": {"name": "孙经理", "phone": "13800000000"},
                "negotiation_notes": "已初步接触",
                "document": {"kind": "feasibility_study", "filename": "可研报告.pdf", "content_base64": pdf},
            },
        )
        if publish:
            _try(base, "POST", f"/api/reserve/{entered['id']}/publication", drb)
    plan = _try(base, "GET", f"/api/reserve-plans/{today.year}", drb)
    _say(
        _(
            "reserve {year}: {tiers:clauses}; shortfall {shortfall}",
            year=str(today.year),
            tiers=[
                _(
                    "tier {tier}: {count} of {minimum} (short {shortfall})",
                    tier=t["tier"],
                    count=t["count"],
                    minimum=t["minimum"],
                    shortfall=t["shortfall"],
                )
                for t in plan["tiers"]
            ],
            shortfall=plan["shortfall"],
        )
    )
    with urllib.request.urlopen(base + "/api/catalog", timeout=30) as response:  # no sign-in
        catalog = json.loads(response.read())
    for entry in catalog["items"]:
        _say(_("public catalog (no sign-in): {entry}", entry=json.dumps(entry, ensure_ascii=False)))

    for book in ("information", "negotiation", "contracted"):
        rows = _try(base, "GET", f"/api/ledger?book={book}&sort=ref", CLERK)
        _say(_("{book:book}: {n} row(s)", book=book, n=rows["total"]))
        for r in rows["items"]:
            key_mark = (
                _("; key project (liaison leader {name})", name=r["liaison_leader"]["name"])
                if r["is_key"] and r["liaison_leader"]
                else ""
            )
            flags = _("; ⚑ {flags:clauses}", flags=r["red_flags"]) if r["red_flags"] else ""
            _say(
                _(
                    "{ref} {name} — {state} for {days} days; {unit:unit}, {leader}, {person}; next due {next:date}"
                    "{key_mark}{flags}",
                    ref=r["ref"],
                    name=r["name"],
                    state=r["state_name"],
                    days=r["time_in_state_days"],
                    unit=r["responsible_unit"],
                    leader=r["responsible_leader"]["name"],
                    person=(r["responsible_person"] or {}).get("name", "—"),
                    next=r["next_due"] or "—",
                    key_mark=key_mark,
                    flags=flags,
                ),
                2,
            )

    _try(
        base,
        "PUT",
        f"/api/targets/{today.year}",
        magistrate,
        {
            "targets": [
                {
                    "unit": "PARK:hengdong",
                    "projects_signed": 4,
                    "contracted_investment": "600000000",
                    "funds_in_place": "300000000",
                },
                {
                    "unit": "PARK:hexi",
                    "projects_signed": 3,
                    "contracted_investment": "300000000",
                    "funds_in_place": "100000000",
                },
            ]
        },
    )
    for unit in _try(base, "GET", f"/api/targets/{today.year}", CLERK)["units"]:
        done, target, rate = unit["done"], unit["target"] or {}, unit["rate"]

        def wan(measure):
            return _(
                "{done:wan} of {target:wan} ({rate}%)",
                done=done[measure],
                target=target[measure] if target else "—",
                rate=rate[measure],
            )

        _say(
            _(
                "targets {year} {unit:unit}: signed {signed} of {target} ({rate}%); contracted {contracted}; "
                "funds in place {funds}",
                year=str(today.year),
                unit=unit["unit"],
                signed=done["projects_signed"],
                target=target.get("projects_signed", "—"),
                rate=rate["projects_signed"],
                contracted=wan("contracted_investment"),
                funds=wan("funds_in_place"),
            )
        )

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    for path, target in (
        ("/api/ledger.xlsx", out / f"ledger-{today.isoformat()}.xlsx"),
        (f"/api/summaries/{quarter}.docx", out / f"summary-{quarter}.docx"),
        (f"/api/summaries/{quarter}.xlsx", out / f"summary-{quarter}.xlsx"),
    ):
        size = _download(base, path, CLERK, target)
        _say(_("written {path} ({size} bytes)", path=str(target), size=size))


def _say(message, indent: int = 1) -> None:
    """A line of the demo's own, from the message catalogue, in the language the demo asks the API for
    (``indent`` steps of two spaces: 0 for a heading or a project, 1 for a step, 2 for a detail)."""
    from shared.i18n import text

    print("  " * indent + text(message, DEMO_LANGUAGE))


def _leading_group_and_land(base: str, signed_lead: dict) -> None:
    """The Leading Group's own work and the land reserve: the office imports its roster, IPB records an
    investment event and links the lead it brought (the signed one: the cost per signed project), LAND imports its
    parcels, a lead's land demand is matched to the ready ones, and the LG's assessment ranks the units."""
    from shared.clock import today_shanghai
    from zhaoshang.samples import parcel_workbook, roster_workbook

    today = today_shanghai()
    land = {"user_id": "demo-land-head", "position": "bureau_head", "unit": "LAND"}
    _say(_("== the Leading Group and the land reserve: roster, investment events, parcels, assessment"), 0)
    upload = {"filename": "领导小组成员名单.xlsx", "content_base64": base64.b64encode(roster_workbook()).decode()}
    imported = _try(base, "POST", "/api/leading-group/roster/import", CLERK, upload)
    office = _try(base, "GET", "/api/leading-group/roster", CLERK)["office"]
    _say(
        _(
            "the Leading Group's roster imported: {n} persons; its office in {unit:unit}, director {name}",
            n=imported["imported"],
            unit=office["unit"],
            name=(office.get("director") or {}).get("name") or "—",
        )
    )

    event = _try(
        base,
        "POST",
        "/api/investment-events",
        CLERK,
        {
            "kind": "fair",
            "title": "2026年新材料产业招商推介会",
            "organising_unit": "IPB",
            "place": "长沙",
            "planned_on": today.isoformat(),
            "budget": "300000",
        },
    )
    _try(
        base,
        "POST",
        f"/api/investment-events/{event['id']}/record",
        CLERK,
        {
            "held_on": today.isoformat(),
            "participants": [{"name": "刘文员", "unit": "IPB"}],
            "investors_met": [{"name": signed_lead["investor"]["name"], "interest": "铝合金型材"}],
            "actual_cost": "280000",
            "summary": "推介衡东工业园，洽谈铝合金型材项目",
        },
    )
    _try(base, "POST", f"/api/investment-events/{event['id']}/leads", CLERK, {"refs": [signed_lead["ref"]]})
    _say(
        _(
            "investment event {ref} “{title}” held on {date:date} in {place}: cost {amount:wan}; lead {lead} linked",
            ref=event["ref"],
            title=event["title"],
            date=today.isoformat(),
            place="长沙",
            amount="280000",
            lead=signed_lead["ref"],
        )
    )
    effect = _until(
        "the signed contract counted",
        lambda: (e := _try(base, "GET", f"/api/event-effectiveness/{today.year}", CLERK))["total"].get("signed") and e,
    )
    row = next(r for r in effect["events"] if r["ref"] == event["ref"])
    _say(
        _(
            "what the events of {year} brought: {leads} lead(s), {signed} signed; cost per signed project {amount:wan}",
            year=str(today.year),
            leads=row["leads"],
            signed=row["signed"],
            amount=row["cost_per_signed"] or "0",
        )
    )

    upload = {"filename": "土地储备.xlsx", "content_base64": base64.b64encode(parcel_workbook()).decode()}
    parcels = _try(base, "POST", "/api/parcels/import", land, upload)
    ready = _try(base, "GET", "/api/parcels?status=ready", CLERK)["total"]
    _say(
        _(
            "{unit:unit} imports the land reserve: {n} parcels, {ready} ready for supply",
            unit="LAND",
            n=parcels["imported"],
            ready=ready,
        )
    )
    lead = next(
        r
        for r in _try(base, "GET", "/api/ledger?book=information&sort=ref", CLERK)["items"]
        if r["state"] == "under_review"
    )  # the key project's lead of the ledger's step: 50 mu in Hengdong
    found = _try(base, "GET", f"/api/projects/{lead['project_id']}/parcels", CLERK)[:3]
    _say(
        _(
            "parcels that suit {ref} ({mu:mu} in {unit:unit}): {parcels:list}",
            ref=lead["ref"],
            mu=lead["land_mu"],
            unit="PARK:hengdong",
            parcels=[
                _(
                    "{code} {name} {mu:mu}",
                    code=m["parcel"]["code"],
                    name=m["parcel"]["name"],
                    mu=m["parcel"]["area_mu"],
                )
                for m in found
            ],
        )
    )

    assessment = _try(base, "GET", f"/api/assessments/{today.year}", CLERK)
    marks = {"green": _("green mark"), "yellow": _("yellow mark"), "red": _("red mark")}
    for unit in assessment["units"]:
        _say(
            _(
                "assessment {period}: {unit:unit} scores {score}, rank {rank}, {mark}",
                period=assessment["label"],
                unit=unit["unit"],
                score=unit["total"],
                rank=unit["rank"],
                mark=marks[unit["mark"]],
            )
        )
