"""The web app: static files of the single-page app under ``services/gateway/web/``.

Served by the gateway with no CDN and no external library: every asset comes from this folder.
``static_file`` refuses anything outside the folder (``..``, absolute paths, hidden files, symlinks
out of it), names the content type of each file and sets cache headers (an ETag and a short
max-age for assets; ``no-cache`` for the HTML entry page, so a new release is picked up at once).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from werkzeug.wrappers import Response

WEB_ROOT = (Path(__file__).parent / "web").resolve()
INDEX = "index.html"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}
ASSET_MAX_AGE = 300  # seconds; revalidated with the ETag afterwards

_NOT_FOUND = "<!doctype html><meta charset=utf-8><title>404</title><p>未找到 / not found</p>"


def resolve(relative: str, root: Path = WEB_ROOT) -> Path | None:
    """The file under ``root`` that ``relative`` names, or None if it is outside, hidden or not a served type."""
    if not relative or "\x00" in relative or "\\" in relative or relative.startswith("/"):
        return None
    parts = relative.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None
    try:
        candidate = (root / relative).resolve()
        candidate.relative_to(root)
        if not candidate.is_file() or candidate.suffix.lower() not in CONTENT_TYPES:
            return None
    except ValueError:  # a symlink out of the folder
        return None
    except OSError:  # a name the file system cannot hold (too long): no such file
        return None
    return candidate


def _etag(path: Path) -> str:
    st = path.stat()
    return '"' + hashlib.sha256(f"{path.name}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:20] + '"'


def file_response(request, path: Path, cache: str) -> Response:
    etag = _etag(path)
    headers = {"ETag": etag, "Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=304, headers=headers)
    return Response(path.read_bytes(), status=200, content_type=CONTENT_TYPES[path.suffix.lower()], headers=headers)


def static_file(request, relative: str) -> Response:
    path = resolve(relative)
    if path is None:
        return Response(_NOT_FOUND, status=404, content_type=CONTENT_TYPES[".html"])
    return file_response(request, path, f"public, max-age={ASSET_MAX_AGE}")


def index_page(request) -> Response:
    """The single page: ``/`` (hash routes), ``/catalog`` (public catalog) and ``/api/docs`` (API reference)."""
    return file_response(request, WEB_ROOT / INDEX, "no-cache")
