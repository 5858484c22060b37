"""Real local receivers for the notification channels, started by a test: an SMTP server and a
group-robot HTTP endpoint, in a process of their own (``python -m zhaoshang.receivers``)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from zhaoshang.supervisor import ROOT


class Receivers:
    def __init__(self, smtp_port: int, http_port: int):
        self.smtp_host, self.smtp_port, self.http_port = "127.0.0.1", smtp_port, http_port
        self.base = f"http://127.0.0.1:{http_port}"
        self.webhook_url = f"{self.base}/robot/send?access_token=test"

    def received(self) -> dict:
        return requests.get(self.base + "/_received", timeout=5).json()

    def mails(self) -> list[dict]:
        return self.received()["mails"]

    def webhooks(self) -> list[dict]:
        return self.received()["webhooks"]

    def fail_next(self, count: int) -> None:
        requests.post(self.base + "/_fail", json={"count": count}, timeout=5).raise_for_status()

    def email_settings(self) -> dict:
        return {"host": self.smtp_host, "port": self.smtp_port, "sender": "zhaoshang@test.local", "timeout": 5}

    def webhook_settings(self) -> dict:
        return {"url": self.webhook_url, "format": "text", "timeout": 5}


@pytest.fixture
def receivers():
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhaoshang.receivers"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().split()
        assert line and line[0] == "ready", f"the receivers did not start: {line}"
        yield Receivers(int(line[1]), int(line[2]))
    finally:
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
