"""The browser side of the web app's flows: each drives the web app like a user and saves a screenshot.

Called by ``driver.py`` in a process of its own as ``flow(page, output, base=…, …)``; returns what the
test checks afterwards through the API.  The single-step flows open pages in the web app's dev actor mode
(``?as=…``); the whole life (``whole_life``) and the sign-in flows sign in with user ids and passwords.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import quote


def as_(actor: str, route: str, path: str = "/") -> str:
    return f"{path}?as={quote(actor, safe=',:')}#{route}"


def ready(page):
    """The view has rendered (the app sets body[data-ready=true] when a route is done)."""
    page.wait_for_selector("body[data-ready=true]")


def fill_field(page, selector: str, value: str) -> None:
    """A field by its selector: text typed in, or an option chosen (a park or town is picked by name)."""
    if page.eval_on_selector(selector, "e => e.tagName") == "SELECT":
        page.select_option(selector, value)
    else:
        page.fill(selector, value)


def confirmed(page, form: str) -> None:
    """An irreversible step (a decision, a signature, a filing, a termination) asks to confirm its summary first."""
    page.click(f"{form} .confirm .confirm-yes")


def shot(page, output: Path, name: str) -> str:
    """A full-page screenshot once every card has its content (a card loading carries data-loading)."""
    # waits by selector: the page's Content-Security-Policy admits no script made from text (wait_for_function)
    page.wait_for_selector("section.card[data-loading]", state="detached")
    path = Path(output) / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return str(path)


def register_and_file_lead(page, output, base, lead):
    page.goto(base + as_("u-ipb-1,ipb_clerk,IPB", "/leads/new"))
    ready(page)
    for selector, value in lead.items():
        fill_field(page, selector, value)
    page.fill("#f-sector", "C99")  # not a GB/T 4754 code: the refusal names the field and the rule
    page.click("#lead-form button[type=submit]")
    refusal = page.wait_for_selector(".refusal[data-error=invalid_input]").inner_text()
    assert "输入不符合规则" in refusal and "所属行业" in refusal and "违反的规则" in refusal, refusal
    page.fill("#f-sector", "C3031")
    page.click("#lead-form button[type=submit]")
    page.wait_for_url(re.compile(r"#/leads/[^/?]+\?registered=1"))
    ready(page)
    assert page.get_attribute("#lead-status", "data-status") == "lead"
    lead_id = re.search(r"#/leads/([^?]+)", page.url).group(1)
    page.fill("#f-reason", "材料齐全，同意立项")
    page.click("#file-lead")
    page.wait_for_selector("#to-project")
    assert page.get_attribute("#lead-status", "data-status") == "filed"
    assert "已立项" in page.inner_text("main")
    screenshot = shot(page, output, "1-ipb-clerk-files-a-lead")
    page.click("#to-project")
    page.wait_for_selector("#timeline table")
    ready(page)
    assert "生命周期时间线" in page.inner_text("#timeline")
    # times read as the county writes them (年月日, Shanghai's clock), never as ISO text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", page.inner_text("#timeline"))
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", page.inner_text("#timeline"))
    lines = "td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; }"
    first = "#timeline tbody tr td:first-child"  # the time on one line, however long the reason beside it
    assert page.eval_on_selector(first, lines) == 1
    assert page.eval_on_selector(first, "td => getComputedStyle(td).whiteSpace") == "nowrap"
    return {"lead_id": lead_id, "screenshot": screenshot, "refusal": refusal}


def review_opinion(page, output, base, project_id):
    page.goto(base + as_("rev-drb,reviewer,DRB", "/desk/review"))
    ready(page)
    item = f".queue-item[data-project='{project_id}']"
    # no opinion is chosen beforehand: 提交 without one is stopped by the form, nothing is sent
    assert page.eval_on_selector(f"{item} select[name=opinion]", "e => e.value") == ""
    page.click(f"{item} button[type=submit]")
    assert page.eval_on_selector(f"{item} select[name=opinion]", "e => e.validity.valueMissing")
    assert not page.query_selector(f"{item} .notice") and not page.query_selector(f"{item} form.submitted")
    page.select_option(f"{item} select[name=opinion]", "conditional")
    page.fill(f"{item} textarea[name=conditions]", "投产后三年内研发投入不低于营业收入的3%")
    page.click(f"{item} button[type=submit]")
    page.wait_for_selector(f"{item} .notice")
    assert "意见已提交" in page.inner_text(item)
    # once per unit and round: the submitted form is shown read-only with its outcome
    assert page.is_disabled(f"{item} button[type=submit]") and page.is_disabled(f"{item} select[name=opinion]")
    assert page.query_selector(f"{item} form.submitted")
    return {
        "screenshot": shot(page, output, "2-bureau-reviewer-opinion"),
        "outcome": page.inner_text(f"{item} .notice"),
    }


def park_head_decides(page, output, base, project_id, actor):
    page.goto(base + as_(actor, "/desk/decisions"))
    ready(page)
    item = f".decision-item[data-project='{project_id}']"
    text = page.inner_text(item)
    assert "权限内决策" in text and "45.00 亩" in text, text
    page.select_option(f"{item} select[name=decision]", "refuse")  # a refusal without reasons breaks a rule
    page.click(f"{item} button[type=submit]")
    confirmed(page, item)
    refusal = page.wait_for_selector(f"{item} .refusal")
    assert refusal.get_attribute("data-error") == "invalid_input" and "理由" in refusal.inner_text()
    page.select_option(f"{item} select[name=decision]", "agree")
    page.click(f"{item} button[type=submit]")
    summary = page.wait_for_selector(f"{item} .confirm").inner_text()
    assert "同意" in summary and "不可撤回" in summary, summary
    confirmed(page, item)
    page.wait_for_selector(f"{item} .notice")
    return {"screenshot": shot(page, output, "3-park-head-decides"), "refusal": refusal.inner_text()}


def project_page(page, output, base, project_id, actor, expect, name):
    page.goto(base + as_(actor, f"/projects/{project_id}"))
    for selector in expect:
        page.wait_for_selector(selector)
    ready(page)
    return {"screenshot": shot(page, output, name), "text": {s: page.inner_text(s.split(" ")[0]) for s in expect}}


def custodian_register(page, output, base, actor):
    page.goto(base + as_(actor, "/desk/custody"))
    ready(page)
    page.wait_for_selector("#held-table")
    return {
        "screenshot": shot(page, output, "4-custodian-register"),
        "held": page.inner_text("#held-table"),
        "custodians": page.inner_text("#custodians"),
    }


def public_catalog(page, output, base):
    answers = []
    page.on("response", lambda r: answers.append(r) if "/api/" in r.url and "catalog" in r.url else None)
    page.goto(base + "/catalog")
    ready(page)
    page.wait_for_selector("#catalog")
    return {
        "url": page.url,
        "text": page.inner_text("body"),
        "screenshot": shot(page, output, "5-public-catalog"),
        "api": [a.text() for a in answers],
    }


def reserve_entry(page, output, base, actor, entry_id, phone=False):
    """An entry of the project reserve on its own page (where the search leads), as ``actor`` reads it."""
    if phone:
        page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + as_(actor, f"/reserve/{entry_id}"))
    ready(page)
    return {
        "text": page.inner_text("main"),
        "detail": page.inner_text("#reserve-detail") if page.query_selector("#reserve-detail") else "",
        "screenshot": shot(page, output, f"5-reserve-entry-{'390' if phone else '1366'}-{actor.split(',')[1]}"),
        "overflow": page.evaluate("document.documentElement.scrollWidth > window.innerWidth"),
    }


def language_switch(page, output, base):
    page.goto(base + as_("u-ipb-1,ipb_clerk,IPB", "/overview"))
    ready(page)
    page.wait_for_selector("#projects-total")
    zh = page.inner_text("header")
    page.click("#lang")
    page.wait_for_selector("html[lang='en']", state="attached")
    ready(page)
    page.wait_for_selector("#projects-total")
    en = page.inner_text("header")
    page.goto(base + "/api/docs")
    page.wait_for_selector("details.op")
    docs = page.inner_text("main")
    return {"zh": zh, "en": en, "screenshot": shot(page, output, "6-api-reference"), "docs": docs[:20000]}


def sign_in(page, output, base, user_id, password):
    """A user signs in with her password (no dev actor): a wrong password is refused, then the session works."""
    page.goto(base + "/#/signin")
    page.wait_for_selector("#signin-form")
    page.fill("#f-user_id", user_id)
    page.fill("#f-password", password + "-wrong")
    page.click("#signin-form button[type=submit]")
    refusal = page.wait_for_selector(".refusal").inner_text()
    page.fill("#f-password", password)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#signout")
    ready(page)
    who = page.inner_text("#who")
    screenshot = shot(page, output, "0-signed-in-dashboard")
    page.goto(base + "/#/leads")
    ready(page)
    leads = page.inner_text("main")
    page.click("#signout")
    page.wait_for_selector("#signin-form")
    return {"refusal": refusal, "who": who, "leads": leads, "screenshot": screenshot}


# -- one project's whole life in the browser (every step after filing) -----------------------------------------
# The people are the README's (tests/browser/readme.py): each position signs in with its user id and password on
# the sign-in page, as the README's table says; no dev actor, no actor headers.


class Walk:
    """The project page as each person sees it, signed in; every step submitted in its form, its effect awaited."""

    def __init__(self, page, output, base, people, password):
        self.page, self.output, self.base = page, Path(output), base
        self.people, self.password = people, password
        self.shots: list[str] = []
        self.project_id = None
        self.states: list[str] = []
        self.sign_ins: list[list] = []  # [README step, user id]
        self.requests = {"bearer": 0, "actor_headers": 0}
        self.signing_in = 0.0  # seconds spent signing out and in (page and session), reported with the result
        page.on("request", self._count)

    def _count(self, request):
        if "/api/" in request.url:
            headers = request.headers
            self.requests["actor_headers"] += any(h.startswith("x-zhaoshang-") for h in headers)
            self.requests["bearer"] += headers.get("authorization", "").startswith("Bearer ")

    def person(self, position: str, unit: str) -> dict:
        """The README's person holding ``position`` in ``unit``."""
        [who] = [x for x in self.people if (x["position"], x["unit"]) == (position, unit)]
        return who

    def sign_in(self, step: int, who: dict, route: str | None = None, then: str = "#project-state"):
        """Sign out; open the page (the project's, by its link); asked to sign in first, sign in with the user id and
        password; the page asked for follows, under the person's name."""
        p, started = self.page, time.monotonic()
        if p.query_selector("#signout"):
            p.click("#signout")
            p.wait_for_selector("#signin-form:not([data-next])")
        p.goto(f"{self.base}/#{route or f'/projects/{self.project_id}'}")
        p.wait_for_selector("#signin-form[data-next]")
        p.fill("#f-user_id", who["user_id"])
        p.fill("#f-password", self.password)
        p.click("#signin-form button[type=submit]")
        p.locator("#who", has_text=who["name"]).wait_for()
        self.signing_in += time.monotonic() - started
        p.wait_for_selector(then)
        ready(p)
        assert "as=" not in p.url and not p.evaluate("sessionStorage.getItem('zs.devActor')"), p.url
        self.sign_ins.append([step, who["user_id"]])

    def state(self, state: str):
        """The project page shows the state (after the page has been drawn again)."""
        self.page.wait_for_selector(f"#project-state[data-state={state}]", timeout=20_000)
        ready(self.page)
        self.states.append(state)

    def submit(self, form: str, then: str):
        """Submit ``form`` and wait for ``then``; any refusal fails the walk with its text (a step taken right after
        the one before it is never refused on timing: shared/catch_up.py)."""
        self.page.evaluate("document.querySelectorAll('#step-done .notice, .result > *').forEach(e => e.remove())")
        self.page.click(f"{form} button[type=submit]")
        outcome = self.page.wait_for_selector(f"{then}, {form} .refusal, {form} .confirm-yes", timeout=20_000)
        if outcome.evaluate("e => e.matches('.confirm-yes')"):
            outcome.click()
            outcome = self.page.wait_for_selector(f"{then}, {form} .refusal", timeout=20_000)
        if outcome.evaluate("e => e.matches('.refusal')"):
            raise AssertionError(f"{form} refused ({outcome.get_attribute('data-error')}): {outcome.inner_text()}")
        ready(self.page)
        return outcome

    def fill(self, form: str, values: dict):
        """The form's fields by name: text typed in, an option chosen."""
        for name, value in values.items():
            field = f"{form} [name={name}]"
            if self.page.eval_on_selector(field, "e => e.tagName") == "SELECT":
                self.page.select_option(field, value)
            else:
                self.page.fill(field, value)

    def step(self, form: str, values: dict | None = None, then: str | None = None, state: str | None = None):
        """Fill and submit a step's form; then the page shows ``then`` or the project in ``state``."""
        self.fill(form, values or {})
        self.submit(form, then or f"#project-state[data-state={state}]")
        if state:
            self.state(state)

    def refused(self, form: str) -> str:
        self.page.click(f"{form} button[type=submit]")
        if self.page.wait_for_selector(f"{form} .refusal, {form} .confirm-yes").evaluate(
            "e => e.matches('.confirm-yes')"
        ):
            confirmed(self.page, form)
        return self.page.wait_for_selector(f"{form} .refusal").inner_text()

    def shot(self, name: str):
        self.shots.append(shot(self.page, self.output, name))

    def download(self, selector: str) -> str:
        with self.page.expect_download() as info:
            self.page.click(selector)
        target = self.output / info.value.suggested_filename
        info.value.save_as(str(target))
        return str(target)


