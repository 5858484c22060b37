"""The browser side of the language sweep (``test_language.py``): a person signs in and every page of the web app is
opened in the language asked; what each page shows is read back for the test to check.

Run by ``driver.py`` as ``language_flows:pages``.  A page is read once it is ready and every card has loaded: its
text as a person sees it (``innerText``), the texts a person reads without their being text of the page — the
fields' placeholders, the options of every list, titles and labels of the controls — and the page's screenshot.
"""

from __future__ import annotations

from tests.browser.flows import ready, shot

READ = """() => {
  const hints = [];
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
    for (const name of ['placeholder', 'title', 'aria-label']) if (el.getAttribute(name)) hints.push(el.getAttribute(name));
  }
  const options = [...document.querySelectorAll('option')].map(o => o.label || o.textContent);
  const text = document.body.innerText;
  const search = document.querySelector('.search input');
  const bare = [...document.querySelectorAll('table.cards td:empty')].filter(td => td.offsetParent !== null).length;
  return {text: text + '\\n' + options.join('\\n'), hints: hints.join('\\n'),
          search: search ? search.getBoundingClientRect().width : 0, bare};
}"""
"""The page's text and its options' labels; the hints of its fields (placeholders, titles, labels); the width of the
top bar's search box; the empty cells shown on a table laid out as cards (a phone)."""


def sign_in(page, base, user_id, password, lang):
    """Choose the language with the switch at the top right (the web app keeps the choice), then sign in with the
    user id and password."""
    page.goto(base + "/#/signin")
    page.wait_for_selector("#signin-form")
    if page.get_attribute("html", "lang") != lang:
        page.click("#lang")
        page.wait_for_selector(f"html[lang='{lang}'] #signin-form")
    page.fill("#f-user_id", user_id)
    page.fill("#f-password", password)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#signout")
    ready(page)


def pages(page, output, base, user_id, password, lang, routes, tag):
    """Sign in as ``user_id`` in ``lang``; each route of ``routes`` opened and read: {route: what it shows}."""
    sign_in(page, base, user_id, password, lang)
    seen = {}
    for i, route in enumerate(routes):
        page.goto(f"{base}/#{route}")
        ready(page)
        page.wait_for_selector("section.card[data-loading]", state="detached")
        seen[route] = page.evaluate(READ)
        shot(page, output, f"lang-{tag}-{lang}-{i:02d}")
    return seen
