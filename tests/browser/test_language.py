"""Chinese first in the web app (R18): every page read as each position's sample user sees it, in real headless
Chromium, has no run of Latin letters that is not an allowed code in zh-CN, and no Chinese that is not data in
English.  The allowlist is the unit sweep's (tests/language.py).

The county is the demo's (``zhaoshang demo``, run against this module's platform: three projects — one through its
whole life to the archives, one escalated and terminated with a special report, one rejected —, a key project, the
reserve and its catalog, the targets), LAND's parcels and the Leading Group's roster imported, an investment event
planned.  Each position of the README's people signs in with a password and opens every page of the web app: the
workbench, the inbox, search, the overview, the three books of the ledger, the leads (the list, the form, a lead),
the projects (the list and each project's page), the desks, the Leading Group, the events, the effectiveness, the
assessment, the land reserve and a parcel, the per-mu benefit evaluation, the print views, and (an administrator)
the users.  What a page shows that is data — names of projects, investors and persons, what people typed, e-mail
addresses and web addresses — is left out before the check; anything else is the interface's own.  IPB's clerk
reads them on a phone (390 px) too.  Screenshots: tests/browser/output/lang-<user>-<width>-<language>-<page>.png.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys

import pytest

from services.contracts.domain import DATE_OBLIGATIONS
from shared import vocabulary
from shared.clock import today_shanghai
from shared.policy import load_policy
from tests.browser.conftest import run_flow
from tests.browser.readme import people as readme_people, section
from tests.factories import SAMPLE_ROSTER, parcel_workbook, roster_workbook
from tests.language import chinese_leaks, latin_leaks
from zhaoshang import demo as steps
from zhaoshang.supervisor import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PASSWORD = "sample-county-2026"
ADMIN = {"user_id": "lang.admin", "name": "系统管理员", "position": "ipb_admin", "unit": "IPB"}
POSITIONS = (
    "ipb_clerk",
    "ipb_director",
    "bureau_head",
    "park_head:hengdong",
    "legal_director",
    "gov_office_director",
    "auditor",
    "county_magistrate",
    "party_secretary",
)
"""Each position of the README's people once (a bureau head: the first, DRB's)."""
DATA = re.compile(
    r"[\w.+-]+@[\w.-]+|https?://\S+|[\w.-]+\.(?:pdf|docx|xlsx|doc|png|jpg)\b|[^\s〔]+〔\d{4}〕\d+号", re.A
)
"""E-mail addresses, web addresses, file names and document numbers (示招商〔2026〕1号): data, whatever their letters."""


@pytest.fixture(scope="module")
def county(web, module_platform, tmp_path_factory):
    """The demo's county (``zhaoshang demo``, its people signing in under their names), the parcels and the roster
    imported, an event planned; the people of the README (and an administrator) with a password; the routes of every
    page."""
    api, base, config = web
    _, env, _ = module_platform
    out = tmp_path_factory.mktemp("demo")
    demo = subprocess.run(
        [sys.executable, "-m", "zhaoshang.cli", "demo", "--url", base, "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    land = {"user_id": "lang-land", "position": "bureau_head", "unit": "LAND"}
    for path, content, who in (
        ("/api/parcels/import", parcel_workbook(), land),
        ("/api/leading-group/roster/import", roster_workbook(), steps.CLERK),
    ):
        steps._try(
            base, "POST", path, who, {"filename": "导入.xlsx", "content_base64": base64.b64encode(content).decode()}
        )
    year = today_shanghai().year
    event = steps._try(
        base,
        "POST",
        "/api/investment-events",
        steps.CLERK,
        {
            "kind": "fair",
            "title": "长三角新材料产业招商推介会",
            "organising_unit": "IPB",
            "place": "上海",
            "planned_on": f"{year}-12-20",
            "budget": "200000",
            "plan_notes": "推介衡东工业园新材料产业链",
        },
    )
    people = [p.dump() for p in readme_people(section())]
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy(config, timeout=30) as rpc:
        for person in [*people, ADMIN]:
            rpc.gateway.provision_user(
                {"user_id": "cli", "position": "ipb_admin", "unit": "IPB"},
                {**person, "password": PASSWORD, "is_admin": person is ADMIN},
            )
    projects = api.get("/api/projects?limit=50").json()["items"]
    leads = api.get("/api/leads?limit=50").json()["items"]
    archived = next(p["id"] for p in projects if p["state"] == "archived")
    routes = [
        "/",
        "/inbox",
        "/search?q=项目",
        "/overview",
        "/ledger?book=information",
        "/ledger?book=negotiation",
        "/ledger?book=contracted",
        "/leads",
        "/leads/new",
        f"/leads/{leads[0]['id']}",
        "/projects",
        *(f"/projects/{p['id']}" for p in projects),
        "/desk/review",
        "/desk/decisions",
        "/desk/reports",
        "/desk/custody",
        "/leading-group",
        "/events",
        f"/events/{event['id']}",
        "/benefit",
        f"/events/effectiveness?year={year}",
        f"/assessment?period={year}",
        "/land",
        "/land/HD-01",
        "/print/ledger?book=contracted",
        f"/print/project/{archived}",
        f"/print/approval/{archived}?kind=decision",
    ]
    admin = {"user_id": ADMIN["user_id"], "position": ADMIN["position"], "unit": ADMIN["unit"]}
    accounts = {u["user_id"] for u in api.get("/api/users", actor=admin).json()} | {
        row[2] for row in SAMPLE_ROSTER if row[2]
    }
    names = {
        *(p["name"] for p in people),
        *accounts,
        *(p["name"] for p in projects),
        *(lead["investor"]["name"] for lead in leads),
    }  # persons by name, sign-in names (the roster's accounts)
    return {"base": base, "people": people, "routes": routes, "names": names, "typed": typed()}


def typed() -> set[str]:
    """The Chinese the county typed (the demo's and the imported workbooks' texts, the sample lead, the event) and the
    county's own names the platform keeps in Chinese only (its clauses, cooperation modes, the issuers of its
    documents): data an English reader sees as it was written."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    runs = set()
    for source in (
        root / "zhaoshang" / "demo.py",
        root / "zhaoshang" / "samples.py",
        root / "tests" / "factories.py",
        Path(__file__),
    ):
        runs |= set(re.findall(r"[\u3400-\u9fff][\u3400-\u9fff\w（）、，：；·]*", source.read_text(encoding="utf-8")))
    policy = load_policy()
    runs |= {c["name_zh"] for c in policy.documents["incentives"]["clauses"]} | set(
        policy.get("county.cooperation_modes")
    )
    runs |= {zh for zh, en in vocabulary.sectors().values() if zh == en}  # shipped in Chinese only
    runs |= {text for _name, _field, text in DATE_OBLIGATIONS.values()} | {"中文"}  # the contract's words; the switch
    for kind in policy.get("documents.official_documents.kinds").values():
        runs |= set(kind.get("to") or ()) | set(kind.get("cc") or ())
    return runs


