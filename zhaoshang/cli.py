"""``zhaoshang`` — the platform's command line.

zhaoshang run        migrate every database, then start every service and the gateway (Ctrl-C stops them)
zhaoshang demo       sample projects through their whole life (zhaoshang/demo.py)
zhaoshang topology   declare every exchange and queue on RabbitMQ (deploy step)
zhaoshang migrate    bring every service's database to its latest schema (deploy step)
zhaoshang health     ask every service for its health over the bus
zhaoshang audit verify   check every audit trail's hash chain; name the first altered entry
zhaoshang create-admin USER          the first administrator (password asked)
zhaoshang add-user USER --position P --unit U   a user with a position and unit
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import warnings

from shared.config import load_config
from shared.i18n import _

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")  # before nameko is imported (below)


def cmd_run(args) -> int:
    from zhaoshang.supervisor import Platform

    config = load_config()
    if config.get("ZS_AUTO_MIGRATE", True) is not False:  # in zhaoshang migrate's order, before any service starts
        migrate_all(config, quiet=True)
    platform = Platform(log_dir=None, env={"ZS_METRICS_BASE_PORT": str(config.get("ZS_METRICS_BASE_PORT") or 0)})
    stopping = []
    signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
    print(f"Zhaoshang: starting {len(platform.services)} services on {config['AMQP_URI']}", flush=True)
    platform.start()
    try:
        platform.wait_healthy(config, timeout=90)
        print(
            f"Zhaoshang is up: http://{config['WEB_SERVER_ADDRESS']}/  (API docs: /api/openapi.json). Ctrl-C stops.",
            flush=True,
        )
        while not stopping:
            for name, code in platform.dead().items():  # a crashed service is restarted
                print(f"service {name} exited with {code}; restarting", file=sys.stderr, flush=True)
                platform.procs.pop(name)
                platform.start(name)
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping…", flush=True)
        platform.stop()
    return 0


def cmd_demo(args) -> int:
    from zhaoshang.demo import run

    return run(args.url, args.out, args.lang)


def cmd_topology(args) -> int:
    from nameko.amqp.publish import get_connection

    from shared.topology import declare_topology

    config = load_config()
    with get_connection(config["AMQP_URI"]) as conn:
        n = declare_topology(conn, quorum=bool(config.get("ZS_QUORUM_QUEUES")))
    print(f"declared {n} queues")
    return 0


def cmd_migrate(args) -> int:
    """Bring every service's database to its latest schema (or write a new revision)."""
    from shared import migrations
    from shared.db import database_url, make_engine

    config = load_config()
    if args.autogenerate:
        engine = make_engine(database_url(args.autogenerate, config))
        migrations.autogenerate(args.autogenerate, engine, args.message or "schema change")
        return 0
    migrate_all(config)
    return 0


def migrate_all(config: dict, quiet: bool = False) -> None:
    """Every service's database to head, one after the other in ``SERVICES_WITH_DATABASES``' order (a revision
    that moves rows from one service's database to another's relies on it: supervision's before notifications')."""
    from shared import migrations
    from shared.db import database_url, make_engine

    for service in migrations.SERVICES_WITH_DATABASES:
        if not migrations.has_migrations(service):
            continue
        engine = make_engine(database_url(service, config))
        migrations.upgrade(service, engine, database_url=lambda other: database_url(other, config))
        if not quiet:
            print(
                f"{service:14} at {migrations.current_revision(engine)}  "
                f"({engine.url.render_as_string(hide_password=True)})"
            )
        engine.dispose()


OPERATOR = {"user_id": "operator", "position": "system", "unit": "SYSTEM", "name": "command line"}
HOLIDAY_LOADER = {"user_id": "operator", "position": "system_administrator", "unit": "IPB", "name": "command line"}


def _password(args) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("the two passwords differ")
    return first


