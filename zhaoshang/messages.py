"""The message catalogue's upkeep: ``zhaoshang messages update`` and ``zhaoshang messages check``.

Babel extracts every ``_("…")`` and ``N_("…")`` of the platform's code (services/, shared/, zhaoshang/) into
``shared/locale/messages.pot``, and brings each language's catalogue (``shared/locale/<locale>/LC_MESSAGES/
messages.po``) up to it: a new source text arrives with an empty translation, a text no longer in the code
leaves.  Entries are sorted by source text and carry no line numbers, so two changes that add messages merge
without conflicts.  A translator then writes the ``msgstr`` of each new entry.

``check`` is what ``tests/unit/test_messages.py`` holds the catalogue to: the template is the code's, every
entry of every language is translated (not fuzzy), and a translation uses exactly its source's placeholders.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from shared.config import ROOT
from shared.i18n import CATALOGUE_DIR, DOMAIN, LOCALES, DEFAULT_LOCALE, babel_locale, placeholders

SOURCES = ("services", "shared", "zhaoshang")
KEYWORDS = {"_": None, "N_": None}
TEMPLATE = CATALOGUE_DIR / f"{DOMAIN}.pot"
TRANSLATED = tuple(locale for locale in LOCALES if locale != "en")
"""The languages with a catalogue of their own (the source texts are English)."""


def po_path(locale: str) -> Path:
    return CATALOGUE_DIR / babel_locale(locale) / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract(root: Path = ROOT) -> Catalog:
    """Every message of the code, as a template catalogue."""
    template = Catalog(
        project="zhaoshang", version="", copyright_holder="", msgid_bugs_address="", charset="utf-8", fuzzy=False
    )
    for source in SOURCES:
        directory = root / source
        method_map = [("**/locale/**", "ignore"), ("**/migrations/**", "ignore"), ("**.py", "python")]
        for filename, lineno, message, comments, context in extract_from_dir(
            directory, method_map, keywords=KEYWORDS, strip_comment_tags=True
        ):
            if isinstance(message, str) and message:
                template.add(message, locations=[(f"{source}/{filename}", lineno)], auto_comments=comments)
    return template


def _dump(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(
        out,
        catalog,
        width=120,
        no_location=True,
        omit_header=True,
        sort_output=True,
        ignore_obsolete=True,
        include_previous=False,
    )
    return out.getvalue()


def _read(path: Path, locale: str | None = None) -> Catalog | None:
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update(root: Path = ROOT) -> dict[str, list[str]]:
    """Write the template and bring every language's catalogue up to it; per language, the texts still
    without a translation."""
    template = extract(root)
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    TEMPLATE.write_bytes(_dump(template))
    untranslated = {}
    for locale in TRANSLATED:
        path = po_path(locale)
        catalog = _read(path, babel_locale(locale))
        if catalog is None:
            catalog = Catalog(locale=babel_locale(locale), project="zhaoshang", charset="utf-8", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_dump(catalog))
        untranslated[locale] = [m.id for m in catalog if m.id and not m.string]
    return untranslated


@dataclass
class Problems:
    stale: list[str] = field(default_factory=list)
    untranslated: dict[str, list[str]] = field(default_factory=dict)
    placeholders: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.stale or any(self.untranslated.values()) or any(self.placeholders.values()))

    def report(self) -> str:
        lines = [f"the template is stale (run `zhaoshang messages update`): {m!r}" for m in self.stale]
        for locale, ids in self.untranslated.items():
            lines += [f"{locale}: no translation of {m!r}" for m in ids]
        for locale, ids in self.placeholders.items():
            lines += [f"{locale}: the translation of {m!r} does not use exactly its placeholders" for m in ids]
        return "\n".join(lines)


def check(root: Path = ROOT) -> Problems:
    problems = Problems()
    code = {m.id for m in extract(root) if m.id}
    checked_in = _read(TEMPLATE)
    template = {m.id for m in checked_in if m.id} if checked_in is not None else set()
    problems.stale = sorted(code ^ template)
    for locale in TRANSLATED:
        catalog = _read(po_path(locale), babel_locale(locale))
        translations = {m.id: m for m in catalog if m.id} if catalog is not None else {}
        problems.untranslated[locale] = sorted(
            m for m in code if m not in translations or not translations[m].string or translations[m].fuzzy
        )
        problems.placeholders[locale] = sorted(
            m
            for m in code
            if m in translations and translations[m].string and placeholders(m) != placeholders(translations[m].string)
        )
    return problems


def cmd_messages(args) -> int:
    if args.action == "update":
        untranslated = update()
        for locale, ids in untranslated.items():
            print(f"{locale}: {len(ids)} message(s) without a translation in {po_path(locale).relative_to(ROOT)}")
            for msgid in ids:
                print(f"  {msgid}")
        return 0
    problems = check()
    if problems.ok:
        print(f"the catalogue is complete ({DEFAULT_LOCALE} first)")
        return 0
    print(problems.report())
    return 1
