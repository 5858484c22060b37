"""The web app runs under the gateway's Content-Security-Policy (script-src 'self', style-src 'self', no framing):
no inline script, no event-handler attribute, no style attribute, nothing parsed as HTML or code from text; and
every answer of the gateway carries the security headers (``services/gateway/webserver.py``)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from services.gateway.webserver import CONTENT_SECURITY_POLICY, with_security_headers

WEB = Path(__file__).resolve().parents[2] / "services" / "gateway" / "web"


class _Inline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not names.get("src"):
                self.problems.append("a <script> without src")
        if tag == "style":
            self.problems.append("a <style> element")
        self.problems += [f"<{tag} {n}=…>" for n in names if n.startswith("on") or n == "style"]

    def handle_endtag(self, tag):
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append("inline script text")


def test_the_page_has_no_inline_script_style_or_handler():
    parser = _Inline()
    for page in WEB.glob("*.html"):
        parser.feed(page.read_text(encoding="utf-8"))
    assert parser.problems == []


def test_the_scripts_neither_write_html_nor_run_text_as_code_nor_set_style_attributes():
    forbidden = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|"
        r"setAttribute\(\s*['\"](style|on\w+)['\"]|javascript:"
    )
    # the platform's own scripts; a vendored library (web/vendor: Leaflet) is held to the CSP by the browser, and
    # the platform hands it elements, never HTML text
    found = [
        f"{js.name}:{n}: {line.strip()}"
        for js in sorted(WEB.rglob("*.js"))
        if "vendor" not in js.parts
        for n, line in enumerate(js.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line) and not line.strip().startswith("//")
    ]
    assert found == []
    dom = (WEB / "dom.js").read_text(encoding="utf-8")
    # h('span', {style: …}) goes through the CSSOM, which the CSP admits, not through a style attribute
    assert "k === 'style') el.style.cssText" in dom
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", (WEB / "app.css").read_text(encoding="utf-8"))


def _served(path: str, response: Response):
    app = with_security_headers(lambda environ, start: response(environ, start))
    return Client(app).get(path)


def test_every_answer_carries_the_security_headers_and_api_answers_are_not_stored():
    page = _served("/", Response("<!doctype html>", content_type="text/html", headers={"Cache-Control": "no-cache"}))
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-cache"  # the page's own caching stays
    api = _served(
        "/api/projects",
        Response('{"items": []}', content_type="application/json", headers={"Cache-Control": "public, max-age=300"}),
    )
    assert api.headers.getlist("Cache-Control") == ["no-store"] and api.headers["X-Frame-Options"] == "DENY"


def test_a_request_through_the_proxy_takes_the_client_address_from_it_only_when_told():
    from werkzeug.middleware.proxy_fix import ProxyFix

    seen = []

    @Request.application
    def app(request):
        seen.append(request.remote_addr)
        return Response("ok")

    headers = {"X-Forwarded-For": "203.0.113.9"}
    Client(with_security_headers(app)).get("/", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    Client(with_security_headers(ProxyFix(app, x_for=1))).get(
        "/", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    assert seen == ["10.0.0.2", "203.0.113.9"]
