"""In-process timings of the parts the lifecycle's profile pointed at (docs/PERFORMANCE.md), each beside the
way it was done before, in the same process:

    .venv/bin/python -m bench.parts              # best of 3 rounds of 40 (documents) or 2000 (transactions)
    .venv/bin/python -m bench.parts --rounds 1 --n 2 --json /tmp/parts.json

* a contract drafted (``render_contract``: from its shape's skeleton, and composed by python-docx) and approved
  (part by part, and by python-docx);
* the accounting report, a 公文 (shared/gongwen.py), as Word (skeleton / python-docx) and as PDF;
* a worker's SQLite transaction — a select, an insert and the commit, through ``shared.fastpath`` — on a
  ``LeanSession`` and on SQLAlchemy's ``Session`` (``synchronous=NORMAL``: the CPU, not the disk).

Each figure is wall time per call (the documents) or process CPU per transaction, the best round's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {
    "ref": "ZS-2026-0007",
    "project_name": "年产10万吨新型建材项目",
    "investor_name": "湖南某某建材有限公司",
    "responsible_unit_name": "衡东工业园管理委员会",
}
TERMS = {
    "total_investment": "150000000",
    "fixed_asset_investment": "120000000",
    "land_mu": "45",
    "intensity_wan_per_mu": "266.67",
    "construction_start": "2026-03-01",
    "completion": "2027-06-30",
    "production": "2027-09-01",
    "signatory_position": "park_head:hengdong",
    "obligations": [
        {"id": "ob-1", "text": "缴清土地出让金", "due": "2026-02-15", "party": "investor"},
        {"id": "ob-2", "text": "完成场地“三通一平”并交付用地", "due": "2026-12-31", "party": "county"},
    ],
}


def best(call, rounds: int, n: int, clock=time.perf_counter) -> float:
    """The best round's time per call, in seconds (one call first, untimed: caches built)."""
    call()
    times = []
    for _ in range(rounds):
        start = clock()
        for _ in range(n):
            call()
        times.append((clock() - start) / n)
    return min(times)


@contextmanager
def composed(module):
    """Every text taken as not plain: the module composes with python-docx, as before its skeletons."""
    fillable = module.fillable
    module.fillable = lambda value: False
    try:
        yield
    finally:
        module.fillable = fillable


def documents(rounds: int, n: int) -> dict:
    from services.accounting import report
    from services.contracts import document
    from shared.clock import now_shanghai

    draft = document.render_contract(TERMS, project=PROJECT, version=3)
    notice = document.DEFAULT_TEMPLATE["draft_notice"]
    now = now_shanghai()
    from datetime import date

    from shared import gongwen
    from shared.policy import load_policy

    figures = [
        {"name": name, "value": "123.45", "unit": "yuan", "formula": "实际固定资产投资 ÷ 实际用地（依据合同第三条）"}
        for name in report.FIGURE_NAMES
    ]
    accounting = {"participants": ["IPB", "FIN", "DRB", "IND", "LAND", "AUDIT", "PARK:hengdong"], "figures": figures}
    receivable = {"amount": "3000000.00", "roles": [{"unit": u} for u in ("FIN", "LAND", "LEGAL")]}
    official = report.document(
        PROJECT,
        accounting,
        receivable,
        "用地合理。",
        gongwen.Number("示招商〔2026〕7号", 7, date(2026, 12, 8)),
        gongwen.routing(load_policy(), "accounting_report"),
        ["party_secretary", "county_magistrate"],
    )
    layout = gongwen._layout(official)
    out = {
        "contract_draft_ms": best(lambda: document.render_contract(TERMS, project=PROJECT, version=3), rounds, n),
        "contract_approval_ms": best(lambda: document.approve(draft), rounds, n),
        "contract_approval_by_python_docx_ms": best(lambda: document._approve_document(draft, notice, now), rounds, n),
        "report_docx_ms": best(lambda: report.render_docx(official), rounds, n),
        "report_docx_by_python_docx_ms": best(lambda: gongwen._compose_docx(official, layout), rounds, n),
        "report_pdf_ms": best(lambda: report.render_pdf(official), rounds, n),
    }
    with composed(document):
        out["contract_draft_by_python_docx_ms"] = best(
            lambda: document.render_contract(TERMS, project=PROJECT, version=3), rounds, n
        )
    return {key: round(value * 1000, 2) for key, value in sorted(out.items())}


def transactions(rounds: int, n: int) -> dict:
    os.environ["ZS_SQLITE_SYNCHRONOUS"] = "NORMAL"
    from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select
    from sqlalchemy.orm import Session

    from shared.db import LeanSession, make_engine
    from shared.fastpath import execute

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/parts.db")
        table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("v", String(40)))
        table.metadata.create_all(engine)
        read, write = select(table.c.v).where(table.c.id == 1), insert(table)

        def transaction(make):
            def run():
                session = make()
                execute(session, read, {})
                execute(session, write, {"v": "x"})
                session.commit()
                session.close()

            return run

        out = {
            "transaction_lean_session_us": best(transaction(lambda: LeanSession(engine)), rounds, n, time.process_time),
            "transaction_session_us": best(
                transaction(lambda: Session(engine, expire_on_commit=False)), rounds, n, time.process_time
            ),
        }
        engine.dispose()
    return {key: round(value * 1e6, 1) for key, value in out.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=0, help="calls a round (default: 40 a document, 2000 a transaction)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    figures = {**documents(args.rounds, args.n or 40), **transactions(args.rounds, args.n or 2000)}
    for key, value in figures.items():
        print(f"{key:40} {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
