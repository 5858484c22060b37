"""Pages of the ledger at scale: a page's ids read from the covering indexes, then only its rows;
the count skipped when the page tells it; the export streamed a batch at a time.  Over a real database
migrated to head (the indexes of ``coordinator_0004``) — SQLite, and PostgreSQL for the order of the pages
and the batches — with rows that tie and rows without a value in every sortable column, each page checked
against the whole order computed here in Python."""

from __future__ import annotations

import base64
import io
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, event, insert, text, update
from sqlalchemy.orm import Session

from services.coordinator import ledger, ledger_store, models, workbook
from services.coordinator.service import CoordinatorService
from shared import migrations
from shared.clock import SHANGHAI
from shared.policy import load_policy
from shared.wire.ledger import LedgerPageSchema
from tests.harness import Harness, TestClock, shanghai
from tests.ledger_events import feed, scenario
from tests.conftest import fresh_pg_database

POLICY = load_policy()
CLERK = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
TODAY = date(2026, 12, 10)
UNITS = ["PARK:hengdong", "PARK:hexi", "TOWN:xintang", "IPB"]
SECTORS = ["C3252", "C3512", "C3591", "C3912", "C4011", "G5910", "C2710"]
STATES = {
    "information": ["lead", "filed"],
    "negotiation": ["negotiating", "assigned"],
    "contracted": ["signed", "construction"],
}
L = models.ledger


def generated_row(i: int, rng: random.Random) -> dict:
    """A ledger row as ``ledger.apply`` leaves it, with few distinct values (ties) and gaps (None)."""
    row = ledger.blank(f"g{i:04d}")
    book = rng.choice(list(STATES))
    row.update(
        ref=f"R-{rng.randrange(10**6):06d}-{i:04d}",
        name=rng.choice(["甲项目", "乙项目", "丙项目", "丁"]) + str(i % 7),
        book=book,
        state=rng.choice(STATES[book]),
        registered_unit=rng.choice(UNITS),
        sector=rng.choice(SECTORS),
        designated=rng.random() < 0.2,
        state_since=None
        if rng.random() < 0.15
        else datetime(2026, 1 + rng.randrange(10), 1 + rng.randrange(3), tzinfo=SHANGHAI).isoformat(),
        planned_total_investment=None
        if rng.random() < 0.15
        else str(Decimal(rng.choice([3_000_000, 20_000_000, 60_000_000, 150_000_000])) + rng.randrange(3)),
        manual_requirements=[]
        if rng.random() < 0.3
        else [
            {"step": "完成项目考察", "due": (TODAY + timedelta(days=rng.randrange(-20, 20))).isoformat(), "done": False}
        ],
        last_progress=None
        if rng.random() < 0.2
        else {
            "at": datetime(2026, 11, 1 + rng.randrange(5), tzinfo=SHANGHAI).isoformat(),
            "summary": "进展",
            "by": "x",
        },
    )
    ledger.derive(row, POLICY)
    return row


