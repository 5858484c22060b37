"""The browser side of the enterprise data store and the per-mu benefit evaluation (``test_benefit.py``).

Each flow opens the web app as one position (dev actor mode), does what the test names, writes a screenshot of each
page to ``tests/browser/output/bf-<who>-<width>-<page>.png`` and checks that no page scrolls horizontally; it
returns what it saw.  Run by ``driver.py`` as ``benefit_flows:<flow>``.
"""

from __future__ import annotations

from tests.browser.flows import as_, ready, shot
from tests.browser.workbench_flows import fits


def visit(page, output, name: str) -> str:
    ready(page)
    fits(page, name)
    return shot(page, output, name)


def import_figures(page, output, base, actor, bad, good, who):
    """A unit's file with bad rows refused (the refusal names the rows and columns), then the good one imported."""
    width = page.viewport_size["width"]
    page.goto(base + as_(actor, "/benefit?year=2025"))
    page.wait_for_selector("#bf-import")
    ready(page)
    page.select_option("#f-bf-what", "figures")
    page.set_input_files("#f-bf-file", bad)
    page.click("#bf-import button[type=submit]")
    page.wait_for_selector("#bf-import .refusal")
    seen = {"refusal": page.inner_text("#bf-import .refusal")}
    seen["screenshots"] = [shot(page, output, f"bf-{who}-{width}-refused")]
    page.set_input_files("#f-bf-file", good)
    page.click("#bf-import button[type=submit]")
    page.wait_for_selector("#bf-import-result .notice")
    seen["imported"] = page.inner_text("#bf-import-result .notice")
    return seen


def evaluate(page, output, base, actor, who, code):
    """IPB runs the year's evaluation; the results per grade and per park or town; grade A alone; a card."""
    width = page.viewport_size["width"]
    page.goto(base + as_(actor, "/benefit?year=2025"))
    page.wait_for_selector("#bf-run")
    ready(page)
    with page.expect_navigation():  # the page reloads with the year's results (a table may be there from before)
        page.click("#bf-run")
    page.wait_for_selector("#bf-table")
    ready(page)
    seen = {
        "grades": [el.get_attribute("data-grade") for el in page.query_selector_all("#bf-table [data-grade]")],
        "tabs": page.inner_text("#bf-grades"),
        "places": page.inner_text("#bf-places-table"),
        "method": page.inner_text("#bf-method"),
    }
    seen["screenshots"] = [visit(page, output, f"bf-{who}-{width}-results")]
    page.click("#bf-grades [data-grade=A]")
    page.wait_for_selector("#bf-grades button.active[data-grade=A]")
    ready(page)
    seen["only_a"] = [el.get_attribute("data-grade") for el in page.query_selector_all("#bf-table [data-grade]")]
    with page.expect_download() as download:
        page.click("#bf-docx")
    seen["notice"] = download.value.suggested_filename
    page.goto(base + as_(actor, f"/benefit/{code}?year=2025"))
    page.wait_for_selector("#bf-indicators")
    ready(page)
    seen["card"] = page.inner_text("#bf-card")
    seen["card_grade"] = page.get_attribute("#bf-card-grade [data-grade]", "data-grade")
    seen["screenshots"].append(visit(page, output, f"bf-{who}-{width}-card"))
    return seen


def forecast(page, output, base, actor, lead_id, who):
    """A lead's page: the forecast card of its planned yearly figures against this year's baselines."""
    width = page.viewport_size["width"]
    page.goto(base + as_(actor, f"/leads/{lead_id}"))
    page.wait_for_selector("#bf-forecast table")
    ready(page)
    seen = {
        "text": page.inner_text("#card-forecast"),
        "grade": page.get_attribute("#bf-forecast [data-grade]", "data-grade"),
    }
    seen["screenshots"] = [visit(page, output, f"bf-{who}-{width}-forecast")]
    return seen
