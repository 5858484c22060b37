"""The README's walk of the sample project, checked without a browser: its people, password and table agree.

The browser test (``test_one_project_walks_its_whole_life_in_the_browser``) runs the README's commands and
signs in as its table says; this one fails fast, in a second, when the README's section is edited into something
a person following it could not do (someone in the table who is never created, a position or unit the web app does
not know, a password the platform refuses).
"""

from __future__ import annotations

import re

from services.gateway.passwords import check_password_rule
from shared.policy import load_policy
from tests.browser import readme

TEXT = readme.section()


def test_the_readme_creates_everyone_its_table_signs_in_as_and_no_one_else():
    people = readme.people(TEXT)
    ids = [p.user_id for p in people]
    assert len(ids) == len(set(ids)) and len({(p.position, p.unit) for p in people}) == len(people)
    signing_in = [user for _, user in readme.sign_ins(TEXT)]
    assert set(signing_in) == set(ids)
    assert [n for n, _, _ in readme.steps(TEXT)] == list(range(1, len(readme.steps(TEXT)) + 1))
    for person in readme.people(TEXT):  # the platform accepts the README's password for each of them
        check_password_rule(readme.password(TEXT), load_policy(), (person.user_id, person.position, person.unit))


def test_the_readme_people_hold_positions_and_units_the_web_app_knows():
    ui = (readme.ROOT / "services" / "gateway" / "web" / "ui.js").read_text(encoding="utf-8")
    known = {
        name: set(re.findall(r"'([\w:]+)'", re.search(rf"export const {name} = \[(.*?)\];", ui, re.S)[1]))
        for name in ("UNITS", "POSITIONS")
    }
    for person in readme.people(TEXT):
        assert person.unit in known["UNITS"] and person.position in known["POSITIONS"], person


def test_each_person_is_created_by_the_readme_block_itself():
    block = readme.script(TEXT)
    for person in readme.people(TEXT):
        one = readme.script_for(TEXT, person)
        assert one.count("\n") == block.count("\n") - (len(readme.people(TEXT)) - 1)
        assert f"\n{person.user_id} {person.name} {person.position} {person.unit}\n" in one
        assert "--password-stdin" in one and "add-user" in one
