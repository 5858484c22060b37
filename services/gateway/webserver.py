"""The gateway's HTTP entrypoint: nameko's ``http``, on a listening socket with TCP_NODELAY, every answer with the
security headers, and an error no handler caught answered with an incident id (never the exception's text).

eventlet's WSGI server writes a response's headers and its body in separate sends; with Nagle's
algorithm the body waited for the client's delayed ACK (~40 ms on Linux) — most of a ledger page's
time in the benchmark (docs/PERFORMANCE.md).  Linux gives an accepted connection the listening
socket's TCP_NODELAY.

Security headers (docs/SECURITY.md): a Content-Security-Policy that admits only the gateway's own scripts,
styles and images (the web app has no inline script or style: ``tests/unit/test_webapp_csp.py``) and no framing;
``X-Frame-Options``, ``Referrer-Policy``, ``X-Content-Type-Options`` on every answer; ``Cache-Control: no-store``
on every answer under ``/api/`` (JSON and downloads: nothing confidential stays in a browser's or a proxy's
cache).  HSTS is the TLS proxy's (deploy/caddy/Caddyfile): the gateway itself speaks plain HTTP behind it.

Behind that proxy (``ZS_PROXY_HOPS`` = 1 in compose) the client's address is the one the proxy puts in
``X-Forwarded-For``; otherwise the header is ignored (a client could name any address in it).
"""

from __future__ import annotations

import json
import logging
import socket
import uuid

import eventlet
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from services.gateway.inputs import refuse_malformed_urls
from shared.i18n import DEFAULT_LOCALE, Message, _, text

log = logging.getLogger("zhaoshang.gateway")

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
API_PREFIX = "/api/"
JSON = "application/json; charset=utf-8"


def with_security_headers(app):
    """WSGI middleware: the security headers on every answer; ``Cache-Control: no-store`` under /api/."""

    def middleware(environ, start_response):
        api = environ.get("PATH_INFO", "").startswith(API_PREFIX)

        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            if api:
                headers = [(n, v) for n, v in headers if n.lower() not in ("cache-control", "pragma")]
                headers += [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
            headers += [(n, v) for n, v in SECURITY_HEADERS if n.lower() not in present]
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return middleware


def incident_response(status: int = 500, what: Message | None = None, locale: str | None = None) -> Response:
    """A server error as the client sees it: what failed in general and an incident id, logged (with the trace
    of the exception being handled) under the same id for the operators — never the exception's own text."""
    incident = uuid.uuid4().hex[:12]
    what = what or _("the platform could not answer")
    log.error("incident %s: %s (answered %d)", incident, text(what, "en"), status, exc_info=True)
    message = _("{what}; incident {incident}", what=what, incident=incident)
    body = {
        "error": "server_error",
        "message": text(message, locale or DEFAULT_LOCALE),
        "details": {"incident": [incident]},
    }
    return Response(json.dumps(body, ensure_ascii=False), status=status, content_type=JSON)


def listen_no_delay(address) -> socket.socket:
    sock = eventlet.listen(address)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class NoDelayWebServer(WebServer):
    def start(self):
        if not self._starting:
            self._starting = True
            self._sock = listen_no_delay(self.bind_addr)
            self._sock.settimeout(None)  # as nameko's own start (after kombu's bug report #838)
            self._serv = self.get_wsgi_server(self._sock, self.get_wsgi_app())
            self._gt = self.container.spawn_managed_thread(self.run)

    def get_wsgi_app(self):
        app = super().get_wsgi_app()
        hops = int(self.container.config.get("ZS_PROXY_HOPS") or 0)
        if hops:
            app = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
        return with_security_headers(refuse_malformed_urls(app))


class GatewayHttp(HttpRequestHandler):
    server = NoDelayWebServer()

    def response_from_exception(self, exc):
        """What no handler caught (nameko would answer ``Error: <type>: <text>``); called while it is handled."""
        return incident_response(500)


http = GatewayHttp.decorator
