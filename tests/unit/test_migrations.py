"""Every service's migrations build exactly its models, on SQLite and on PostgreSQL."""

from __future__ import annotations


import pytest
from sqlalchemy import create_engine, inspect, text

from shared import migrations
from shared.db import make_engine
from tests.conftest import fresh_pg_database

SERVICES = [s for s in migrations.SERVICES_WITH_DATABASES if migrations.has_migrations(s)]


def test_every_service_with_a_database_has_migrations():
    assert SERVICES == [s for s in migrations.SERVICES_WITH_DATABASES if s != "notifications"] or set(SERVICES) == set(
        migrations.SERVICES_WITH_DATABASES
    )


@pytest.mark.parametrize("service", SERVICES)
def test_an_empty_sqlite_database_migrated_to_head_matches_the_models(service, tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrations.upgrade(service, engine)
    assert migrations.current_revision(engine) == migrations.head_revision(service)
    assert migrations.differences(service, engine) == []


@pytest.fixture
def pg_database():
    """A fresh PostgreSQL database on this machine's server, dropped afterwards."""
    with fresh_pg_database("zs_mig") as url:
        engine = create_engine(url)
        yield engine
        engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
def test_an_empty_postgresql_database_migrated_to_head_matches_the_models(service, pg_database):
    migrations.upgrade(service, pg_database)
    assert migrations.differences(service, pg_database) == []
    migrations.downgrade(service, pg_database, "base")
    with pg_database.connect() as c:
        tables = c.execute(text("select tablename from pg_tables where schemaname='public'")).scalars().all()
    assert tables == ["alembic_version"]


def test_the_migrated_audit_trail_is_append_only_on_postgresql(pg_database):
    migrations.upgrade("contracts", pg_database)
    with pg_database.begin() as c:
        c.execute(
            text(
                "insert into audit_trail (seq, at, user_id, position, unit, action, record_type, record_id, "
                "outcome, details, prev_hash, hash) values (1, now(), 'u', 'p', 'IPB', 'a', 'r', '1', 'done', "
                "'{}', repeat('0', 64), repeat('1', 64))"
            )
        )
    with pytest.raises(Exception) as refused:
        with pg_database.begin() as c:
            c.execute(text("update audit_trail set reason = 'x'"))
    assert "append-only" in str(refused.value)


def test_a_database_holding_data_is_upgraded_from_the_previous_revision(tmp_path):
    """The coordinator's first schema with a project in it, brought to head: the project and its
    timeline survive, and the later tables (ledger, targets, audit trail) are there."""
    engine = create_engine(f"sqlite:///{tmp_path / 'coordinator.db'}")
    migrations.upgrade("coordinator", engine, "coordinator_0001")
    with engine.begin() as c:
        c.execute(
            text(
                "insert into projects (id, ref, name, state, state_since, version, facts, created_at) values "
                "('p1', 'ZS2026-0001', '旧项目', 'filed', '2026-01-05 02:00:00', 2, '{}', '2026-01-05 01:00:00')"
            )
        )
        c.execute(
            text(
                "insert into transitions (project_id, seq, from_state, to_state, trigger, actor, at) values "
                "('p1', 1, null, 'lead', 'intake.lead_registered', '{}', '2026-01-05 01:00:00')"
            )
        )
    migrations.upgrade("coordinator", engine)
    assert migrations.current_revision(engine) == migrations.head_revision("coordinator") != "coordinator_0001"
    assert migrations.differences("coordinator", engine) == []
    with engine.connect() as c:
        assert c.execute(text("select ref, state, version from projects")).all() == [("ZS2026-0001", "filed", 2)]
        assert c.execute(text("select count(*) from transitions")).scalar_one() == 1
        assert c.execute(text("select count(*) from ledger")).scalar_one() == 0
        assert c.execute(text("select count(*) from audit_trail")).scalar_one() == 0


def _notifications_before_supervision(engine) -> None:
    """A notifications database as it was before supervision existed, holding a project's tracking."""
    migrations.upgrade("notifications", engine, "notifications_0001")
    with engine.begin() as c:
        c.execute(
            text(
                "insert into projects (project_id, ref, name, state, state_seq, responsible_unit, "
                "responsible_person, liaison_leader, last_progress_at, version) values ('p1', 'ZS2026-0001', "
                "'铝型材', 'construction', 17, 'PARK:hengdong', '{\"user_id\": \"u-1\", \"name\": \"李\"}', "
                "'deputy_county_magistrate', '2026-11-02 02:00:00', 4)"
            )
        )
        c.execute(
            text(
                "insert into progress (id, project_id, source, note, by, at) values "
                "(7, 'p1', 'recorded', '开工', '{}', '2026-11-02 02:00:00')"
            )
        )
        c.execute(
            text(
                "insert into problems (id, project_id, description, owner, raised_by, raised_at) values "
                "(3, 'p1', '用电未接通', 'unit:IND', '{}', '2026-11-02 02:00:00')"
            )
        )
        c.execute(
            text(
                "insert into deadlines (id, kind, project_id, subject, due_at, payload, created_at) values "
                "(5, 'problem_escalation', 'p1', '3', '2026-11-09 02:00:00', '{\"problem_id\": 3}', "
                "'2026-11-02 02:00:00'), (6, 'construction_period_end', 'p1', 'construction', "
                "'2027-03-01 16:00:00', '{}', '2026-11-02 02:00:00')"
            )
        )
        c.execute(
            text(
                "insert into special_reports (id, ref, project_id, cause, summary, document, filed_by, "
                "filed_at) values (2, 'SR-ZS2026-0001-1', 'p1', 'cannot_go_ahead', '投资方撤资', '{}', '{}', "
                "'2026-11-03 02:00:00')"
            )
        )


def _moved(supervision) -> dict:
    with supervision.connect() as c:
        return {
            "projects": c.execute(text("select project_id, liaison_leader, last_progress_at from projects")).all(),
            "progress": c.execute(text("select id, note from progress")).all(),
            "problems": c.execute(text("select id, owner from problems")).all(),
            "deadlines": c.execute(text("select id, kind from deadlines")).all(),
            "reports": c.execute(text("select ref, cause from special_reports")).all(),
        }


MOVED = {
    "projects": [("p1", "deputy_county_magistrate", "2026-11-02 02:00:00.000000")],
    "progress": [(7, "开工")],
    "problems": [(3, "unit:IND")],
    "deadlines": [(5, "problem_escalation")],  # accounting keeps its own period
    "reports": [("SR-ZS2026-0001-1", "cannot_go_ahead")],
}


def test_an_existing_deployments_tracking_moves_from_notifications_to_supervision(tmp_path):
    """Migrated in `zhaoshang migrate`'s order, the rows notifications kept end up in supervision's database, ids
    and all, before notifications drops its tables (it keeps what its routes need of the project); notifications
    migrated first is refused, changing nothing."""
    assert migrations.SERVICES_WITH_DATABASES.index("supervision") < migrations.SERVICES_WITH_DATABASES.index(
        "notifications"
    )
    urls = {s: f"sqlite:///{tmp_path / (s + '.db')}" for s in ("notifications", "supervision")}
    engines = {s: make_engine(url) for s, url in urls.items()}  # in WAL mode, as the services open them
    _notifications_before_supervision(engines["notifications"])
    with pytest.raises(RuntimeError, match="migrate supervision's database first"):
        migrations.upgrade("notifications", engines["notifications"], database_url=urls.get)
    assert migrations.current_revision(engines["notifications"]) == "notifications_0001"
    assert "holiday_years" not in inspect(engines["notifications"]).get_table_names()  # the revision before: undone
    for service in ("supervision", "notifications"):
        migrations.upgrade(service, engines[service], database_url=urls.get)
    for service, engine in engines.items():
        assert migrations.current_revision(engine) == migrations.head_revision(service)
        assert migrations.differences(service, engine) == []
    assert _moved(engines["supervision"]) == MOVED
    with engines["notifications"].connect() as c:
        assert c.execute(text("select project_id, ref, state, responsible_unit from projects")).all() == [
            ("p1", "ZS2026-0001", "construction", "PARK:hengdong")
        ]


def test_notifications_holding_tracking_rows_is_not_emptied_without_supervisions_database(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'notifications.db'}")
    _notifications_before_supervision(engine)
    with pytest.raises(RuntimeError, match="zhaoshang migrate"):
        migrations.upgrade("notifications", engine)  # no configuration naming supervision's database
    with engine.connect() as c:
        assert c.execute(text("select count(*) from progress")).scalar_one() == 1  # nothing dropped


def test_tracking_moves_to_supervision_on_postgresql():
    """Ids copied as they were, and supervision's sequences go on after them."""
    with fresh_pg_database("zs_mig_n") as notifications_url, fresh_pg_database("zs_mig_s") as supervision_url:
        urls = {"notifications": notifications_url, "supervision": supervision_url}
        engines = {s: create_engine(url) for s, url in urls.items()}
        try:
            _notifications_before_supervision(engines["notifications"])
            for service in ("supervision", "notifications"):
                migrations.upgrade(service, engines[service], database_url=urls.get)
            moved = _moved(engines["supervision"])
            assert {k: v for k, v in moved.items() if k != "projects"} == {
                k: v for k, v in MOVED.items() if k != "projects"
            }
            with engines["supervision"].begin() as c:
                c.execute(
                    text(
                        "insert into progress (project_id, source, note, by, at) values "
                        "('p1', 'recorded', '竣工', '{}', now())"
                    )
                )
                assert c.execute(text("select max(id) from progress")).scalar_one() == 8
        finally:
            for engine in engines.values():
                engine.dispose()


def test_a_database_another_service_is_creating_right_now_is_left_alone(tmp_path):
    """A fresh deployment starts every service at once: a revision that reads another service's database must
    not open a file that service is creating (switching it to WAL takes a lock its start then failed on)."""
    url = f"sqlite:///{tmp_path / 'notifications.db'}"
    assert migrations.other_database({"notifications": url}.get, "notifications") is None  # no file yet
    create_engine(url).connect().close()  # created, not yet in WAL mode: its service is starting
    assert migrations.other_database({"notifications": url}.get, "notifications") is None
    make_engine(url).connect().close()  # as its service opens it: WAL from then on
    engine = migrations.other_database({"notifications": url}.get, "notifications")
    assert engine is not None
    engine.dispose()
    assert migrations.other_database(None, "notifications") is None


def test_accounting_s_three_recovery_tasks_become_one_receivable(tmp_path):
    """Accountings of the schema with a task of the full fee per unit, brought to head: each has one receivable of
    the fee, the units' entries kept as theirs; a closed one paid short was waived, so its remainder is written off."""
    engine = create_engine(f"sqlite:///{tmp_path / 'accounting.db'}")
    migrations.upgrade("accounting", engine, "accounting_0002")
    entry = '[{{"amount": "{}", "note": "{}", "by": {{"unit": "{}"}}, "at": "2026-12-01T10:00:00+08:00"}}]'
    with engine.begin() as c:
        for pid, state in (("p1", "closed"), ("p2", "closed"), ("p3", "computed")):
            c.execute(
                text(
                    "insert into projects (project_id, ref, project_name, investor_name) values "
                    f"('{pid}', 'ZS-{pid}', 'x', 'y')"
                )
            )
            c.execute(
                text(
                    "insert into accountings (project_id, state, opened_by, opened_at, cause, participants, "
                    "figures, report, closed_at, version) values "
                    f"('{pid}', '{state}', '{{}}', '2026-11-27 02:00:00', 'opened_by_ipb', '[]', '[]', "
                    '\'{"at": "2026-11-28T10:00:00+08:00"}\', '
                    f"{'null' if state != 'closed' else chr(39) + '2026-12-02 02:00:00' + chr(39)}, 3)"
                )
            )
        tasks = [
            ("p1", "FIN", "settled", "3000000.00", entry.format("3000000.00", "缴清", "FIN"), None),
            ("p1", "LAND", "settled", "0.00", entry.format("0.00", "土地复核", "LAND"), None),
            ("p1", "LEGAL", "waived", "0.00", "[]", '{"by": {"position": "county_magistrate"}, "reason": "已缴清"}'),
            ("p2", "FIN", "settled", "1000000.00", entry.format("1000000.00", "部分", "FIN"), None),
            ("p2", "LAND", "waived", "0.00", "[]", '{"by": {"position": "county_magistrate"}, "reason": "困难"}'),
            ("p3", "FIN", "open", "0.00", "[]", None),
        ]
        for pid, unit, status, recovered, entries, waived in tasks:
            c.execute(
                text(
                    "insert into recovery_tasks (project_id, unit, status, amount_due, amount_recovered, entries, "
                    "waived) values (:p, :u, :s, '3000000.00', :r, :e, :w)"
                ),
                {"p": pid, "u": unit, "s": status, "r": recovered, "e": entries, "w": waived},
            )
    migrations.upgrade("accounting", engine)
    assert migrations.differences("accounting", engine) == []
    with engine.connect() as c:
        owed = {
            r.project_id: (r.amount, r.paid, r.written_off, r.status)
            for r in c.execute(
                text("select project_id, amount, paid, written_off, status from receivables order by project_id")
            )
        }
        entries = c.execute(text("select project_id, unit, kind, amount from recovery_entries order by id")).all()
        states = dict(c.execute(text("select project_id, state from accountings")).all())
    assert owed == {
        "p1": ("3000000.00", "3000000.00", "0.00", "settled"),
        "p2": ("3000000.00", "1000000.00", "2000000.00", "written_off"),
        "p3": ("3000000.00", "0.00", "0.00", "outstanding"),
    }
    assert entries == [
        ("p1", "FIN", "payment", "3000000.00"),
        ("p1", "LAND", "action", None),
        ("p2", "FIN", "payment", "1000000.00"),
    ]
    assert states == {"p1": "closed", "p2": "closed", "p3": "reported"}
    migrations.downgrade("accounting", engine, "accounting_0002")
    with engine.connect() as c:
        assert c.execute(text("select count(*) from recovery_tasks")).scalar_one() == 9


def _supervision_with_both_project_tables(engine) -> None:
    """Supervision as it kept a filed project's enterprise twice: the evaluation's link (a valid code only) and
    standard land's facts (every filed project, its code as filed)."""
    migrations.upgrade("supervision", engine, "supervision_0005")
    with engine.begin() as c:
        c.execute(
            text(
                "insert into project_enterprises (project_id, credit_code) values "
                "('p1', '91430100MA4L000010'), ('p0', '91430100MA4L000028')"
            )
        )
        c.execute(
            text(
                "insert into sl_projects (project_id, credit_code, sector, investor_name) values "
                "('p1', '91430100MA4L000010', 'C3252', '衡东铝业'), ('p2', 'bad code', 'C35', '无效代码公司')"
            )
        )


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_filed_projects_enterprise_kept_twice_is_kept_once_and_back(database, tmp_path):
    """Both tables' rows in one: the valid code kept, the sector and name added, a project only standard land knew
    added; downgraded, standard land's table again, the evaluation's link keeping every project with a code."""

    def check(engine):
        _supervision_with_both_project_tables(engine)
        migrations.upgrade("supervision", engine)
        assert migrations.differences("supervision", engine) == []
        with engine.connect() as c:
            rows = c.execute(
                text("select project_id, credit_code, sector, investor_name from project_enterprises order by 1")
            ).all()
        assert rows == [
            ("p0", "91430100MA4L000028", None, None),
            ("p1", "91430100MA4L000010", "C3252", "衡东铝业"),
            ("p2", "bad code", "C35", "无效代码公司"),
        ]
        migrations.downgrade("supervision", engine, "supervision_0005")
        with engine.connect() as c:
            assert c.execute(text("select project_id, sector from sl_projects order by 1")).all() == [
                ("p0", None),
                ("p1", "C3252"),
                ("p2", "C35"),
            ]
            assert c.execute(text("select project_id from project_enterprises order by 1")).scalars().all() == [
                "p0",
                "p1",
                "p2",
            ]

    if database == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'supervision.db'}")
        check(engine)
        engine.dispose()
        return
    with fresh_pg_database("zs_mig") as url:
        engine = create_engine(url)
        try:
            check(engine)
        finally:
            engine.dispose()
