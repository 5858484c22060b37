"""The browser side of the Leading Group's work and the land reserve (``test_leading_group.py``).

Each flow opens the web app as one position (dev actor mode), does what the test names, writes a screenshot of
each page to ``tests/browser/output/lg-<who>-<width>-<page>.png`` and checks that no page scrolls horizontally;
it returns what it saw.  Run by ``driver.py`` as ``leading_group_flows:<flow>``.
"""

from __future__ import annotations

from tests.browser.flows import as_, ready, shot
from tests.browser.workbench_flows import fits


def visit(page, output, name: str) -> str:
    ready(page)
    fits(page, name)
    return shot(page, output, name)


def import_workbook(page, output, base, actor, route, form, bad, good, tag):
    """A workbook with bad rows refused (the refusal names its rows), then the good one imported."""
    width = page.viewport_size["width"]
    seen = {}
    page.goto(base + as_(actor, route))
    page.wait_for_selector(f"#{form}")
    ready(page)
    page.set_input_files(f"#f-{form}-file", bad)
    page.click(f"#{form} button[type=submit]")
    page.wait_for_selector(f"#{form} .refusal")
    seen["refusal"] = page.inner_text(f"#{form} .refusal")
    seen["screenshots"] = [shot(page, output, f"lg-{tag}-{width}-refused")]
    page.set_input_files(f"#f-{form}-file", good)
    page.click(f"#{form} button[type=submit]")
    page.wait_for_selector(f"#{form} .notice")
    seen["imported"] = page.inner_text(f"#{form} .notice")
    return seen


def land(page, output, base, actor, lead_id, who):
    """The land reserve: the plan drawn with its parcels coloured by status, the list, a parcel, a lead's matches."""
    width = page.viewport_size["width"]
    tag = f"lg-{who}-{width}"
    seen = {"screenshots": []}
    page.goto(base + as_(actor, "/land"))
    page.wait_for_selector("#plan-map[data-drawn]")
    seen["drawn"] = int(page.get_attribute("#plan-map", "data-drawn"))
    seen["parcels_on_plan"] = {
        el.get_attribute("data-parcel"): [el.get_attribute("data-status"), el.get_attribute("fill")]
        for el in page.query_selector_all("#plan-map path[data-kind=parcel]")
    }
    seen["tiles"] = page.evaluate("[...document.querySelectorAll('#plan-map img')].map(i => i.src)")
    seen["table"] = page.inner_text("#parcels-table")
    seen["screenshots"].append(visit(page, output, f"{tag}-land"))
    page.fill("#match-form input[name=land_mu]", "45")  # a demand matched by hand: the sector by its name
    page.fill("#match-form input[name=sector]", "铝压延加工（C3252）")
    page.select_option("#match-form select[name=location]", "PARK:hengdong")
    page.click("#match-form button[type=submit]")
    page.wait_for_selector("#match-results table")
    seen["matched_by_hand"] = page.inner_text("#match-results")
    page.click("#plan-map path[data-parcel='HD-01']")
    page.wait_for_selector(".parcel-popup[data-code='HD-01']")
    seen["popup"] = page.inner_text(".parcel-popup")
    page.goto(base + as_(actor, "/land/HD-03"))
    page.wait_for_selector("#parcel-detail")
    seen["parcel"] = page.inner_text("#parcel-detail")
    seen["screenshots"].append(visit(page, output, f"{tag}-parcel"))
    page.goto(base + as_(actor, f"/leads/{lead_id}"))
    page.wait_for_selector("#card-parcels table")
    seen["matches"] = page.inner_text("#card-parcels")
    seen["screenshots"].append(visit(page, output, f"{tag}-lead-matches"))
    return seen


def roster(page, output, base, actor, who):
    width = page.viewport_size["width"]
    page.goto(base + as_(actor, "/leading-group"))
    page.wait_for_selector("#lg-office")
    seen = {
        "office": page.inner_text("#lg-office"),
        "holders": {el.get_attribute("data-seat"): el.inner_text() for el in page.query_selector_all(".holder")},
    }
    seen["screenshots"] = [visit(page, output, f"lg-{who}-{width}-roster")]
    return seen


def event_life(page, output, base, actor, lead_ref, who):
    """IPB plans a fair with its budget, records it as held, attaches nothing yet, links the lead it produced."""
    width = page.viewport_size["width"]
    tag = f"lg-{who}-{width}"
    seen = {"screenshots": []}
    page.goto(base + as_(actor, "/events"))
    page.wait_for_selector("#event-form")
    ready(page)
    page.select_option("#f-kind", "fair")
    page.fill("#f-title", f"浏览器测试招商推介会{width}")
    page.fill("#f-place", "深圳会展中心")
    page.fill("#f-planned_on", "2026-05-20")
    page.fill("#f-budget", "30")
    page.click("#event-form button[type=submit]")
    page.wait_for_selector("#record-form")
    ready(page)
    seen["ref"] = page.inner_text("h1")
    page.fill("#f-held_on", "2026-05-20")
    page.fill("#f-participants", "周副县长\n陈局长")
    page.fill("#f-investors", "广东某铝业集团：铝型材")
    page.fill("#f-actual_cost", "28")
    page.click("#record-form button[type=submit]")
    page.wait_for_selector("#event-record")
    ready(page)
    seen["cost"] = page.inner_text("#event-cost")
    page.fill("#f-refs", lead_ref)
    page.click("#link-form button[type=submit]")
    page.wait_for_selector("#event-leads-table")
    ready(page)
    seen["leads"] = page.inner_text("#event-leads-table")
    seen["screenshots"].append(visit(page, output, f"{tag}-event"))
    page.goto(base + as_(actor, "/events/effectiveness?year=2026"))
    page.wait_for_selector("#effectiveness-kinds")
    seen["kinds"] = page.inner_text("#effectiveness-kinds")
    seen["screenshots"].append(visit(page, output, f"{tag}-effectiveness"))
    return seen


def assessment(page, output, base, actor, who, period):
    width = page.viewport_size["width"]
    page.goto(base + as_(actor, f"/assessment?period={period}"))
    page.wait_for_selector("#assessment-table")
    seen = {
        "table": page.inner_text("#assessment-table"),
        "marks": [el.get_attribute("data-mark") for el in page.query_selector_all("#assessment-table [data-mark]")],
    }
    seen["screenshots"] = [visit(page, output, f"lg-{who}-{width}-assessment")]
    with page.expect_download() as download:
        page.click("#assessment-docx")
    seen["notice"] = download.value.suggested_filename
    return seen


def search_parcels(page, output, base, actor, who, fragment, code):
    """The top bar's search, as you type, lists the land reserve's parcels among the projects; Enter shows them in the
    results' table, each linking to its parcel's page."""
    width = page.viewport_size["width"]
    page.goto(base + as_(actor, "/"))
    page.wait_for_selector("#search-box")
    ready(page)
    page.fill("#search-box", fragment)
    page.wait_for_selector(f"#search-results li[data-parcel='{code}']")
    seen = {
        "typed": [li.get_attribute("data-parcel") for li in page.query_selector_all("#search-results li[data-parcel]")],
        "typed_text": page.inner_text("#search-results"),
    }
    shot(page, output, f"lg-{who}-{width}-search-as-you-type")
    page.press("#search-box", "Enter")
    page.wait_for_selector("#search-table")
    seen["table"] = page.inner_text("#search-table")
    visit(page, output, f"lg-{who}-{width}-search-parcels")
    page.click(f"#search-table a[href='#/land/{code}']")
    page.wait_for_selector("#parcel-detail")
    seen["parcel_page"] = page.inner_text("h1")
    return seen
