"""The browser side of a position's day at the workbench (``test_workbench_day.py``), at the viewport's width.

Each flow opens the web app as one position (dev actor mode, ``?as=…``), checks what the test expects, writes a
screenshot of each page it visits to ``tests/browser/output/wb-<who>-<width>-<page>.png`` and checks that no page
is wider than the screen (nothing scrolls horizontally); it returns what it saw for the test to check through the
API.  Run by ``driver.py`` as ``workbench_flows:<flow>``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.browser.flows import as_, ready, shot


def fits(page, where: str) -> None:
    """No horizontal scrolling: the page is no wider than the window."""
    wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], f"{where} scrolls horizontally at {wide[1]} px: {wide[0]} px wide"


def visit(page, output, name: str) -> str:
    ready(page)
    fits(page, name)
    return shot(page, output, name)


def position_day(page, output, base, actor, who, todos, search, credit_code, project_id, attach=None, refused=None):
    """The workbench with its to-dos and counts; each to-do opens its form; the inbox marks read; search finds the
    project by a two-character fragment and by credit code; the project page; optionally an attachment uploaded and
    downloaded with its checksum, and a refused one."""
    width = page.viewport_size["width"]
    tag = f"wb-{who}-{width}"
    seen = {"screenshots": []}
    page.goto(base + as_(actor, "/"))
    page.wait_for_selector("#card-todo")
    seen["screenshots"].append(visit(page, output, f"{tag}-1-workbench"))
    seen["counts"] = {el.get_attribute("data-count"): el.inner_text() for el in page.query_selector_all("[data-count]")}
    seen["todos"] = [
        [li.get_attribute("data-kind"), li.get_attribute("data-project")]
        for li in page.query_selector_all("#card-todo li.todo")
    ]
    seen["dues"] = {}
    for li in page.query_selector_all("#card-todo li.todo"):
        due = li.query_selector("[data-due]")
        seen["dues"][f"{li.get_attribute('data-kind')} {li.get_attribute('data-project')}"] = (
            due.get_attribute("data-due") if due else None
        )
    for kind, form in todos.items():  # each to-do opens its form
        page.goto(base + as_(actor, "/"))
        page.wait_for_selector("#card-todo")
        ready(page)
        page.click(f"#card-todo li.todo[data-kind={kind}][data-project='{project_id[kind]}'] a.todo-open")
        page.wait_for_selector(form)
        if kind == "resolve_problem":  # the page opens at the problem's form, the cursor in its resolution
            page.wait_for_function("document.activeElement && document.activeElement.name === 'resolution'")
            seen["problem_form"] = page.evaluate(f"""() => {{
                const form = document.querySelector("{form}");
                const box = form.getBoundingClientRect();
                return {{focused: document.activeElement.name, in_view: box.top >= 0 && box.top < window.innerHeight}};
            }}""")
        seen["screenshots"].append(visit(page, output, f"{tag}-2-todo-{kind}"))
    page.goto(base + as_(actor, "/inbox"))
    page.wait_for_selector("#inbox")
    ready(page)
    seen["unread_before"] = int(page.inner_text("#inbox-unread"))
    first = page.get_attribute("#inbox li.notice-item[data-read=false]", "data-id")  # the test made one unread
    page.click(f"#inbox li.notice-item[data-id='{first}'] .mark-read")
    page.wait_for_selector(f"#inbox li.notice-item[data-id='{first}'][data-read=true]")
    seen["marked"] = first
    seen["unread_after"] = int(page.inner_text("#inbox-unread"))
    seen["badge"] = page.get_attribute("#inbox-badge", "data-unread")
    seen["screenshots"].append(visit(page, output, f"{tag}-3-inbox"))
    page.fill("#search-box", search)  # as you type: two characters of the name
    page.wait_for_selector(f"#search-results li[data-project='{project_id['search']}']")
    seen["typed"] = page.inner_text("#search-results")
    seen["screenshots"].append(shot(page, output, f"{tag}-4-search-as-you-type"))
    page.fill("#search-box", credit_code)
    page.press("#search-box", "Enter")
    page.wait_for_selector("#search-table")
    seen["by_code"] = page.inner_text("#search-table")
    seen["screenshots"].append(visit(page, output, f"{tag}-5-search-by-credit-code"))
    page.goto(base + as_(actor, f"/projects/{project_id['search']}"))
    page.wait_for_selector("#card-basic")
    page.wait_for_selector("#timeline")
    seen["basic"] = page.inner_text("#card-basic")
    seen["screenshots"].append(visit(page, output, f"{tag}-6-project-file"))
    if attach:
        uploaded = upload(page, output, tag, attach, refused)
        seen["screenshots"] += uploaded.pop("screenshots")
        seen.update(uploaded)
    return seen


def upload(page, output, tag, attach, refused) -> dict:
    """An attachment uploaded on the project page, listed with its SHA-256 and downloaded byte for byte; a file whose
    content is not of an accepted type is refused at the field, and nothing is listed."""
    out = {}
    page.wait_for_selector("#attach-form")
    before = len(page.query_selector_all("#attachments-table tbody tr"))
    if refused:
        page.select_option("#attach-form select[name=kind]", refused["kind"])
        page.set_input_files("#f-file", refused["path"])
        page.click("#attach-form button[type=submit]")
        out["refusal"] = page.wait_for_selector("#attach-form .refusal").inner_text()
        out["field_error"] = page.inner_text("#attach-form .field-error")
        out["screenshots"] = [visit(page, output, f"{tag}-7-attachment-refused")]
        assert len(page.query_selector_all("#attachments-table tbody tr")) == before
    page.select_option("#attach-form select[name=kind]", attach["kind"])
    page.set_input_files("#f-file", attach["path"])
    page.click("#attach-form button[type=submit]")
    out["uploaded"] = page.wait_for_selector("#attach-form .notice").inner_text()
    page.wait_for_selector(f"#attachments-table tbody tr:nth-child({before + 1})")
    ready(page)
    row = page.query_selector_all("#attachments-table tbody tr")[-1]
    out["listed_sha256"] = row.query_selector("code.sha").get_attribute("title")
    with page.expect_download() as info:
        row.query_selector("button.download").click()
    target = Path(output) / f"{tag}-downloaded-{info.value.suggested_filename}"
    info.value.save_as(str(target))
    out["downloaded_sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
    out.setdefault("screenshots", []).append(visit(page, output, f"{tag}-8-attachment-uploaded"))
    return out


def ledger_print(page, output, base, actor):
    """The ledger's print view, rendered to PDF by Chromium (A4 landscape, the header repeated, no menu)."""
    page.goto(base + as_(actor, "/print/ledger?book=information"))
    page.wait_for_selector("#print-ledger")
    ready(page)
    shot(page, output, "wb-ipb-print-ledger")
    page.emulate_media(media="print")
    hidden = page.evaluate("getComputedStyle(document.querySelector('.topbar')).display")
    pdf = Path(output) / "wb-ledger-print.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    # the table within the printable width of A4 landscape (297 mm less 2 x 8 mm margins, at 96 px an inch)
    page.set_viewport_size({"width": round((297 - 16) / 25.4 * 96), "height": 700})
    table = page.evaluate("[document.querySelector('#print-ledger').scrollWidth, document.documentElement.clientWidth]")
    return {
        "pdf": str(pdf),
        "menu": hidden,
        "table": table,
        "rows": len(page.query_selector_all("#print-ledger tbody tr")),
    }


def approval_print(page, output, base, actor, project_id, kind):
    page.goto(base + as_(actor, f"/print/approval/{project_id}?kind={kind}"))
    page.wait_for_selector("#approval-form")
    ready(page)
    path = shot(page, output, f"wb-approval-{kind}")
    page.emulate_media(media="print")
    pdf = Path(output) / f"wb-approval-{kind}.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    return {"text": page.inner_text("#approval-form"), "screenshot": path, "pdf": str(pdf)}


def new_tab(page, output, base, user_id, password, project_id):
    """Signed in once, a project opened in a new tab is still signed in (the session's token is the browser's,
    not the tab's)."""
    page.goto(base + "/#/signin")
    page.wait_for_selector("#signin-form")
    page.fill("#f-user_id", user_id)
    page.fill("#f-password", password)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#signout")
    ready(page)
    other = page.context.new_page()
    other.goto(f"{base}/#/projects/{project_id}")
    other.wait_for_selector("#card-basic")
    ready(other)
    return {"url": other.url, "screenshot": shot(other, output, "wb-new-tab-project")}