def fill(engine) -> None:
    migrations.upgrade("coordinator", engine)
    rng = random.Random(10)
    with engine.begin() as c:
        for i in range(240):
            row = generated_row(i, rng)
            c.execute(insert(L).values(project_id=row["project_id"], **ledger_store._columns(row)))


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('pages') / 'coordinator.db'}")
    fill(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def pg_engine():
    """The same rows in a fresh PostgreSQL database of this machine's server (C.UTF-8), dropped afterwards."""
    with fresh_pg_database("zs_pages") as url:
        engine = create_engine(url)
        fill(engine)
        yield engine
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_session(request):
    with Session(request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")) as s:
        yield s


@pytest.fixture
def session(engine):
    with Session(engine) as s:
        yield s


def all_rows(session) -> list[dict]:
    return list(session.execute(ledger_store.select(L.c.data)).scalars())


SORT_VALUE = {
    "ref": lambda r: r["ref"],
    "name": lambda r: r["name"],
    "state": lambda r: r["state"],
    "state_since": lambda r: r["state_since"] and datetime.fromisoformat(r["state_since"]),
    "responsible_unit": lambda r: r["responsible_unit"],
    "total_investment": lambda r: None if r["total_investment"] is None else int(Decimal(r["total_investment"]) * 100),
    "tier": lambda r: r["tier"],
    "next_due": lambda r: r["next_due"],
    "last_progress": lambda r: r["last_progress"] and datetime.fromisoformat(r["last_progress"]["at"]),
}


def expected(rows, sort, descending, **f) -> list[str]:
    """The whole order by the API's rules: the sort column (rows without a value last, either way), then ref."""

    def keep(r):
        return (
            (not f.get("book") or r["book"] == f["book"])
            and (not f.get("unit") or r["responsible_unit"] == f["unit"])
            and (not f.get("state") or r["state"] == f["state"])
            and (not f.get("sector") or (r["sector"] or "").startswith(f["sector"]))
            and (f.get("tier") is None or r["tier"] == (None if f["tier"] == "none" else f["tier"]))
            and (f.get("key") is None or r["is_key"] == f["key"])
            and (f.get("overdue") is None or bool(r["next_due"] and r["next_due"] < TODAY.isoformat()) == f["overdue"])
        )

    kept = sorted((r for r in rows if keep(r)), key=lambda r: r["ref"])
    valued = sorted((r for r in kept if SORT_VALUE[sort](r) is not None), key=SORT_VALUE[sort], reverse=descending)
    return [r["ref"] for r in valued + [r for r in kept if SORT_VALUE[sort](r) is None]]


FILTERS = [
    {},
    {"book": "contracted"},
    {"book": "negotiation", "unit": "PARK:hexi"},
    {"state": "filed"},
    {"book": "information", "sector": "C35"},
    {"sector": "C3"},
    {"sector": "C39"},
    {"tier": "none"},
    {"tier": "A", "key": True},
    {"key": False, "book": "contracted"},
    {"overdue": True},
    {"overdue": False, "unit": "IPB"},
    {"unit": "TOWN:xintang", "state": "lead", "sector": "C32"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "all")
def test_every_page_is_its_slice_of_the_whole_order_and_tells_the_total(any_session, filters):
    session = any_session
    rows = all_rows(session)
    for sort in SORT_VALUE:
        for descending in (False, True):
            whole = expected(rows, sort, descending, **filters)
            seen, offset = [], 0
            while True:
                page, total = ledger_store.list_rows(
                    session, sort=sort, descending=descending, limit=7, offset=offset, today=TODAY, **filters
                )
                assert total == len(whole), (sort, descending, offset)
                if not page:
                    break
                seen += [r["ref"] for r in page]
                offset += 7
            assert seen == whole, (sort, descending)
    assert ledger_store.list_rows(session, limit=0, today=TODAY, **filters) == ([], len(whole))
    assert ledger_store.list_rows(session, limit=None, today=TODAY, **filters)[1] == len(whole)


def test_a_sector_prefix_is_a_range_the_index_can_seek():
    assert [ledger_store._after_prefix(p) for p in ("C35", "C39", "C3999", "C9", "C", "T9999", "9")] == [
        "C36",
        "C4",
        "C4",
        "D",
        "D",
        "U",
        None,
    ]


def test_the_rows_are_counted_only_when_the_page_does_not_tell(engine):
    seen: list[str] = []

    def record(conn, cursor, sql, *args):
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    with Session(engine) as s:
        full_book = ledger_store.list_rows(s, book="contracted", limit=5)
        seen_full, seen[:] = list(seen), []
        last_page = ledger_store.list_rows(s, book="contracted", limit=500)
        seen_last, seen[:] = list(seen), []
        past_the_end = ledger_store.list_rows(s, book="contracted", limit=5, offset=10_000)
    assert len(full_book[0]) == 5 and any("count(" in q for q in seen_full)
    assert last_page[1] == len(last_page[0]) > 5 and not any("count(" in q for q in seen_last)
    event.remove(engine, "before_cursor_execute", record)
    assert past_the_end == ([], last_page[1]) and any("count(" in q for q in seen)


@pytest.mark.parametrize(
    "filters, seek",
    [
        (
            {"book": "contracted", "unit": "PARK:hengdong", "sort": "total_investment", "descending": True},
            "ix_ledger_by_responsible_unit (responsible_unit=? AND book=?)",
        ),
        (
            {"book": "negotiation", "sector": "C35", "sort": "state_since"},
            "ix_ledger_by_book (book=? AND sector>? AND sector<?)",
        ),
        ({"state": "construction", "sort": "name"}, "ix_ledger_by_state (state=?)"),
        (
            {"book": "information", "unit": "PARK:hexi", "sort": "ref"},
            "ix_ledger_by_responsible_unit (responsible_unit=? AND book=?)",
        ),
        ({"key": True, "sort": "last_progress", "descending": True}, "ix_ledger_by_is_key (is_key=?)"),
        ({"overdue": True, "sort": "next_due"}, "ix_ledger_by_next_due (next_due<?)"),
        ({"tier": "B", "sort": "tier"}, "ix_ledger_by_tier (tier=?)"),
    ],
)
def test_a_page_and_its_count_are_read_from_an_index_and_only_its_rows_after(session, filters, seek):
    """The plans of the queries of a page (SQLite, no statistics): the ids and the count from a covering index
    that seeks the filters, the JSON only of the page's rows, by primary key."""
    filters = dict(filters)
    sort, descending = filters.pop("sort"), filters.pop("descending", False)
    conditions = ledger_store._conditions(**filters, today=TODAY)
    ids = (
        ledger_store.select(L.c.project_id)
        .where(*conditions)
        .order_by(*ledger_store._order(sort, descending))
        .limit(50)
        .offset(500)
    )
    count = ledger_store.select(ledger_store.func.count()).select_from(L).where(*conditions)
    rows = ledger_store.select(L.c.project_id, L.c.data).where(L.c.project_id.in_(["a", "b"]))
    for query, wanted in (
        (ids, f"SEARCH ledger USING COVERING INDEX {seek}"),
        (count, f"SEARCH ledger USING COVERING INDEX {seek}"),
        (rows, "SEARCH ledger USING INDEX sqlite_autoindex_ledger_1 (project_id=?)"),
    ):
        sql = str(query.compile(session.bind, compile_kwargs={"literal_binds": True}))
        plan = " | ".join(r[-1] for r in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        assert plan.startswith(wanted), plan


# -- the export, streamed --------------------------------------------------------------------------------------------------
def test_all_rows_come_in_order_a_batch_at_a_time_and_a_row_changed_meanwhile_is_left_out(any_session):
    s = any_session
    whole = expected(all_rows(s), "ref", False, book="contracted")
    pauses = []
    rows = list(ledger_store.iter_rows(s, book="contracted", batch=9, pause=lambda: pauses.append(1)))
    assert [r["ref"] for r in rows] == whole and len(pauses) == (len(whole) - 1) // 9

    moved = whole[12]

    def pause():  # between the first batches, a project leaves the book
        if not pauses:
            s.execute(update(L).where(L.c.ref == moved).values(book="information"))
        pauses.append(1)

    pauses = []
    rows = [r["ref"] for r in ledger_store.iter_rows(s, book="contracted", batch=9, pause=pause)]
    s.rollback()
    assert rows == [ref for ref in whole if ref != moved]


def test_the_service_exports_every_row_reading_them_a_batch_at_a_time(engine, monkeypatch, tmp_path):
    coord = Harness(CoordinatorService, models.metadata, engine, policy=POLICY, clock=TestClock(shanghai(2026, 12, 10)))
    batches = []
    monkeypatch.setattr(CoordinatorService, "_between_batches", lambda self: batches.append(1))
    monkeypatch.setattr(ledger_store, "iter_rows", _small_batches(ledger_store.iter_rows))
    answer = coord.ledger_workbook(CLERK, {"sort": "name", "order": "desc"})
    wb = load_workbook(io.BytesIO(base64.b64decode(answer["content_base64"])))
    with Session(engine) as s:
        rows = all_rows(s)
    for book, sheet in ((b, ledger.book_name(b, "zh-CN")) for b in ledger.BOOKS):
        ws = wb[sheet]
        refs = [ws.cell(row=r, column=2).value for r in range(4, ws.max_row + 1)]
        assert refs == expected(rows, "name", True, book=book)
        assert [ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)] == list(range(1, len(refs) + 1))
    assert len(batches) == sum(-(-len(expected(rows, "ref", False, book=b)) // 25) - 1 for b in ledger.BOOKS)


def _small_batches(iter_rows):
    return lambda session, **kwargs: iter_rows(session, **{**kwargs, "batch": 25})


def test_the_sheet_rows_are_written_in_chunks_from_any_iterable_and_read_back_cell_by_cell(monkeypatch):
    """Many rows from a generator (read once), strings that XML must escape or cannot hold, every kind of cell."""
    monkeypatch.setattr(workbook, "ROWS_PER_WRITE", 100)
    base = ledger.view(generated_row(1, random.Random(1)), shanghai(2026, 12, 10), POLICY)
    tricky = " 前后有空格 & <标签> \x01\x1f控制字符 "

    def rows():
        for i in range(1, 1051):
            yield {
                **base,
                "ref": f"T-{i:05d}",
                "name": tricky if i == 777 else f"项目{i}",
                "book": "contracted",
                "signed_on": "2026-03-01",
                "contracted_investment": "123456789.01",
                "funds_in_place": "0.00",
                "time_in_state_days": i,
                "benefit": {"year": 2025, "grade": "AT"[i % 2], "total": "81.82", "rank": i, "of": 1050},
            }

    chunks = list(workbook._rows_xml(rows(), workbook.BOOK_COLUMNS["contracted"], [0] * 26, POLICY))
    assert len(chunks) == 11
    data = workbook.export({"contracted": rows()}, POLICY, date(2026, 12, 10), "示例县")
    ws = load_workbook(io.BytesIO(data))["签约项目台账"]
    assert ws.max_row == 3 + 1050 and ws["A1"].value == "示例县签约项目台账"
    assert [c.value for c in ws[3]][:3] == ["序号", "项目编号", "项目名称"]
    head = [c.value for c in ws[3]]
    row = {h: c for h, c in zip(head, ws[3 + 777])}
    assert (
        row["项目名称"].value == " 前后有空格 & <标签> 控制字符 "
    )  # the control characters XML cannot hold are dropped
    assert (row["序号"].value, row["项目编号"].value, row["状态持续天数"].value) == (777, "T-00777", 777)
    assert row["亩均效益评价"].value == "2025年度不参评"  # the latest per-mu benefit grade (class T: not graded)
    assert {h: c.value for h, c in zip(head, ws[3 + 778])}["亩均效益评价"] == "2025年度A类"
    assert row["签约日期"].value == datetime(2026, 3, 1) and row["签约日期"].number_format == workbook.DATE_FORMAT
    assert (
        row["合同投资（万元）"].value == pytest.approx(12345.68) and row["合同投资（万元）"].number_format == "#,##0.00"
    )
    assert row["联系县级领导"].value is None and row["联系县级领导"].border.left.style == "thin"
    assert row["项目名称"].alignment.wrap_text and not row["合同投资（万元）"].alignment.wrap_text
    assert [ws.max_row for ws in load_workbook(io.BytesIO(data)).worksheets] == [3, 3, 1053]


def test_a_page_is_what_the_wire_schema_dumps(tmp_path):
    """``_page`` keeps the schema's fields without marshmallow: the same answer, for rows with every part."""
    engine = create_engine(f"sqlite:///{tmp_path / 'coordinator.db'}")
    models.metadata.create_all(engine)
    coord = Harness(CoordinatorService, models.metadata, engine, policy=POLICY, clock=TestClock(shanghai(2026, 12, 10)))
    for e in scenario():
        feed(coord, e)
    coord.set_key_project(
        {"user_id": "u-mag", "position": "county_magistrate", "unit": "LG"},
        "p1",
        {
            "liaison_leader": {"user_id": "u-mag", "name": "王县长", "position": "county_magistrate"},
            "service_team": [{"name": "赵六", "role": "队长"}],
        },
    )
    coord.record_funds_in_place(
        {"user_id": "u-hd", "position": "park_head:hengdong", "unit": "PARK:hengdong"},
        "p1",
        {"on": "2026-11-30", "amount": "30000000"},
    )
    page = coord.ledger(CLERK, {})
    with Session(engine) as s:
        rows = list(s.execute(ledger_store.select(L.c.data).order_by(L.c.ref)).scalars())
    views = [ledger.view(r, shanghai(2026, 12, 10), POLICY) for r in rows]
    assert page == LedgerPageSchema().dump({"total": 3, "items": views})
    assert page["items"][0]["funds"] and page["items"][0]["liaison_leader"] and page["items"][0]["requirements"]
    engine.dispose()
