"""The README's walk through the sample project's life, read from README.md itself.

The section "Walk the sample project through its life in the browser" creates the people of the sample county
with a ``zhaoshang add-user … --password-stdin`` loop over a here-document, one password for all, and then a
table says who signs in for each step.  The whole-life browser test takes all of it from here: it runs the
README's own loop (one person a time, side by side), signs in with the README's password, registers the lead the
README describes, and at the end its sign-ins must be the table's, row by row — so the README and the test
cannot drift apart.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
TITLE = "## Walk the sample project through its life in the browser"
CLI = ".venv/bin/zhaoshang"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    position: str
    unit: str

    def dump(self) -> dict:
        return asdict(self)


def section(text: str | None = None) -> str:
    """The README's section, up to the next heading of its level."""
    text = README.read_text(encoding="utf-8") if text is None else text
    start = text.index(TITLE)
    end = text.find("\n## ", start + len(TITLE))
    return text[start : end if end != -1 else None]


def script(text: str) -> str:
    """The section's shell block (the add-user loop)."""
    [block] = re.findall(r"```bash\n(.*?)```", text, re.S)
    return block


_LOOP = re.compile(
    r"\A(?P<head>while read -r id name position unit; do\n.*\ndone <<'(?P<tag>\w+)'\n)"
    r"(?P<rows>.*?)\n(?P=tag)\n\Z",
    re.S,
)


def _loop(text: str) -> re.Match:
    match = _LOOP.match(script(text))
    assert match, "the README's people block is no longer `while read -r id name position unit; do … done <<'TAG'`"
    return match


def people(text: str) -> list[Person]:
    return [Person(*line.split()) for line in _loop(text)["rows"].splitlines() if line.strip()]


def password(text: str) -> str:
    """The one password the loop pipes to ``--password-stdin``."""
    [secret] = re.findall(r"printf '%s\\n' '([^']+)' \| " + re.escape(CLI) + " add-user", script(text))
    return secret


def script_for(text: str, person: Person) -> str:
    """The README's block exactly, its here-document cut down to the one person (the test runs these side by side).
    Where this checkout has no .venv/bin/zhaoshang, the zhaoshang of the running interpreter's environment."""
    match = _loop(text)
    [line] = [x for x in match["rows"].splitlines() if x.split()[:1] == [person.user_id]]
    block = f"{match['head']}{line}\n{match['tag']}\n"
    if not (ROOT / CLI).exists():
        block = block.replace(CLI, shlex.quote(str(Path(sys.executable).parent / "zhaoshang")))
    return block


def steps(text: str) -> list[tuple[int, list[str], str]]:
    """The table's rows: (step, the user ids signing in for it in order, what they do)."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].isdigit():
            rows.append((int(cells[0]), [x for x in re.split(r",\s*", cells[1]) if x], cells[2]))
    return rows


def sign_ins(text: str) -> list[list]:
    """Every sign-in the table asks for, in order: [step, user id]."""
    return [[n, user] for n, users, _ in steps(text) for user in users]