def sample_user(county, position: str) -> dict:
    return next(p for p in county["people"] if p["position"] == position)


def leaks(text: str, names: set[str], locale: str) -> list[str]:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    text = DATA.sub("", text)
    return latin_leaks(text) if locale == "zh-CN" else chinese_leaks(text)


def sweep(county, who: dict, locale: str, routes: list[str], width: int = 1366, bare: dict | None = None) -> list[str]:
    seen = run_flow(
        "language_flows:pages",
        base=county["base"],
        user_id=who["user_id"],
        password=PASSWORD,
        lang=locale,
        routes=routes,
        tag=f"{who['user_id'].replace('.', '-')}-{width}",
        width=width,
    )
    found = []
    for route, read in seen.items():
        if bare is not None:
            bare[route] = read["bare"]
        # a field's hint is an example of what is typed (Chinese in both languages); in Chinese it is checked too
        text = read["text"] + ("\n" + read["hints"] if locale == "zh-CN" else "")
        for line in text.splitlines():
            data = county["names"] | (county["typed"] if locale == "en" else set())
            runs = leaks(line, data, locale)
            if runs:
                found.append(f"{route}: {', '.join(map(repr, runs))} in {line.strip()[:160]!r}")
    return found


@pytest.mark.parametrize("position", POSITIONS)
def test_every_page_reads_in_chinese_for_each_position(county, position):
    found = sweep(county, sample_user(county, position), "zh-CN", county["routes"])
    assert not found, f"{len(found)} leak(s) for {position}:\n" + "\n".join(found)


def test_the_users_page_reads_in_chinese_for_the_administrator(county):
    found = sweep(county, ADMIN, "zh-CN", ["/admin/users", "/"])
    assert not found, f"{len(found)} leak(s):\n" + "\n".join(found)


@pytest.mark.parametrize("position", ["ipb_clerk", "park_head:hengdong"])
def test_every_page_reads_in_english_but_for_its_data(county, position):
    found = sweep(county, sample_user(county, position), "en", county["routes"])
    assert not found, f"{len(found)} leak(s) for {position}:\n" + "\n".join(found)


def test_every_page_reads_in_chinese_on_a_phone(county):
    """The same pages at 390 px (a phone: the navigation, tables and cards laid out otherwise), as IPB's clerk."""
    bare: dict = {}
    found = sweep(county, sample_user(county, "ipb_clerk"), "zh-CN", county["routes"], width=390, bare=bare)
    assert not found, f"{len(found)} leak(s):\n" + "\n".join(found)
    assert not {route: n for route, n in bare.items() if n}, bare  # no label standing alone on a card


def test_the_search_box_keeps_room_to_type_on_a_phone_beside_the_longest_name(county):
    """The party secretary's name, position and unit are the top bar's longest: at 390 px the search box still gets a
    width to type in (a row of its own if need be), not a sliver beside the name."""
    who = sample_user(county, "party_secretary")
    seen = run_flow(
        "language_flows:pages",
        base=county["base"],
        user_id=who["user_id"],
        password=PASSWORD,
        lang="zh-CN",
        routes=["/"],
        tag=f"{who['user_id'].replace('.', '-')}-390-search",
        width=390,
    )
    assert seen["/"]["search"] >= 150, seen["/"]["search"]
