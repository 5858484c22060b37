"""The gateway's HTTP entrypoint: nameko's ``http``, on a listening socket with TCP_NODELAY.

eventlet's WSGI server writes a response's headers and its body in separate sends; with Nagle's
algorithm the body waited for the client's delayed ACK (~40 ms on Linux) — most of a ledger page's
time in the benchmark (docs/PERFORMANCE.md).  Linux gives an accepted connection the listening
socket's TCP_NODELAY.
"""
from __future__ import annotations

import socket

import eventlet
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer


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


class GatewayHttp(HttpRequestHandler):
    server = NoDelayWebServer()


http = GatewayHttp.decorator