def whole_life(page, output, base, lead, people, password):
    """A lead registered and filed by IPB, then every step of its life, to the hand-over to the archives — each
    person of the README signing in for the steps the README's table gives them (the step numbers below)."""
    w, p = Walk(page, output, base, people, password), page
    clerk, park = w.person("ipb_clerk", "IPB"), w.person("park_head:hengdong", "PARK:hengdong")
    legal = w.person("legal_director", "LEGAL")
    seen: dict = {}
    # 1. R1: registered and filed (the clerk opens the new-lead form and is asked to sign in first)
    w.sign_in(1, clerk, route="/leads/new", then="#lead-form")
    for selector, value in lead.items():
        fill_field(p, selector, value)
    p.click("#lead-form button[type=submit]")
    p.wait_for_url(re.compile(r"#/leads/[^/?]+\?registered=1"))
    ready(p)
    w.project_id = re.search(r"#/leads/([^?]+)", p.url).group(1)
    p.click("#file-lead")
    p.click("#to-project")
    for _ in range(20):  # the coordinator opens the project when it hears of the filing: a moment, at most
        if p.wait_for_selector("#project-state, main > .refusal").get_attribute("id") == "project-state":
            break
        p.wait_for_timeout(250)
        p.reload()
    w.state("filed")

    # R2: the joint review convened; LAND asks for more; the investor resubmits; 2. round 2: every unit's opinion
    w.step("#convene-form", state="under_review")
    w.step("#return-form", {"unit": "LAND", "request": "请补充项目用地红线图"}, state="returned")
    w.step("#resubmit-form", {"note": "投资方已补充项目用地红线图"}, state="under_review")
    seen["round"] = p.inner_text("#step-opinion h2")
    reviewers = [w.person("bureau_head", u) for u in ("DRB", "IND", "FIN", "EPB", "LAND", "PLAN")] + [park]
    for n, reviewer in enumerate(reviewers):
        w.sign_in(2, reviewer)
        opinion = (
            {"opinion": "conditional", "conditions": "投产后三年内研发投入不低于营业收入的3%"}
            if reviewer["unit"] == "IND"
            else {"opinion": "pass"}
        )
        if n < len(reviewers) - 1:
            w.step(f"#opinion-form-{w.project_id}", opinion, then="#step-done .notice")
        else:
            w.step(f"#opinion-form-{w.project_id}", opinion, state="approved")
    seen["opinions"] = p.inner_text("#opinions-table")

    # 3. R3: no intermediary; the ranked responsible unit with its explanation, confirmed
    w.sign_in(3, clerk)
    w.shot("7-01-review-approved-intermediary-next")
    w.step("#intermediary-form", {"has": "none"}, then="#assign-form")
    seen["ranking"] = p.inner_text("#ranking-table")
    w.step("#assign-form", state="assigned")

    # R4: two sessions; the final one without LEGAL is refused naming who is missing, in Chinese
    w.step("#session-form", {"agreed": "总投资1.5亿元\n供地方式：挂牌出让", "open": "税收奖励"}, state="negotiating")
    assert p.input_value("#session-form select[name=stage]") == "final"
    w.fill("#session-form", {"agreed": "税收奖励按现行政策执行\n2027年3月开工", "land_value": "45"})
    seen["session_refusal"] = w.refused("#session-form")
    w.shot("7-02-session-refused-without-legal")
    p.click("#session-form [data-add=participants]")
    p.select_option("#session-form #rows-participants tr.row:last-child select[data-col=unit]", "LEGAL")
    p.select_option("#session-form #rows-participants tr.row:last-child select[data-col=position]", "legal_director")
    w.step("#session-form", then="#step-done .notice")
    seen["sessions"] = p.inner_text("#sessions-table")
    seen["decision_waiting"] = p.inner_text("#step-decision")

    # 4. R5: the park head decides within authority (from the project page; the desk is linked)
    w.sign_in(4, park)
    assert p.get_attribute("#to-decisions-desk", "href") == "#/desk/decisions"
    w.step(f"#decision-form-{w.project_id}", {"decision": "agree"}, state="agreed")

    # 5.-9. R6: v1 drafted from the terms (a Word document), returned by LEGAL; v2 approved; signed by the route's
    # signatory
    w.sign_in(5, clerk)
    seen["intensity"] = p.inner_text("#draft-form #intensity")
    w.step("#draft-form", state="drafting")
    seen["docx"] = w.download("#step-submit .download-version[data-version='1']")
    w.step("#submit-form", state="legal_review")
    w.sign_in(6, legal)
    w.step("#legal-form", {"decision": "return", "comments": "第七条违约责任需明确违约金计算方式"}, state="drafting")
    w.sign_in(7, clerk)
    seen["returned"] = p.inner_text("#step-draft")
    w.step("#draft-form", {"other_terms": "乙方逾期开工的，按日支付合同总投资万分之一的违约金"}, then="#submit-form")
    w.step("#submit-form", state="legal_review")
    w.sign_in(8, legal)
    w.step("#legal-form", then="#step-sign")
    seen["sign_waiting"] = p.inner_text("#step-sign")
    w.sign_in(9, park)
    w.step(f"#sign-form-{w.project_id}", {"name": "张总", "title": "董事长"}, state="signed")

    # 10. R13: each holding unit's head names its custodian and cabinet; 11. IPB files the 8 copies (refused without
    # the park's), hands the contract over, opens the accounting
    heads = {
        "GOV": w.person("gov_office_director", "GOV"),
        "IPB": w.person("ipb_director", "IPB"),
        "FIN": w.person("bureau_head", "FIN"),
        "LAND": w.person("bureau_head", "LAND"),
        "LEGAL": legal,
        "IND": w.person("bureau_head", "IND"),
        "PARK:hengdong": park,
    }
    for unit, head in heads.items():
        w.sign_in(10, head)
        custodian = {
            "user_id": f"{unit.lower().replace(':', '-')}-archivist",
            "name": f"{unit} 档案员",
            "cabinet": f"{unit} 合同柜 1号",
        }
        if p.query_selector("#custodian-form [name=reason]"):  # the unit has a custodian (an earlier test's): replaced
            custodian["reason"] = "原保管人调离"
        w.step("#custodian-form", custodian, then="#step-done .notice")
    w.sign_in(11, clerk)
    seen["custodians"] = p.inner_text("#custodians-table")
    p.click("#copies-form #rows-copies tr.row:nth-child(7) button.remove")
    seen["copies_refusal"] = w.refused("#copies-form")
    w.shot("7-03-copy-register-refused-without-the-park")
    p.click("#copies-form [data-add=copies]")
    p.select_option("#copies-form #rows-copies tr.row:last-child select[data-col=unit]", "PARK:hengdong")
    w.step("#copies-form", state="filed_copies")
    w.step("#hand-over-form", state="construction")

    # R12: the accounting: 12. AUDIT's and LAND's figures with their formulas, 13. the report, 14. a payment against
    # the one fee and the principals' write-off of the rest, which closes it; R13: 15. the archives
    w.step("#open-accounting-form", state="accounting")
    w.sign_in(12, w.person("auditor", "AUDIT"))
    w.step(
        "#actual-fai-form",
        {"amount": "9000", "basis": "县审计局审计报告〔2026〕31号"},
        then="#step-actual-fai .recorded",
    )
    w.sign_in(12, heads["LAND"])
    w.step("#land-used-form", {"land_value": "45", "basis": "县国土资源局实测"}, then="#step-report")
    p.wait_for_selector("#figures-table :text('应追缴费用')")
    seen["figures"] = p.inner_text("#figures-table")
    w.shot("7-04-accounting-figures")
    w.sign_in(13, clerk)
    w.step("#report-form", then="#report-downloads")
    seen["report_docx"] = w.download("#download-report-docx")
    seen["report_pdf"] = w.download("#download-report-pdf")
    w.sign_in(14, heads["FIN"])
    w.step(
        "#recovery-form",
        {"amount": "50", "voucher": "FIN-2026-031", "note": "投资方缴纳第一笔"},
        then="#recovery-entries",
    )
    seen["receivable"] = p.inner_text("#receivable")
    w.sign_in(14, w.person("county_magistrate", "LG"))
    w.step("#write-off-form", {"reason": "余款经县政府常务会议研究同意核销"}, then="#receivable .decisions")
    w.sign_in(14, w.person("party_secretary", "LG"))
    w.step("#write-off-form", {"reason": "同意核销"}, state="closed")
    w.sign_in(15, clerk)
    w.step("#archives-form", state="archived")
    p.wait_for_selector("#step-finished")
    p.wait_for_selector("#archived")
    seen["who"] = p.inner_text("#who")
    w.shot("7-05-archived")
    return {
        "project_id": w.project_id,
        "screenshots": w.shots,
        "states": w.states,
        "sign_ins": w.sign_ins,
        "requests": w.requests,
        "signing_in_seconds": round(w.signing_in, 1),
        **seen,
    }