def cmd_users(args) -> int:
    """Create or change a user over the bus (the platform must be running)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    import shared.rpc  # noqa: F401  (typed errors and messages cross RPC as themselves)

    from shared.errors import ZhaoshangError

    data = {
        "user_id": args.user_id,
        "name": args.name or args.user_id,
        "position": args.position,
        "unit": args.unit,
        "is_admin": args.admin,
        "password": _password(args),
    }
    with ClusterRpcProxy(load_config(), timeout=30) as rpc:
        try:
            user = rpc.gateway.provision_user(OPERATOR, data)
        except ZhaoshangError as exc:
            raise SystemExit(_("refused: {reason}", reason=exc.msg).render(cli_locale())) from None
    config = load_config()
    address = f"http://{config['WEB_SERVER_ADDRESS'].replace('0.0.0.0', '127.0.0.1')}/"
    made = (
        _(
            "user {user_id} ({name}): {position:position} of {unit:unit}, administrator; sign in at {address}",
            **user,
            address=address,
        )
        if user["is_admin"]
        else _(
            "user {user_id} ({name}): {position:position} of {unit:unit}; sign in at {address}", **user, address=address
        )
    )
    print(made.render(cli_locale()))
    return 0


def cli_locale() -> str:
    """The language the command line answers an operator in: ``ZS_LANGUAGE`` (zh-CN by default, or en)."""
    import os

    from shared.i18n import normalize_locale

    return normalize_locale(os.environ.get("ZS_LANGUAGE"))


def cmd_holidays(args) -> int:
    """``zhaoshang holidays load <file>``: the official holiday schedule of one or more years (R16), in the shape of
    ``policy/holidays.yaml`` (``years: {2027: {holidays: [...], workdays: [...]}}``), loaded into the running
    platform over the bus; prints every provisional deadline that moved."""
    import yaml
    from nameko.standalone.rpc import ClusterRpcProxy

    from shared.errors import ZhaoshangError
    from shared.workdays import load_extra_years

    try:
        document = yaml.safe_load(open(args.file, encoding="utf-8").read()) or {}
        years = load_extra_years(document.get("years", document) if isinstance(document, dict) else document)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise SystemExit(f"{args.file}: {exc}") from None
    if not years:
        raise SystemExit(
            f"{args.file}: no year's schedule in it (years: {{2027: {{holidays: [...], workdays: [...]}}}})"
        )
    with ClusterRpcProxy(load_config(), timeout=60) as rpc:
        for year, entry in sorted(years.items()):
            data = {key: [d.isoformat() for d in entry[key]] for key in ("holidays", "workdays")}
            try:
                answer = rpc.gateway.load_holiday_schedule(HOLIDAY_LOADER, year, data)
            except ZhaoshangError as exc:
                raise SystemExit(f"{year}: refused: {exc.message}") from None
            print(
                f"{year}: loaded in {', '.join(answer['loaded_in'])} — {len(data['holidays'])} days off, "
                f"{len(data['workdays'])} make-up working days; {len(answer['moved'])} provisional deadline(s) moved"
            )
            for item in answer["moved"]:
                print(
                    f"  {item['ref']} {item['what']}: {item['from']} → {item['to']}"
                    f"{' (still provisional)' if item['provisional'] else ''}"
                )
    return 0


def cmd_audit(args) -> int:
    """``zhaoshang audit verify``: walk every service's audit trail against the signed anchors the gateway keeps
    (shared/anchors.py); report the first altered entry, a rewritten or truncated trail, a forged anchor."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import Session

    from services.gateway import anchoring
    from shared import anchors, audit, migrations
    from shared.db import database_url, make_engine

    config = load_config()
    key = anchors.key_of(config)
    gateway = make_engine(database_url("gateway", config))
    kept = inspect(gateway).has_table("audit_anchors")
    if key is None:
        print(
            "no anchoring key (ZS_AUDIT_ANCHOR_KEY, or audit-anchor.key in the data folder): the anchors' "
            "signatures are not checked"
        )
    bad = 0
    for service in migrations.SERVICES_WITH_DATABASES:
        metadata = migrations.metadata_of(service) if migrations.has_migrations(service) else None
        if metadata is None or "audit_trail" not in metadata.tables:
            continue
        engine = make_engine(database_url(service, config))
        if not inspect(engine).has_table("audit_trail"):
            print(f"{service:14} no audit trail yet")
            continue
        with Session(gateway) as session:
            kept_anchors = anchoring.anchors_of(session, service) if kept else []
        fake = anchors.forged(key, kept_anchors) if key else None
        with Session(engine) as session:
            result = audit.verify(
                session, metadata.tables["audit_trail"], anchors=[(a.seq, a.hash) for a in kept_anchors]
            )
        engine.dispose()
        if fake is not None:
            bad += 1
            print(
                f"{service:14} ANCHOR FORGED — the anchor of entry #{fake.seq} ({fake.anchored_at.isoformat()}) is "
                "not signed with the anchoring key: the anchors were edited"
            )
        elif result.ok:
            print(f"{service:14} ok — {result.entries} entries, every hash chained, {len(kept_anchors)} anchors match")
        else:
            bad += 1
            what = "TRUNCATED" if result.problem.startswith("truncated") else "ALTERED"
            print(
                f"{service:14} {what} — the first altered entry is #{result.first_bad_seq}: {result.problem} "
                f"({result.entries} entries before it are intact)"
            )
    gateway.dispose()
    return 1 if bad else 0


