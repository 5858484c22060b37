"""Run one browser flow of ``tests/browser/flows.py`` in headless Chromium, in a process of its own.

The test process runs under eventlet's monkey-patching (nameko), under which Playwright's sync API
hangs; so each flow runs here:  ``python -m tests.browser.driver <flow> '<json kwargs>'``.  The last
line of stdout is the flow's result as JSON; a failure exits 1 with the traceback (and a screenshot
``FAILED-<flow>.png``).  Chromium is Debian's /usr/bin/chromium (Playwright's own download is never used).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

CHROMIUM = os.environ.get("ZS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
OUTPUT = Path(os.environ.get("ZS_BROWSER_OUTPUT", Path(__file__).parent / "output"))


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    import importlib

    name, kwargs = argv[0], json.loads(argv[1] if len(argv) > 1 else "{}")
    module, _, function = name.rpartition(":")  # "workbench_flows:position_day", or a flow of flows.py
    flows = importlib.import_module(f"tests.browser.{module or 'flows'}")
    name = function
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(
            viewport={"width": int(kwargs.pop("width", 1366)), "height": 900}, locale="zh-CN", accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            result = getattr(flows, name)(page, output=OUTPUT, **kwargs)
            assert not errors, f"JavaScript errors on the page: {errors}"
        except BaseException:
            traceback.print_exc()
            try:
                page.screenshot(path=str(OUTPUT / f"FAILED-{name}.png"), full_page=True)
                print(f"page at failure: {page.url}\n{page.inner_text('body')[:3000]}", file=sys.stderr)
            except Exception:
                pass
            return 1
        finally:
            context.close()
            browser.close()
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