def terminate_with_special_report(page, output, base, project_id, director, unit_actor):
    """R11: the IPB director's termination is refused without a special report; the responsible unit files one
    (a PDF) on the project page; the director terminates citing it."""
    page.goto(base + as_(director, f"/projects/{project_id}"))
    page.wait_for_selector("#project-state[data-state=negotiating]")
    ready(page)
    assert page.get_attribute("#step-terminate", "open") is None  # folded away while there is no report
    page.click("#step-terminate summary")
    page.fill("#terminate-form [name=reason]", "投资方资金链断裂，项目无法推进")
    assert page.input_value("#terminate-form [name=special_report_ref]") == ""
    page.click("#terminate-form button[type=submit]")
    confirmed(page, "#terminate-form")
    refusal = page.wait_for_selector("#terminate-form .refusal").inner_text()
    refused = shot(page, output, "9-1-termination-refused-without-special-report")

    page.goto(base + as_(unit_actor, f"/projects/{project_id}"))
    page.wait_for_selector("#project-state")
    ready(page)
    page.click("#step-terminate summary")
    assert page.query_selector("#terminate-form") is None and "等待 招商局局长" in page.inner_text("#step-terminate")
    page.select_option("#special-report-form [name=cause]", "cannot_go_ahead")
    page.fill("#special-report-form [name=summary]", "投资方资金链断裂，无法继续推进项目，建议终止")
    page.set_input_files(
        "#special-report-form [name=document]",
        files=[
            {
                "name": "专题报告.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
            }
        ],
    )
    page.click("#special-report-form button[type=submit]")
    page.wait_for_selector("#step-done .notice")
    page.wait_for_selector("#special-reports-table")
    ready(page)
    filed = page.inner_text("#step-done")
    reports = page.inner_text("#special-reports-table")

    page.goto(base + as_(director, f"/projects/{project_id}"))
    page.wait_for_selector("#project-state")
    ready(page)
    assert page.get_attribute("#step-terminate", "open") is not None  # a report filed: open
    chosen = page.input_value("#terminate-form [name=special_report_ref]")
    page.fill("#terminate-form [name=reason]", "投资方资金链断裂，项目无法推进")
    page.click("#terminate-form button[type=submit]")
    confirmed(page, "#terminate-form")
    page.wait_for_selector("#project-state[data-state=terminated]")
    page.wait_for_selector("#step-terminated")
    ready(page)
    return {
        "refusal": refusal,
        "filed": filed,
        "reports": reports,
        "chosen": chosen,
        "terminated": page.inner_text("#step-terminated"),
        "timeline": page.inner_text("#timeline"),
        "screenshots": [refused, shot(page, output, "9-2-terminated-with-special-report")],
    }


