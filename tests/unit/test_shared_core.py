"""The shared core: config, actor and authority, envelope, policy, errors, schema helpers, column types."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shared.actor import SYSTEM, Actor, authorize, is_allowed
from shared.config import load_config, substitute
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotAllowed, NotFound, ZhaoshangError
from shared.policy import DEFAULT_POLICY_DIR, REQUIRED, PolicyError, load_policy
from shared.schema import flatten_messages, load_or_invalid

SHANGHAI = ZoneInfo("Asia/Shanghai")

# --- config ------------------------------------------------------------------------------


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "zs.yaml"
    path.write_text(
        "\n".join(
            [
                "AMQP_URI: ${AMQP_URI:pyamqp://guest:guest@localhost:5672/}",
                "MAX_ATTEMPTS: ${ZS_MAX:5}",
                "DELAY: ${ZS_DELAY:0.5}",
                "ENABLED: ${ZS_ENABLED:false}",
                "EMPTY: ${ZS_EMPTY:}",
                "NO_DEFAULT: ${ZS_NO_DEFAULT}",
                "LABEL: 'county ${ZS_COUNTY:sample} v${ZS_VER:1}'",
                "PLAIN: just text",
                "NUMBER: 7",
                "nested:",
                "  port: ${ZS_PORT:8000}",
                "  hosts: ['${ZS_H1:a.example}', 'static']",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def test_config_defaults_are_typed(config_file):
    config = load_config(config_file, env={})
    assert config["AMQP_URI"] == "pyamqp://guest:guest@localhost:5672/"
    assert config["MAX_ATTEMPTS"] == 5 and type(config["MAX_ATTEMPTS"]) is int
    assert config["DELAY"] == 0.5
    assert config["ENABLED"] is False
    assert config["EMPTY"] is None
    assert config["NO_DEFAULT"] is None
    assert config["PLAIN"] == "just text"
    assert config["NUMBER"] == 7
    assert config["nested"]["port"] == 8000
    assert config["nested"]["hosts"] == ["a.example", "static"]


def test_config_embedded_substitution_stays_a_string(config_file):
    assert load_config(config_file, env={})["LABEL"] == "county sample v1"
    assert load_config(config_file, env={"ZS_COUNTY": "xintang", "ZS_VER": "2"})["LABEL"] == "county xintang v2"


def test_config_env_overrides_default(config_file):
    env = {
        "AMQP_URI": "pyamqp://u:p@rabbit:5672/zs",
        "ZS_MAX": "9",
        "ZS_ENABLED": "true",
        "ZS_EMPTY": "x",
        "ZS_PORT": "9100",
        "ZS_H1": "b.example",
        "ZS_NO_DEFAULT": "given",
    }
    config = load_config(config_file, env=env)
    assert config["AMQP_URI"] == "pyamqp://u:p@rabbit:5672/zs"
    assert config["MAX_ATTEMPTS"] == 9
    assert config["ENABLED"] is True
    assert config["EMPTY"] == "x"
    assert config["NO_DEFAULT"] == "given"
    assert config["nested"]["port"] == 9100
    assert config["nested"]["hosts"] == ["b.example", "static"]


def test_config_env_set_to_empty_string_wins_over_default(config_file):
    assert load_config(config_file, env={"ZS_MAX": ""})["MAX_ATTEMPTS"] is None


def test_config_path_from_env(config_file):
    assert load_config(env={"ZS_CONFIG": str(config_file)})["MAX_ATTEMPTS"] == 5


def test_substitute_in_text():
    assert substitute("a ${X:1} b ${Y:two} c ${Z}", {"Y": "2"}) == "a 1 b 2 c "


def test_shipped_config_loads():
    config = load_config(env={})
    assert isinstance(config, dict) and config


# --- actor and authority ---------------------------------------------------------------------


def test_actor_load_valid():
    actor = Actor.load({"user_id": "u1", "position": "park_head:hengdong", "unit": "PARK:hengdong", "name": "Li"})
    assert actor == Actor("u1", "park_head:hengdong", "PARK:hengdong", "Li")
    assert Actor.load(actor) is actor
    assert actor.dump() == {"user_id": "u1", "position": "park_head:hengdong", "unit": "PARK:hengdong", "name": "Li"}
    assert Actor.load({"user_id": "u2", "position": "ipb_clerk", "unit": "IPB"}).name is None


@pytest.mark.parametrize("unit", ["ipb", "PARK:", "PARK:Hengdong", "PARKS:x", "MOON", "TOWN:a b", ""])
def test_actor_bad_unit(unit):
    with pytest.raises(InvalidInput) as info:
        Actor.load({"user_id": "u1", "position": "p", "unit": unit})
    assert "actor.unit" in info.value.details


@pytest.mark.parametrize("missing", ["user_id", "position", "unit"])
def test_actor_missing_field(missing):
    data = {"user_id": "u1", "position": "p", "unit": "IPB"}
    del data[missing]
    with pytest.raises(InvalidInput) as info:
        Actor.load(data)
    assert f"actor.{missing}" in info.value.details


@pytest.mark.parametrize("data", [None, "IPB", ["u", "p", "IPB"]])
def test_actor_not_a_mapping(data):
    with pytest.raises(InvalidInput) as info:
        Actor.load(data)
    assert "actor" in info.value.details


RULES = {
    "park.read": {"units": ["PARK:*"]},
    "park.decide": {"positions": ["park_head:{park}"]},
    "lead.read": {"units": ["IPB", "{owner_unit}"]},
    "contract.sign": {"positions": ["county_magistrate"], "units": []},
    "empty.rule": {},
}

IPB = Actor("u1", "ipb_clerk", "IPB")
HENGDONG_HEAD = Actor("u2", "park_head:hengdong", "PARK:hengdong")
HEXI_STAFF = Actor("u3", "park_promotion:hexi", "PARK:hexi")
TOWN = Actor("u4", "town_head:xintang", "TOWN:xintang")
MAGISTRATE = Actor("u5", "county_magistrate", "LG")


def test_deny_by_default():
    for actor in (IPB, HENGDONG_HEAD, MAGISTRATE, SYSTEM):
        assert not is_allowed(actor, "no.such_operation", RULES)
        assert not is_allowed(actor, "empty.rule", RULES)
        with pytest.raises(NotAllowed):
            authorize(actor, "no.such_operation", RULES)


def test_unit_pattern():
    assert is_allowed(HENGDONG_HEAD, "park.read", RULES)
    assert is_allowed(HEXI_STAFF, "park.read", RULES)
    assert not is_allowed(TOWN, "park.read", RULES)
    assert not is_allowed(IPB, "park.read", RULES)


def test_position_rule():
    assert is_allowed(MAGISTRATE, "contract.sign", RULES)
    assert not is_allowed(Actor("u6", "county_magistrate_assistant", "LG"), "contract.sign", RULES)
    assert not is_allowed(Actor("u7", "party_secretary", "LG"), "contract.sign", RULES)


def test_context_placeholders():
    assert is_allowed(HENGDONG_HEAD, "park.decide", RULES, park="hengdong")
    assert not is_allowed(HENGDONG_HEAD, "park.decide", RULES, park="hexi")
    # without the context value the placeholder rule admits nobody
    assert not is_allowed(HENGDONG_HEAD, "park.decide", RULES)
    assert is_allowed(TOWN, "lead.read", RULES, owner_unit="TOWN:xintang")
    assert not is_allowed(TOWN, "lead.read", RULES, owner_unit="TOWN:shiwan")
    assert not is_allowed(TOWN, "lead.read", RULES)
    assert is_allowed(IPB, "lead.read", RULES)  # IPB needs no context


def test_not_allowed_names_operation_and_position():
    with pytest.raises(NotAllowed) as info:
        authorize(HEXI_STAFF, "park.decide", RULES, park="hengdong")
    assert "park.decide" in info.value.message
    assert "park_promotion:hexi" in info.value.message
    assert info.value.details == {"operation": "park.decide", "position": "park_promotion:hexi", "unit": "PARK:hexi"}
    assert authorize(HENGDONG_HEAD, "park.decide", RULES, park="hengdong") is None


def test_sample_authority():
    authority = load_policy().authority
    park_staff = Actor("u8", "park_promotion:hengdong", "PARK:hengdong")
    ipb_director = Actor("u9", "ipb_director", "IPB")
    fin = Actor("u10", "fin_clerk", "FIN")

    assert is_allowed(IPB, "intake.register_lead", authority)
    assert is_allowed(park_staff, "intake.register_lead", authority)
    assert is_allowed(TOWN, "intake.register_lead", authority)
    assert not is_allowed(fin, "intake.register_lead", authority)

    assert is_allowed(IPB, "intake.file_project", authority)
    assert not is_allowed(park_staff, "intake.file_project", authority)
    with pytest.raises(NotAllowed) as info:
        authorize(park_staff, "intake.file_project", authority)
    assert info.value.details["operation"] == "intake.file_project"
    assert "file a project" in info.value.message and "Hengdong Industrial Park" in info.value.message

    assert is_allowed(park_staff, "intake.read_lead", authority, owner_unit="PARK:hengdong")
    assert not is_allowed(park_staff, "intake.read_lead", authority, owner_unit="TOWN:xintang")
    assert is_allowed(MAGISTRATE, "intake.read_lead", authority, owner_unit="TOWN:xintang")  # LG reads

    assert is_allowed(ipb_director, "coordinator.terminate_project", authority)
    assert not is_allowed(IPB, "coordinator.terminate_project", authority)  # a clerk is IPB but not the director
    assert is_allowed(IPB, "intake.confirm_not_duplicate", authority)
    assert not is_allowed(fin, "intake.confirm_not_duplicate", authority)

    assert not is_allowed(ipb_director, "contracts.sign_anything", authority)


# --- envelope ------------------------------------------------------------------------------


ACTOR = Actor("u1", "ipb_clerk", "IPB", "Wang")


def test_envelope_round_trip():
    at = datetime(2026, 3, 5, 9, 30, 15, 123456, tzinfo=SHANGHAI)
    env = Envelope(
        "intake.project_filed",
        ACTOR,
        {"ref": "ZS-2026-0001", "amount": "12.30"},
        project_id="p-1",
        occurred_at=at,
        schema_version=2,
    )
    body = env.dump()
    assert body["type"] == "intake.project_filed"
    assert isinstance(body["occurred_at"], str) and body["occurred_at"].endswith("+08:00")
    back = Envelope.load(body)
    assert back == env
    assert back.occurred_at.tzinfo is not None and back.occurred_at == at
    assert back.occurred_at.utcoffset() == timedelta(hours=8)
    assert back.actor == ACTOR
    assert back.payload == {"ref": "ZS-2026-0001", "amount": "12.30"}
    assert back.event_id == env.event_id and back.project_id == "p-1" and back.schema_version == 2
    assert back.source == "intake" and back.name == "project_filed"


def test_envelope_defaults():
    env = Envelope("review.convened", ACTOR, {})
    assert len(env.event_id) >= 8
    assert env.occurred_at.tzinfo is not None and env.occurred_at.utcoffset() == timedelta(hours=8)
    assert Envelope("review.convened", ACTOR, {}).event_id != env.event_id
    back = Envelope.load(env.dump())
    assert back.occurred_at == env.occurred_at and back.schema_version == 1


def test_envelope_utc_time_equal_instant():
    at = datetime(2026, 3, 5, 1, 0, tzinfo=timezone.utc)
    back = Envelope.load(Envelope("intake.lead_registered", ACTOR, {}, occurred_at=at).dump())
    assert back.occurred_at == at


def _body(**changes):
    body = Envelope("intake.project_filed", ACTOR, {"a": 1}, occurred_at=datetime(2026, 1, 2, tzinfo=SHANGHAI)).dump()
    body.update(changes)
    return body


def test_envelope_missing_type():
    body = _body()
    del body["type"]
    with pytest.raises(InvalidInput) as info:
        Envelope.load(body)
    assert "type" in info.value.details


@pytest.mark.parametrize("bad", ["Intake", "intake", "Intake.Filed", "intake.project-filed", "a.b.c", ""])
def test_envelope_bad_type_format(bad):
    with pytest.raises(InvalidInput) as info:
        Envelope.load(_body(type=bad))
    assert "type" in info.value.details


def test_envelope_naive_datetime():
    with pytest.raises(InvalidInput) as info:
        Envelope.load(_body(occurred_at="2026-01-02T08:00:00"))
    assert "occurred_at" in info.value.details


@pytest.mark.parametrize("field", ["event_id", "occurred_at", "actor", "payload"])
def test_envelope_missing_required(field):
    body = _body()
    del body[field]
    with pytest.raises(InvalidInput) as info:
        Envelope.load(body)
    assert field in info.value.details


def test_envelope_bad_actor():
    with pytest.raises(InvalidInput):
        Envelope.load(_body(actor={"user_id": "u", "position": "p", "unit": "nowhere"}))


@pytest.mark.parametrize("body", [None, "intake.project_filed", ["type"], 3])
def test_envelope_not_a_dict(body):
    with pytest.raises(InvalidInput) as info:
        Envelope.load(body)
    assert "envelope" in info.value.details


# --- policy --------------------------------------------------------------------------------


def test_sample_policy_loads():
    policy = load_policy()
    assert set(policy.parks) == {"hengdong", "hexi"}
    assert policy.parks["hengdong"].unit == "PARK:hengdong"
    assert policy.parks["hengdong"].head_position == "park_head:hengdong"
    assert policy.parks["hengdong"].covers("C3451") and not policy.parks["hengdong"].covers("C1310")
    assert policy.parks["hexi"].covers("C1310")
    assert {"xintang", "shiwan", "yangqiao"} <= set(policy.towns)
    assert policy.towns["xintang"].unit == "TOWN:xintang"
    assert "fair" in policy.source_channels
    assert policy.decimal("thresholds.decision.land_threshold_mu") == Decimal("60")
    assert isinstance(policy.decimal("thresholds.decision.land_threshold_mu"), Decimal)
    assert policy.integer("thresholds.review.period_working_days") == 10
    assert policy.integer("thresholds.contracts.minimum_copies") == 8
    assert policy.location_exists("park", "hexi") and not policy.location_exists("park", "xintang")
    assert policy.location_exists("town", "xintang") and policy.location_exists("open", None)
    assert not policy.location_exists("open", "hexi") and not policy.location_exists("moon", "x")
    assert policy.industry_sections["C"] == [13, 43]
    assert len(policy.fingerprint) == 64


def test_policy_missing_key_names_it():
    policy = load_policy()
    with pytest.raises(PolicyError) as info:
        policy.get("thresholds.decision.no_such_threshold")
    assert "thresholds.decision.no_such_threshold" in str(info.value)
    with pytest.raises(PolicyError) as info:
        policy.decimal("thresholds.nothing_here")
    assert "thresholds.nothing_here" in str(info.value)


@pytest.fixture
def policy_copy(tmp_path):
    directory = tmp_path / "policy"
    shutil.copytree(DEFAULT_POLICY_DIR, directory)
    return directory


def test_policy_copy_is_equal(policy_copy):
    assert load_policy(policy_copy).fingerprint == load_policy().fingerprint


def test_policy_float_value_refused(policy_copy):
    path = policy_copy / "thresholds.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'land_threshold_mu: "60"' in text
    path.write_text(text.replace('land_threshold_mu: "60"', "land_threshold_mu: 60.5"), encoding="utf-8")
    policy = load_policy(policy_copy)
    with pytest.raises(PolicyError) as info:
        policy.decimal("thresholds.decision.land_threshold_mu")
    assert "thresholds.decision.land_threshold_mu" in str(info.value)
    assert policy.fingerprint != load_policy().fingerprint


@pytest.mark.parametrize("name", REQUIRED)
def test_policy_missing_file_refused(policy_copy, name):
    (policy_copy / f"{name}.yaml").unlink()
    with pytest.raises(PolicyError) as info:
        load_policy(policy_copy)
    assert f"{name}.yaml" in str(info.value)


def test_policy_bad_yaml_refused(policy_copy):
    (policy_copy / "county.yaml").write_text("parks: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(policy_copy)
    assert "county.yaml" in str(info.value)


def test_policy_malformed_county_refused(policy_copy):
    (policy_copy / "county.yaml").write_text("version: x\nparks: []\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(policy_copy)
    assert "county.yaml" in str(info.value)


# --- errors across nameko's serialisation -------------------------------------------------------


@pytest.mark.parametrize(
    "cls, status, code",
    [
        (InvalidInput, 422, "invalid_input"),
        (NotFound, 404, "not_found"),
        (NotAllowed, 403, "not_allowed"),
        (Conflict, 409, "conflict"),
    ],
)
def test_errors_survive_nameko_serialisation(cls, status, code):
    import json

    from nameko.exceptions import deserialize, serialize

    import shared.rpc  # noqa: F401  (registers the typed errors with nameko)
    from services.gateway.edge import HTTP_STATUS

    original = cls("m", {"f": ["r"]})
    wire = json.loads(json.dumps(serialize(original)))  # as it travels over AMQP
    back = deserialize(wire)
    assert type(back) is cls
    assert isinstance(back, ZhaoshangError)
    assert back.message == "m" and str(back) == "m"
    assert back.details == {"f": ["r"]}
    assert HTTP_STATUS[back.code] == status and back.code == code
    assert back.to_dict() == {"error": code, "message": "m", "details": {"f": ["r"]}}


def test_error_without_details_survives():
    from nameko.exceptions import deserialize, serialize

    import shared.rpc  # noqa: F401  (registers the typed errors with nameko)

    back = deserialize(serialize(Conflict("only a message")))
    assert type(back) is Conflict and back.message == "only a message" and back.details == {}


def test_invalid_input_for_field():
    error = InvalidInput.for_field("sector", "bad code")
    assert error.details == {"sector": ["bad code"]} and error.fields == error.details
    assert "sector" in error.message


# --- schema helpers -------------------------------------------------------------------------------


def test_flatten_nested_messages():
    messages = {
        "investor": {"credit_code": ["bad check character"], "name": ["Missing data for required field."]},
        "land_demand": {"unit": ["Must be one of: mu."], "_schema": ["whole land invalid"]},
        "tags": {0: ["Not a valid string."], 2: ["Too long."]},
        "items": [{"qty": ["must be positive"]}, {"sku": ["unknown"]}],
        "_schema": ["top-level problem"],
        "sector": "a bare string",
    }
    assert flatten_messages(messages) == {  # marshmallow's own texts become the catalogue's
        "investor.credit_code": ["bad check character"],
        "investor.name": ["required"],
        "land_demand.unit": ["must be one of: mu"],
        "land_demand": ["whole land invalid"],
        "tags.0": ["must be text"],
        "tags.2": ["Too long."],
        "items[0].qty": ["must be positive"],
        "items[1].sku": ["unknown"],
        "body": ["top-level problem"],
        "sector": ["a bare string"],
    }


def test_flatten_top_level_list_and_prefix():
    assert flatten_messages(["a", "b"]) == {"body": ["a", "b"]}
    assert flatten_messages({"x": ["y"]}, "actor") == {"actor.x": ["y"]}


def test_load_or_invalid_with_real_nested_schema():
    from marshmallow import Schema, fields

    class Inner(Schema):
        n = fields.Integer(required=True)

    class Outer(Schema):
        inner = fields.Nested(Inner, required=True)
        many = fields.List(fields.Nested(Inner))

    with pytest.raises(InvalidInput) as info:
        load_or_invalid(Outer(), {"inner": {"n": "x"}, "many": [{"n": 1}, {}]})
    assert info.value.details == {"inner.n": ["must be a whole number"], "many.1.n": ["required"]}
    assert "inner.n" in info.value.message
    assert load_or_invalid(Outer(), {"inner": {"n": "3"}}) == {"inner": {"n": 3}}
    with pytest.raises(InvalidInput) as info:
        load_or_invalid(Outer(), ["inner"])
    assert info.value.details == {"body": ["must be a JSON object"]}


# --- column types ---------------------------------------------------------------------------------


@pytest.fixture
def sqlite_table():
    from sqlalchemy import Column, Integer, MetaData, Table, create_engine

    from shared.types import UtcDateTime, land_column_type, money_column_type

    engine = create_engine("sqlite://")
    metadata = MetaData()
    table = Table(
        "t",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("money", money_column_type()),
        Column("land", land_column_type()),
        Column("at", UtcDateTime()),
    )
    metadata.create_all(engine)
    yield engine, table
    engine.dispose()


def test_money_round_trip_is_exact(sqlite_table):
    engine, table = sqlite_table
    values = [Decimal("12345678901234.56"), Decimal("0.01"), Decimal("99999999999999.99"), Decimal("-0.10")]
    with engine.begin() as conn:
        for i, v in enumerate(values):
            conn.execute(table.insert().values(id=i, money=v, land=Decimal("60.00")))
    with engine.connect() as conn:
        rows = conn.execute(table.select().order_by(table.c.id)).mappings().all()
    for row, v in zip(rows, values):
        assert isinstance(row["money"], Decimal)
        assert row["money"] == v and str(row["money"]) == str(v)
        assert row["land"] == Decimal("60.00")


def test_money_null_round_trip(sqlite_table):
    engine, table = sqlite_table
    with engine.begin() as conn:
        conn.execute(table.insert().values(id=1, money=None, at=None))
    with engine.connect() as conn:
        row = conn.execute(table.select()).mappings().one()
    assert row["money"] is None and row["at"] is None


def test_utc_datetime_round_trip(sqlite_table):
    engine, table = sqlite_table
    at = datetime(2026, 1, 2, 0, 30, 5, 250000, tzinfo=SHANGHAI)  # 2026-01-01 16:30:05.25 UTC
    with engine.begin() as conn:
        conn.execute(table.insert().values(id=1, at=at))
    with engine.connect() as conn:
        back = conn.execute(table.select()).mappings().one()["at"]
    assert back.tzinfo is not None
    assert back.utcoffset() == timedelta(0)
    assert back == at
    assert (back.year, back.month, back.day, back.hour) == (2026, 1, 1, 16)


def test_utc_datetime_refuses_naive(sqlite_table):
    from sqlalchemy.exc import StatementError

    engine, table = sqlite_table
    with pytest.raises(StatementError) as info:
        with engine.begin() as conn:
            conn.execute(table.insert().values(id=1, at=datetime(2026, 1, 2, 8, 0)))
    assert isinstance(info.value.orig, ValueError)
    assert "naive" in str(info.value.orig)
    with engine.connect() as conn:
        assert conn.execute(table.select()).first() is None


def test_an_envelope_is_dumped_once_and_each_caller_gets_its_own_dict(monkeypatch):
    env = Envelope("intake.project_filed", ACTOR, {"a": 1}, project_id="p-1")
    calls = []
    real = Envelope._dump
    monkeypatch.setattr(Envelope, "_dump", lambda self: calls.append(self) or real(self))
    first = env.dump()
    first["type"] = "changed.by_a_caller"
    second = env.dump()
    assert len(calls) == 1 and second["type"] == "intake.project_filed" and second["payload"] == {"a": 1}
    assert Envelope.load(second) == env  # the cache is no field: equality and round trip unchanged


def _schema_load(body):
    """What ``EnvelopeSchema`` alone makes of ``body``: the envelope, or the error it raises."""
    from marshmallow import ValidationError

    from shared.envelope import EnvelopeSchema
    from shared.schema import schema

    try:
        data = schema(EnvelopeSchema).load(dict(body))
    except ValidationError as exc:
        return ("refused", sorted(exc.messages))
    data["actor"] = Actor(**data["actor"])
    return Envelope(**data)


def _bodies():
    """Well-formed bodies of several shapes, and each broken in the ways a wire can break it."""
    at = datetime(2026, 3, 5, 9, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    good = [
        Envelope(
            "intake.project_filed",
            ACTOR,
            {"ref": "ZS-1", "n": [1, {"a": None}]},
            project_id="p-1",
            occurred_at=at,
            schema_version=2,
        ).dump(),
        Envelope("coordinator.project_state_changed", SYSTEM, {}, occurred_at=at.astimezone(timezone.utc)).dump(),
        Envelope("review.opinion_recorded", Actor("u", "park_head:hexi", "PARK:hexi"), {"x": 1}, project_id="").dump(),
    ]
    bad_values = {
        "event_id": [None, 12345678, b"abcdefgh", "short", "x" * 65, "x" * 64, "x" * 8],
        "type": [None, "Intake.filed", "intake", "intake.filed\n", "intake.filed.x", b"intake.filed", "a.b_c"],
        "occurred_at": [
            None,
            "2026-03-05T09:30:15",
            "2026-03-05",
            "not a time",
            1700000000,
            "2026-03-05T09:30:15Z",
            "2026-03-05 09:30:15+08:00",
            at,
        ],
        "project_id": [None, 7, b"p", ""],
        "payload": [None, [], "x", {"k": 1}, 5],
        "schema_version": [None, 0, -1, "2", 2.0, True, 3, 2.5],
        "actor": [
            None,
            "u1",
            {"user_id": "u1", "position": "ipb_clerk"},
            {**ACTOR.dump(), "extra": 1},
            {**ACTOR.dump(), "unit": "NOWHERE"},
            {**ACTOR.dump(), "unit": "IPB\n"},
            {**ACTOR.dump(), "user_id": ""},
            {**ACTOR.dump(), "position": "p" * 81},
            {**ACTOR.dump(), "name": 5},
            {**ACTOR.dump(), "name": None},
            {"user_id": "u1", "position": "ipb_clerk", "unit": "TOWN:xintang"},
            {**ACTOR.dump(), "user_id": b"u1"},
        ],
    }
    for body in good:
        yield body
        for key in body:
            yield {k: v for k, v in body.items() if k != key}  # a key missing
        yield {**body, "unexpected": 1}
        for key, values in bad_values.items():
            for value in values:
                yield {**body, key: value}


def test_a_well_formed_envelope_loads_as_the_schema_loads_it_and_anything_else_is_left_to_the_schema():
    from shared.envelope import _well_formed

    fast_taken = 0
    for body in _bodies():
        expected = _schema_load(body)
        fast = _well_formed(body)
        if fast is not None:
            fast_taken += 1
            assert not isinstance(expected, tuple), (body, expected)  # never accepts what the schema refuses
            assert fast == expected and type(fast.occurred_at) is type(expected.occurred_at)
            assert fast.occurred_at.utcoffset() == expected.occurred_at.utcoffset()
            assert fast.payload is not body["payload"]  # the envelope's own dict, as the schema gives
        try:
            loaded = Envelope.load(body)
        except InvalidInput:
            assert isinstance(expected, tuple), body
        else:
            assert loaded == expected, body
    assert fast_taken >= 30  # the common shape takes the fast path


def test_a_well_formed_actor_loads_as_the_schema_loads_it_and_anything_else_is_left_to_the_schema():
    from marshmallow import ValidationError

    from shared.actor import ActorSchema, well_formed_actor
    from shared.schema import schema

    good = [ACTOR.dump(), SYSTEM.dump(), {"user_id": "u", "position": "park_head:hexi", "unit": "PARK:hexi"}]
    variants = (
        [{"user_id": v} for v in (None, "", "u" * 64, "u" * 65, 7, b"u")]
        + [{"position": v} for v in (None, "", "p" * 80, "p" * 81, 3)]
        + [{"unit": v} for v in (None, "NOWHERE", "IPB\n", "TOWN:xintang", "PARK:Hexi", 1)]
        + [{"name": v} for v in (None, "", 5, b"n")]
        + [{"extra": 1}]
    )
    taken = 0
    for base in good:
        for body in [
            base,
            *({**base, **v} for v in variants),
            *({k: x for k, x in base.items() if k != key} for key in base),
        ]:
            try:
                expected = Actor(**schema(ActorSchema).load(dict(body)))
            except ValidationError:
                expected = None
            fast = well_formed_actor(body)
            if fast is not None:
                taken += 1
                assert fast == expected, body
    assert taken >= 15
    with pytest.raises(InvalidInput) as refused:  # Actor.load: the schema still names what is wrong
        Actor.load({**ACTOR.dump(), "unit": "NOWHERE"})
    assert "actor.unit" in refused.value.details
    with pytest.raises(InvalidInput):  # and a scoped position of another unit is still refused after the fast path
        Actor.load({"user_id": "u", "position": "park_head:hexi", "unit": "PARK:hengdong"})


def test_an_envelope_dumps_as_its_schema_dumps_it_key_order_included():
    import json

    for body in _bodies():
        loaded = _schema_load(body)
        if isinstance(loaded, tuple):
            continue
        fast, slow = loaded._dump(), loaded._schema_dump()
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(slow, ensure_ascii=False)  # the outbox row's text
    from types import MappingProxyType

    odd = Envelope("intake.project_filed", ACTOR, MappingProxyType({"a": 1}))  # another shape: the schema dumps it
    assert odd.dump() == odd._schema_dump() and odd.dump()["payload"] == {"a": 1}
