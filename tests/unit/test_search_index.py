"""Search by name fragments on both databases' own indexes (shared/search.py): SQLite's FTS5 (trigram, and the
bigram table for two characters) and PostgreSQL's pg_trgm — the same answers, through the coordinator's migrated
schema."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from services.coordinator import models
from shared import migrations, search
from tests.conftest import fresh_pg_database

S = models.search_entries
ENTRIES = [
    dict(
        key="p1",
        kind="project",
        name="年产5万吨高性能铝合金型材项目",
        ref="ZS2026-0001",
        investor="湖南恒达新材料有限公司",
        code="91430100MA4L0XXX79",
        state="construction",
        unit="PARK:hengdong",
        owner_unit="IPB",
        year=2026,
    ),
    dict(
        key="p2",
        kind="project",
        name="铝型材深加工二期项目",
        ref="ZS2026-0002",
        investor="衡阳华鑫铝业有限公司",
        code="91430400MA4L12345X",
        state="negotiating",
        unit="PARK:hexi",
        owner_unit="IPB",
        year=2025,
    ),
    dict(
        key="p3",
        kind="lead",
        name="农产品冷链物流项目",
        ref="ZS2026-0003",
        investor="新塘冷链物流有限公司",
        code=None,
        state="lead",
        unit="TOWN:xintang",
        owner_unit="TOWN:xintang",
        year=2026,
    ),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'coordinator.db'}")
        migrations.upgrade("coordinator", engine)
        yield engine
        engine.dispose()
    else:
        with fresh_pg_database("zs_search") as url:
            engine = create_engine(url)
            migrations.upgrade("coordinator", engine)
            yield engine
            engine.dispose()


def found(engine, fragment, *conditions):
    with Session(engine) as session:
        return [e["key"] for e in search.search(session, S, fragment, conditions)]


def test_fragments_of_two_three_and_more_characters_an_investor_and_a_credit_code(engine):
    with Session(engine) as session:
        for entry in ENTRIES:
            search.upsert(session, S, search.entry_values(**entry))
        session.commit()
    assert found(engine, "铝型") == ["p2"]  # two characters
    assert found(engine, "型材") == ["p2", "p1"]  # where they occur first ranks first
    assert found(engine, "铝合金型材") == ["p1"]
    assert found(engine, "华鑫") == ["p2"] and found(engine, "华鑫铝业") == ["p2"]  # the investor
    assert found(engine, "91430400MA4L12345X") == ["p2"] and found(engine, "MA4L0") == ["p1"]
    assert found(engine, "ZS2026-0003") == ["p3"]
    assert found(engine, "冷链", S.c.state != "lead") == []
    assert found(engine, "项目", S.c.year == 2025) == ["p2"]
    assert found(engine, "钢铁") == [] and found(engine, "  ") == []


def test_an_entry_changed_is_found_by_its_new_name_only(engine):
    with Session(engine) as session:
        search.upsert(session, S, search.entry_values(**ENTRIES[0]))
        session.commit()
        search.upsert(session, S, search.entry_values(**{**ENTRIES[0], "name": "锂离子电池项目"}))
        session.commit()
    assert found(engine, "锂离") == ["p1"] and found(engine, "铝合") == [] and found(engine, "铝合金型材") == []


def test_the_index_is_the_database_s_own(engine):
    with engine.connect() as c:
        if engine.dialect.name == "sqlite":
            tables = set(c.execute(text("select name from sqlite_master where type='table'")).scalars())
            assert {"search_entries_trigram", "search_entries_bigram"} <= tables
            plan = " ".join(
                str(r)
                for r in c.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT rowid FROM search_entries_bigram WHERE search_entries_bigram MATCH '\"铝型\"'"
                    )
                )
            )
            assert "VIRTUAL TABLE INDEX" in plan
        else:
            indexes = set(c.execute(text("select indexdef from pg_indexes where tablename='search_entries'")).scalars())
            assert any("gin_trgm_ops" in i for i in indexes)


def test_two_services_hits_are_ranked_as_one_list():
    """The gateway's /api/search: the coordinator's hits and the land reserve's parcels in ``rank``'s order — an
    exact code first, then a name that starts with the fragment, then where it occurs, the shorter name first."""
    projects = [
        {
            "kind": "project",
            "ref": "ZS2026-0002",
            "name": "河西铝型材深加工项目",
            "investor": "衡阳华鑫铝业有限公司",
            "credit_code": "91430400MA4L12345X",
        },
        {
            "kind": "project",
            "ref": "ZS2026-0001",
            "name": "年产5万吨铝型材项目（河西）",
            "investor": None,
            "credit_code": None,
        },
    ]
    parcels = [
        {"kind": "parcel", "ref": "HX-01", "name": "河西新区一号地块", "investor": None, "credit_code": None},
        {"kind": "parcel", "ref": "HX-02", "name": "河西新区二号地块", "investor": None, "credit_code": None},
    ]
    merged = search.merge("河西", [projects, parcels], limit=10)
    assert [h["ref"] for h in merged] == ["HX-01", "HX-02", "ZS2026-0002", "ZS2026-0001"]  # 8 characters before 10
    assert [h["ref"] for h in search.merge("hx-02", [projects, parcels], limit=10)][:1] == ["HX-02"]  # its code
    assert [h["ref"] for h in search.merge("河西", [projects, parcels], limit=2)] == ["HX-01", "HX-02"]
    assert search.merge("河西", [[], []], limit=5) == []