def admin_creates_a_user(page, output, base, admin, password, user):
    """The administrator signs in, creates a user with a position in a unit, changes the unit; the user signs in."""

    def sign_in(user_id, secret):
        page.goto(base + "/#/signin")
        page.wait_for_selector("#signin-form")
        page.fill("#f-user_id", user_id)
        page.fill("#f-password", secret)
        page.click("#signin-form button[type=submit]")
        page.wait_for_selector("#signout")  # the top bar names the person (not the user id) and her position
        ready(page)

    sign_in(admin, password)
    page.click("[data-nav='nav.users']")
    page.wait_for_selector("#users-table")
    ready(page)
    page.fill("#user-form [name=user_id]", user["user_id"])
    page.fill("#user-form [name=name]", user["name"])
    page.fill("#user-form [name=password]", "short")  # the password rule, refused in the user's language
    page.select_option("#user-form [name=position]", user["position"])  # picked by its name
    page.select_option("#user-form [name=unit]", "FIN")
    page.click("#create-user")
    refusal = page.wait_for_selector("#user-form .refusal").inner_text()
    page.fill("#user-form [name=password]", user["password"])
    page.click("#create-user")
    page.wait_for_selector("#user-form .notice")
    page.wait_for_selector(f"#users-table :text('{user['user_id']}')")
    page.select_option("#user-edit-form [name=user_id]", user["user_id"])
    page.select_option("#user-edit-form [name=unit]", user["unit"])
    page.click("#save-user")
    page.wait_for_selector("#user-edit-form .notice")
    users = page.inner_text("#users-table")
    screenshot = shot(page, output, "8-administrator-users")
    page.click("#signout")
    page.wait_for_selector("#signin-form")
    sign_in(user["user_id"], user["password"])
    who = page.inner_text("#who")
    nav = page.inner_text("#nav")
    return {"refusal": refusal, "users": users, "who": who, "nav": nav, "screenshot": screenshot}


