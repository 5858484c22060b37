"""Browser tests: the web app in real headless Chromium (Debian's ``chromium``, driven by Playwright).

``./zs test`` installs Debian's chromium and fonts-noto-cjk first (``ensure_browser``); Playwright's own
browser download is never used (no internet here): /usr/bin/chromium is launched.  One platform (every
service its own process) serves the module; its gateway trusts the X-Zhaoshang-* actor headers
(ZS_TRUST_ACTOR_HEADERS=true), so the single-step pages run in the web app's "dev actor" mode (``?as=…``,
docs/WEBAPP.md).  The whole life does not: ``readme_people`` creates the README's people with the README's own
``zhaoshang add-user`` commands, and the walk signs in as them with their password.  Each flow (``flows.py``)
runs in its own process (``driver.py``: Playwright's sync API hangs under the eventlet monkey-patching of this
process) and saves a screenshot under tests/browser/output/.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from shared import vocabulary
from tests.browser import readme
from tests.browser.driver import CHROMIUM, OUTPUT
from tests.conftest import wait_for
from tests.e2e.conftest import ALL, Api, headers
from zhaoshang import demo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def web(module_platform):
    """(Api, base URL, config) of a whole platform whose gateway trusts the actor headers."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run ./zs test (it installs Debian's chromium), or apt-get install chromium"
        )
    start, env, config = module_platform
    start(*ALL, ZS_TRUST_ACTOR_HEADERS="true")
    base = f"http://{env['ZS_GATEWAY_ADDRESS']}"
    wait_for(lambda: requests.get(base + "/health", timeout=2).ok, what="gateway up")
    with pytest.MonkeyPatch.context() as patch:  # the demo's steps (set-up) act by the trusted headers here
        patch.setattr(demo, "_headers", lambda base, actor: {"Content-Type": "application/json", **headers(actor)})
        yield Api(base), base, config


def run_flow(flow: str, **kwargs):
    """Run ``flows.<flow>(page, output, **kwargs)`` in Chromium in a child process; its result (JSON)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.browser.driver", flow, json.dumps(kwargs, ensure_ascii=False)],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    if done.returncode != 0:
        pytest.fail(
            f"browser flow {flow} failed (screenshot {OUTPUT / f'FAILED-{flow}.png'}):\n{done.stderr[-6000:]}",
            pytrace=False,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def readme_people(web, module_platform):
    """The people of the README's walk, created by the README's own add-user loop (the real CLI, over the bus of
    this platform; one process a person, side by side): their list, the password and the address the CLI printed."""
    _, env, _ = module_platform
    text = readme.section()
    people = readme.people(text)
    run_env = {**os.environ, **env}
    running = [
        (
            person,
            subprocess.Popen(
                ["bash", "-c", readme.script_for(text, person)],
                cwd=ROOT,
                env=run_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for person in people
    ]
    printed = []
    for person, process in running:
        out, err = process.communicate(timeout=90)
        assert process.returncode == 0, f"the README's add-user for {person.user_id} failed:\n{out}\n{err[-3000:]}"
        said = vocabulary.unit_name(person.unit, "zh-CN") + vocabulary.position_name(person.position, "zh-CN")
        assert f"用户{person.user_id}（{person.name}）：{said}" in out, out  # the operator is answered in Chinese
        printed += re.findall(r"登录地址(http://\S+)", out)
    [address] = set(printed)
    return {
        "people": [p.dump() for p in people],
        "password": readme.password(text),
        "address": address,
        "sign_ins": readme.sign_ins(text),
        "steps": readme.steps(text),
    }
