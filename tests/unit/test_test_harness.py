"""The test harness's decision: use what answers, start the rest from compose, or stop with one message."""

from __future__ import annotations

from tests.infra import docker_engine_available, plan, prepare


def test_everything_up_uses_it():
    assert plan(True, True, engine=False).action == "use"


def test_missing_services_with_an_engine_are_started_from_compose():
    chosen = plan(False, True, engine=True)
    assert chosen.action == "compose" and chosen.start == ("rabbitmq",)
    up, down = chosen.commands
    assert up[:2] == ("docker", "compose") and "--wait" in up and up[-1] == "rabbitmq"
    assert up[up.index("-f") + 1].endswith("docker-compose.yml") and down[-2:] == ("down", "-v")


def test_missing_services_without_an_engine_stop_with_one_clear_message():
    chosen = plan(False, False, engine=False)
    assert chosen.action == "stop" and chosen.start == ("rabbitmq", "postgres")
    assert "RabbitMQ" in chosen.message and "PostgreSQL" in chosen.message and "Docker engine" in chosen.message


def test_on_this_machine_the_local_services_are_used():
    assert isinstance(docker_engine_available(), bool)  # here: False, only the Docker client is installed
    assert prepare().action == "use"  # ./zs test made sure RabbitMQ and PostgreSQL answer
