"""The gateway's health board (services/gateway/health.py): ``/api/health`` from each service's latest answer, a
service silent longer than the policy reported down, and one round of asking shared by the requests meanwhile."""

from __future__ import annotations

import eventlet

from services.gateway import health
from services.gateway.health import NO_ANSWER, OK, Answer, Board, HealthRules
from shared.policy import load_policy

RULES = HealthRules.of(load_policy())
NAMES = ("intake", "review", "coordinator")


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_the_numbers_are_the_policys():
    p = load_policy().get("security.health")
    assert (RULES.ask_every, RULES.down_after, RULES.wait) == (
        p["ask_every_seconds"],
        p["down_after_seconds"],
        p["wait_seconds"],
    )
    assert RULES.ask_every < RULES.down_after  # a service is asked more than once before it is called down


def test_a_service_is_as_it_last_answered_until_its_answer_is_older_than_the_policy_allows():
    answers = {"intake": Answer(OK, 100.0), "review": Answer("down: RemoteError", 100.0)}
    found = health.standing(answers, NAMES, RULES, 100.0 + RULES.down_after)
    assert found["intake"] == {"status": OK, "age_seconds": RULES.down_after}
    assert found["review"]["status"] == "down: RemoteError"
    assert found["coordinator"] == {"status": NO_ANSWER, "age_seconds": None}  # never heard from: down
    later = health.standing(answers, NAMES, RULES, 100.0 + RULES.down_after + 0.5)
    assert later["intake"]["status"] == NO_ANSWER and later["intake"]["age_seconds"] == RULES.down_after + 0.5
    body, status = health.summary(found)
    assert status == 503 and body["status"] == "degraded"
    assert body["services"] == {"intake": OK, "review": "down: RemoteError", "coordinator": NO_ANSWER}
    assert health.summary(health.standing(answers, ("intake",), RULES, 100.0)) == (
        {"status": "ok", "services": {"intake": OK}, "age_seconds": {"intake": 0.0}},
        200,
    )


def test_a_request_answers_from_the_board_while_every_service_is_ok_and_asks_again_when_one_is_not():
    clock = Clock()
    board = Board(NAMES, RULES, clock)
    asked = []

    def ask():
        asked.append(clock())
        return {name: Answer(OK, clock()) for name in NAMES}

    assert all(s["status"] == OK for s in board.current(ask).values()) and len(asked) == 1  # empty: asked
    clock.t += RULES.down_after - 1
    assert all(s["status"] == OK for s in board.current(ask).values()) and len(asked) == 1  # from memory
    clock.t += 2  # the answers are now older than the policy allows: asked again, not reported down
    assert all(s["status"] == OK for s in board.current(ask).values()) and len(asked) == 2


def test_a_stopped_service_is_reported_down_once_silent_longer_than_the_policy():
    clock = Clock()
    board = Board(NAMES, RULES, clock)
    running = set(NAMES)

    def ask():  # a stopped service does not answer (its reply never comes)
        return {name: Answer(OK, clock()) for name in running}

    board.refresh(ask)
    running.discard("review")
    clock.t += RULES.ask_every
    board.refresh(ask)  # the background round: review silent, its last answer still recent
    assert board.now()["review"]["status"] == OK
    clock.t += RULES.down_after
    found = board.current(ask)
    assert found["review"] == {"status": NO_ANSWER, "age_seconds": RULES.ask_every + RULES.down_after}
    assert found["intake"]["status"] == OK


def test_requests_meanwhile_share_one_round_of_asking():
    board = Board(NAMES, RULES)
    rounds = []

    def ask():
        rounds.append(1)
        eventlet.sleep(0.05)
        return {name: Answer(OK, board.clock()) for name in NAMES}

    pool = eventlet.GreenPool()
    results = list(pool.imap(lambda _: board.current(ask), range(20)))
    assert len(rounds) == 1 and board.rounds == 1
    assert all(s["status"] == OK for found in results for s in found.values())


class Proxies:
    """Services as the gateway's RPC proxies see them: one answers, one raises, one never answers."""

    class Reply:
        def __init__(self, outcome):
            self.outcome = outcome

        def result(self):
            if self.outcome == "silent":
                eventlet.sleep(60)
            if isinstance(self.outcome, Exception):
                raise self.outcome
            return self.outcome

    def __init__(self, outcomes):
        for name, outcome in outcomes.items():
            method = type("Method", (), {"call_async": lambda self, o=outcome: Proxies.Reply(o)})()
            setattr(self, name, type("Service", (), {"health": method})())


def test_one_round_asks_all_at_once_and_waits_at_most_the_policys_time():
    proxies = Proxies({"coordinator": "silent", "intake": {"status": "ok"}, "review": RuntimeError("boom")})
    started = eventlet.hubs.get_hub().clock()
    answers = health.ask_all(proxies, ("coordinator", "intake", "review"), 0.2)  # the silent one asked first
    assert eventlet.hubs.get_hub().clock() - started < 1
    assert answers["intake"].status == OK and answers["review"].status == "down: RuntimeError"
    assert "coordinator" not in answers  # no answer: the board keeps its last one, which ages
