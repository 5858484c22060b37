"""Local receivers for the notification channels: an SMTP server (aiosmtpd) and an HTTP endpoint
that answers like a DingTalk/WeCom group robot.  ``zhaoshang demo`` starts both in-process; the
tests run them as a separate process (``python -m zhaoshang.receivers``), since aiosmtpd's asyncio
thread does not run under eventlet's monkey-patching.

As a process it prints ``ready <smtp port> <http port>`` and serves, besides the robot endpoint
(any POST path), ``GET /_received`` (every mail and webhook so far, as JSON) and ``POST /_fail``
with ``{"count": n}`` (answer the next n webhooks with HTTP 500, to test retries).
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class LocalMailbox:
    """An SMTP server on localhost keeping every message it accepts."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None):
        self.host, self.port = host, port or free_port(host)
        self.messages: list[dict] = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        mail = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        body = mail.get_body(("plain",))
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "subject": str(mail["Subject"]),
                "body": body.get_content() if body is not None else "",
            }
        )
        return "250 Message accepted for delivery"

    def start(self) -> "LocalMailbox":
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()


class LocalRobot:
    """An HTTP endpoint answering like a group robot (``{"errcode": 0, "errmsg": "ok"}``)."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, mailbox: LocalMailbox | None = None):
        self.host, self.port = host, port or free_port(host)
        self.posts: list[dict] = []
        self.fail_next = 0
        self.mailbox = mailbox
        self._server = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/robot/send?access_token=demo"

    def start(self) -> "LocalRobot":
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path.startswith("/_received"):
                    mails = robot.mailbox.messages if robot.mailbox else []
                    return self._answer(200, {"webhooks": robot.posts, "mails": mails})
                return self._answer(404, {"errcode": 404, "errmsg": "not found"})

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    return self._answer(400, {"errcode": 40001, "errmsg": "invalid json"})
                if self.path.startswith("/_fail"):
                    robot.fail_next = int(body.get("count", 0))
                    return self._answer(200, {"fail_next": robot.fail_next})
                if robot.fail_next > 0:
                    robot.fail_next -= 1
                    return self._answer(500, {"errcode": -1, "errmsg": "system busy"})
                if body.get("msgtype") not in ("text", "markdown"):
                    return self._answer(200, {"errcode": 40008, "errmsg": "invalid message type"})
                robot.posts.append({"path": self.path, "json": body})
                return self._answer(200, {"errcode": 0, "errmsg": "ok"})

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def main() -> None:
    mailbox = LocalMailbox().start()
    robot = LocalRobot(mailbox=mailbox).start()
    print(f"ready {mailbox.port} {robot.port}", flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    finally:
        robot.stop()
        mailbox.stop()


if __name__ == "__main__":
    main()
