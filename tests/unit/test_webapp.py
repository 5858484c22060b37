"""The web app's files as the gateway serves them, and the OpenAPI document against the gateway's routes."""

from __future__ import annotations

import json
import re

import pytest
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway import webapp
from services.gateway.openapi import build_spec
from services.gateway.service import GatewayService

WEB = webapp.WEB_ROOT


def request(path="/", headers=None) -> Request:
    return Request(EnvironBuilder(path=path, headers=headers or {}).get_environ())


def gateway_routes() -> set[tuple[str, str]]:
    """(method, OpenAPI-style path) of every @http entrypoint of the gateway."""
    routes = set()
    for name in dir(GatewayService):
        for ext in getattr(getattr(GatewayService, name), ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if hasattr(ext, "url"):
                path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", ext.url)
                routes |= {(m.strip().lower(), path) for m in ext.method.split(",")}
    return routes


def test_every_gateway_route_is_in_the_openapi_document_and_nothing_else():
    spec = build_spec()
    documented = {(method, path) for path, ops in spec["paths"].items() for method in ops}
    routes = gateway_routes()
    assert ("get", "/api/projects/{project_id}") in routes and ("get", "/static/{path}") in routes
    assert routes - documented == set(), "routes missing from /api/openapi.json"
    assert documented - routes == set(), "documented operations the gateway does not serve"


def test_openapi_operations_have_a_summary_and_responses():
    for path, ops in build_spec()["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), (method, path)
            assert op.get("responses"), (method, path)


@pytest.mark.parametrize(
    "name, content_type",
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("i18n/zh-CN.json", "application/json; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ],
)
def test_static_files_with_their_content_type_and_cache_headers(name, content_type):
    answer = webapp.static_file(request(), name)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == content_type
    assert answer.headers["Cache-Control"] == f"public, max-age={webapp.ASSET_MAX_AGE}"
    assert answer.get_data() == (WEB / name).read_bytes()
    again = webapp.static_file(request(headers={"If-None-Match": answer.headers["ETag"]}), name)
    assert again.status_code == 304 and not again.get_data()


@pytest.mark.parametrize(
    "path",
    [
        "../service.py",
        "i18n/../../service.py",
        "/etc/passwd",
        "..%2fservice.py",
        ".hidden",
        "i18n/./en.json",
        "nope.js",
        "",
        "i18n",
        "a\\b.js",
        "app.js\x00.css",
        "../web/app.js",
    ],
)
def test_nothing_outside_the_web_folder_is_served(path):
    answer = webapp.static_file(request(), path)
    assert answer.status_code == 404
    assert b"import" not in answer.get_data()


def test_a_symlink_out_of_the_folder_is_refused(tmp_path):
    root = tmp_path / "web"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    (root / "ok.txt").write_text("ok")
    assert webapp.resolve("link.txt", root.resolve()) is None
    assert webapp.resolve("ok.txt", root.resolve()) == (root / "ok.txt").resolve()
    assert webapp.resolve("x" * 300, root.resolve()) is None  # too long for the file system: none, not a 500


def test_the_page_is_not_cached_and_loads_only_local_assets():
    answer = webapp.index_page(request())
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache"
    html = answer.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    for f in WEB.rglob("*"):
        if f.suffix in (".html", ".js", ".css") and "vendor" not in f.relative_to(WEB).parts:
            text = f.read_text(encoding="utf-8")
            assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), f"external asset in {f.name}"
            assert not re.search(r"""(import|from)\s*\(?\s*["'](https?:)?//""", text), f"external module in {f.name}"


def test_both_languages_have_the_same_keys_and_every_key_used_exists():
    zh = json.loads((WEB / "i18n" / "zh-CN.json").read_text(encoding="utf-8"))
    en = json.loads((WEB / "i18n" / "en.json").read_text(encoding="utf-8"))
    assert set(zh) == set(en)
    used = set()
    for f in WEB.glob("*.js"):
        used |= set(re.findall(r"""\bt\(\s*'([a-z_.A-Z]+)'""", f.read_text(encoding="utf-8")))
    assert used - set(zh) == set()
    for code in ("invalid_input", "not_allowed", "not_found", "conflict"):  # the refusals a form shows
        assert f"error.{code}" in zh and re.search(r"[\u4e00-\u9fff]", zh[f"error.{code}"])


def test_a_session_s_stage_has_one_name_in_the_web_app_and_the_platform_s_catalogue():
    """后期洽谈 on the sessions' table, on the timeline and in the refusals alike (the county's "post-project
    negotiations", where LEGAL joins), in both languages."""
    from shared import vocabulary

    for lang, locale in (("zh-CN", "zh_CN"), ("en", "en")):
        web = json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
        for stage in ("early", "final"):
            name = vocabulary.term_name("session_stage", stage, locale)
            assert web[f"stage.{stage}"].casefold() == name.casefold(), (lang, stage)  # (a capital at a cell's start)


def test_the_vendored_mapping_library_is_the_published_one_with_its_licence():
    """Leaflet, vendored from the npm registry (vendor/leaflet/README.txt): the files are those whose checksums the
    note records, its licence beside them; the plan loads it from there and asks no tile server."""
    import hashlib

    vendor = WEB / "vendor" / "leaflet"
    assert "BSD 2-Clause License" in (vendor / "LICENSE.txt").read_text(encoding="utf-8")
    listed = dict(
        reversed(line.split("  ", 1))
        for line in (vendor / "README.txt").read_text().splitlines()
        if re.fullmatch(r"[0-9a-f]{64}  \S+", line)
    )
    assert set(listed) >= {"leaflet-src.esm.js", "leaflet.css"}
    for name, digest in listed.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
    plan = (WEB / "landreserve.js").read_text(encoding="utf-8")
    assert "import('./vendor/leaflet/leaflet-src.esm.js')" in plan and "tileLayer" not in plan