def cmd_authz_table(args) -> int:
    from shared.policy import load_policy
    from zhaoshang.authorization import render

    print(render(load_policy(load_config().get("ZS_POLICY_DIR"))), end="")
    return 0


def cmd_health(args) -> int:
    from zhaoshang.healthcheck import check
    from zhaoshang.runner import SERVICES

    config = load_config()
    bad = 0
    for name in SERVICES:
        if name == "gateway":
            continue
        try:
            print(f"{name:14} {check(name, 3, config)['status']}")
        except Exception as exc:
            bad += 1
            print(f"{name:14} down ({type(exc).__name__})")
    return 1 if bad else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="zhaoshang", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start every service and the gateway").set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="two sample projects through the joint review (approved and rejected)")
    demo.add_argument("--url", default=None, help="gateway base URL (default: from config)")
    demo.add_argument("--out", default="var/demo", help="folder the demo writes the accounting report to")
    demo.add_argument(
        "--lang",
        default=None,
        choices=("zh-CN", "en"),
        help="the language the API answers the demo in (default: Chinese, as the county's staff read it)",
    )
    demo.set_defaults(func=cmd_demo)
    sub.add_parser("topology", help="declare every exchange and queue").set_defaults(func=cmd_topology)
    migrate = sub.add_parser("migrate", help="bring every service's database to its latest schema")
    migrate.add_argument("--autogenerate", metavar="SERVICE", help="write the next revision of SERVICE from its models")
    migrate.add_argument("-m", "--message", help="the new revision's message")
    migrate.set_defaults(func=cmd_migrate)
    sub.add_parser("health", help="health of every service").set_defaults(func=cmd_health)
    holidays_cmd = sub.add_parser("holidays", help="load a year's official holiday schedule (R16)")
    holidays_cmd.add_argument("action", choices=["load"])
    holidays_cmd.add_argument(
        "file", help="YAML in the shape of policy/holidays.yaml: years: {2027: {holidays: […], workdays: […]}}"
    )
    holidays_cmd.set_defaults(func=cmd_holidays)
    audit_cmd = sub.add_parser("audit", help="the tamper-evident audit trails")
    audit_cmd.add_argument("action", choices=["verify"])
    audit_cmd.set_defaults(func=cmd_audit)
    sub.add_parser("authz-table", help="print the authorization table (docs/AUTHORIZATION.md)").set_defaults(
        func=cmd_authz_table
    )
    messages = sub.add_parser("messages", help="the message catalogue: extract the code's texts, check translations")
    messages.add_argument("action", choices=["update", "check"])
    messages.set_defaults(
        func=lambda args: __import__("zhaoshang.messages", fromlist=["cmd_messages"]).cmd_messages(args)
    )
    for command, help_text, defaults in (
        (
            "create-admin",
            "create the first administrator (or another one)",
            {"position": "system_administrator", "unit": "IPB", "admin": True},
        ),
        ("add-user", "create or change a user with a position and a unit", {"admin": False}),
    ):
        users = sub.add_parser(command, help=help_text)
        users.add_argument("user_id")
        users.add_argument("--name")
        users.add_argument("--position", required="position" not in defaults, default=defaults.get("position"))
        users.add_argument(
            "--unit",
            required="unit" not in defaults,
            default=defaults.get("unit"),
            help="IPB, LG, DRB, …, PARK:<id>, TOWN:<id>",
        )
        if command == "add-user":
            users.add_argument("--admin", action="store_true", default=False)
        users.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        users.set_defaults(
            func=cmd_users, **{k: v for k, v in defaults.items() if k == "admin" and command != "add-user"}
        )
    args = parser.parse_args(argv)
    if getattr(args, "url", "x") is None:
        args.url = "http://" + load_config()["WEB_SERVER_ADDRESS"].replace("0.0.0.0", "127.0.0.1")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
