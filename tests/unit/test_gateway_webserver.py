"""The gateway's connections have TCP_NODELAY (a response's body no longer waits ~40 ms for a delayed ACK)."""

from __future__ import annotations

import socket

from services.gateway.service import GatewayService
from services.gateway.webserver import GatewayHttp, NoDelayWebServer, listen_no_delay


def test_an_accepted_connection_has_tcp_nodelay():
    listener = listen_no_delay(("127.0.0.1", 0))
    try:
        client = socket.create_connection(listener.getsockname())
        conn, _ = listener.accept()
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        conn.close()
        client.close()
    finally:
        listener.close()


def test_every_gateway_endpoint_uses_the_no_delay_server():
    from nameko.web.handlers import HttpRequestHandler

    entrypoints = [
        ep for name in dir(GatewayService) for ep in getattr(getattr(GatewayService, name), "nameko_entrypoints", ())
    ]
    http_eps = [ep for ep in entrypoints if isinstance(ep, HttpRequestHandler)]
    assert len(http_eps) > 50 and all(type(ep) is GatewayHttp for ep in http_eps)
    assert isinstance(GatewayHttp.server, NoDelayWebServer)