def standard_land(page, output, base, project_id, fin, park, year, magistrate, secretary):
    """R17 on the project page: FIN enters last year's tax, short of the commitment (a rectification opens); the
    park asks for the check after the rectification (still short: damages, and the special report to the Leading
    Group); the county magistrate proposes a reduction (waiting for the party secretary), the secretary agrees (it is
    reduced); FIN records the payment of the rest."""
    card = "#card-standard-land"
    page.goto(base + as_(fin, f"/projects/{project_id}"))
    page.wait_for_selector(f"{card} #sl-commitments")
    ready(page)
    commitments = page.inner_text(f"{card} #sl-commitments")
    figures = page.inner_text(f"{card} #sl-figures")
    form = "#sl-figure-form"
    page.select_option(f"{form} select[name=figure]", "tax")
    page.fill(f"{form} input[name=year]", str(year))
    page.fill(f"{form} input[name=value]", "1080")
    page.select_option(f"{form} select[name=value_unit]", "万元")
    page.fill(f"{form} input[name=reason]", "税务局入库数")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f"{card} #sl-rectifications [data-status=open]")
    checks = page.inner_text(f"{card} #sl-checks")
    first = shot(page, output, "17-standard-land-shortfall")
    page.goto(base + as_(park, f"/projects/{project_id}"))
    button = page.wait_for_selector(f"{card} #sl-rectifications button")
    ready(page)
    button.click()
    page.wait_for_selector(f"{card} #sl-damages [data-status=outstanding]")
    damages = page.inner_text(f"{card} #sl-damages")
    report = page.inner_text(f"{card} #sl-rectifications [data-report]")
    page.goto(base + as_(magistrate, f"/projects/{project_id}"))
    form = f"{card} form[id^=sl-reductions-form-]"
    page.wait_for_selector(form)
    ready(page)
    page.fill(f"{form} input[name=amount]", "20")
    page.select_option(f"{form} select[name=amount_unit]", "万元")
    page.fill(f"{form} input[name=reason]", "企业受灾停产")
    page.click(f"{form} button[type=submit]")
    pending = page.wait_for_selector(f"{card} .reduction[data-pending=yes]").inner_text()
    page.goto(base + as_(secretary, f"/projects/{project_id}"))
    page.wait_for_selector(form)
    ready(page)
    page.select_option(f"{form} select[name=decision]", "agree")
    page.fill(f"{form} input[name=reason]", "受灾属实，同意减免")
    page.click(f"{form} button[type=submit]")
    reduced = page.wait_for_selector(f"{card} .reduction[data-pending=no]").inner_text()
    page.goto(base + as_(fin, f"/projects/{project_id}"))
    form = "#sl-payments-form"
    page.wait_for_selector(form)
    ready(page)
    page.fill(f"{form} input[name=amount]", "250")
    page.select_option(f"{form} select[name=amount_unit]", "万元")
    page.fill(f"{form} input[name=voucher]", "FIN-BROWSER-1")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f"{card} #sl-damages [data-status=settled]")
    return {
        "commitments": commitments,
        "figures": figures,
        "checks": checks,
        "damages": damages,
        "report": report,
        "pending": pending,
        "reduced": reduced,
        "settled": page.inner_text(f"{card} #sl-damages"),
        "screenshots": [first, shot(page, output, "18-standard-land-settled")],
    }
