"""The rule index of docs/ARCHITECTURE.md (section 9) stays true: every rule R1…R18 has a row, and every policy
key, function and test a row names exists; the README links to the index."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from shared.policy import PolicyError, load_policy

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
RULES = [f"R{n}" for n in range(1, 19)]


def index_rows() -> dict[str, list[str]]:
    """``{rule: [policy cell, decided-by cell, tested-by cell]}`` of the index table."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## 9. Rules: where each is enforced", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("rule", "---"):
            rows[cells[0].split()[0]] = cells[1:]
    return rows


def names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def defined(path: str, dotted: str) -> bool:
    """Whether ``path`` defines ``dotted`` (a function or class, or ``Class.method``) at its top level."""
    scope = ast.parse((ROOT / path).read_text(encoding="utf-8")).body
    for part in dotted.split("."):
        found = [
            n for n in scope if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == part
        ]
        if not found:
            return False
        scope = getattr(found[0], "body", [])
    return True


ROWS = index_rows()


def test_every_rule_has_a_row_and_a_built_rule_names_its_function_and_test():
    assert [r for r in RULES if r not in ROWS] == []
    for rule, (_, decided, tested) in ROWS.items():
        if decided != "not built yet":
            assert names(decided) and names(tested), f"{rule} names no function or no test"


@pytest.mark.parametrize("rule", sorted(ROWS))
def test_every_policy_key_function_and_test_named_exists(rule):
    keys, decided, tested = ROWS[rule]
    policy = load_policy(ROOT / "policy")
    for key in names(keys):
        try:
            policy.get(key)
        except PolicyError:
            pytest.fail(f"{rule}: no policy key {key}")
    for entry in names(decided) + names(tested):
        path, _, name = entry.partition("::")
        assert (ROOT / path).is_file(), f"{rule}: no file {path}"
        assert defined(path, name), f"{rule}: {path} defines no {name}"
    assert all(e.split("::")[1].startswith("test_") for e in names(tested))


def test_the_readme_links_to_the_index():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/ARCHITECTURE.md#9-rules-where-each-is-enforced" in readme
