"""What may stand in Latin letters in Chinese text, and what Chinese may stand in English text (R18): the one
allowlist of the leak tests — the unit sweep (tests/unit/test_language_leaks.py) and the web app's pages in the
browser (tests/browser/test_language.py)."""

from __future__ import annotations

import re

ALLOWED = [
    re.compile(p)
    for p in (
        r"[0-9A-HJ-NP-RTUW-Y]{18}",  # a unified social credit code (GB 32100-2015)
        r"[A-T](\d{2,4})?",  # a GB/T 4754 sector code (section letter, division, group, class)
        r"(ZS|CB|TZ|SR)\d{4}-\d{4}(-V\d+)?",  # project refs, reserve refs, imported ledger refs, special reports;
        # a contract's number (the ref and its version)
        r"SR-ZS\d{4}-\d{4}-\d+",  # a special report's number in the register (its project's ref)
        r"HD\d{4}-\d{3,4}",  # an investment event's number (活动编号)
        r"O\d+",  # a contract obligation's key
        r"T\d{1,4}",  # a policy term's number in a negotiation (T1, T2, …)
        r"GB/T|GB|ISO|Excel|Word|PDF|JSON|URL|UUID|Base64|base64|xlsx|docx|doc|pdf|CSV|csv|e-mail|Email|API|http|https|SMTP|STARTTLS",
        r"KB|MB|GB",  # a file's size
        r"English",  # the language switch, in the language it switches to
        r"YYYY-MM(-DD)?|YYYY-Qn|Q[1-4]",  # formats shown as they are typed
        r"A-T|A-H|J-N|P-R|T-U|W-Y|I|O|S|V|Z",  # the characters a credit code or a sector code is made of
        r"m2|mu|ha|sqm",  # land units as typed
        r"UTF-8|GB18030|U|x",  # an encoding, a character's code point (U+0000), a byte (0x00)
        r"[A-Z]{1,4}(-\d{1,4})+",  # a land parcel's code (HD-01, HD-2026-01)
        r"[MWRU]\d",  # a planning use's class (GB 50137: M1 一类工业用地)
    )
]
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:[/-][A-Za-z0-9_]+)*")
EN_DATA = {
    "是",
    "否",
    "职务",
    "姓名",
    "项目名称",
    "完成时限",
    "推进要求",
    "万元",
    "亩",
    "平方米",
    "公顷",
    "年",
    "月",
    "日",
    "税收",
}
"""Chinese that English text keeps: the county's headings and words an import expects, units as typed."""
CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


CREDIT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUW-Y]{18}(?![0-9A-Z])")
"""A unified social credit code in a text (its letters start inside the code: taken out whole first)."""


ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?")
"""A timestamp as the wire has it (2026-12-07T05:23:00+08:00): never what a person reads (its "T05" would pass as a
policy term's number)."""


def latin_leaks(text: str) -> list[str]:
    """Runs of Latin letters in a Chinese text that are not allowed codes, and wire timestamps."""
    text = CREDIT_CODE.sub(" ", text or "")
    moments = [m.group(0) for m in ISO_MOMENT.finditer(text)]
    text = ISO_MOMENT.sub(" ", text)
    return moments + [run for run in LATIN_RUN.findall(text) if not any(p.fullmatch(run) for p in ALLOWED)]


def chinese_leaks(text: str) -> list[str]:
    """Runs of Chinese in an English text that are not the county's own words."""
    return [run for run in CJK_RUN.findall(text or "") if run not in EN_DATA]
