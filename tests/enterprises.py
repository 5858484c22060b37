"""Generated enterprises and the files their data comes in (the register, and each unit's yearly figures), for
the tests and the benchmark of the enterprise data store and the per-mu benefit evaluation (R17)."""

from __future__ import annotations

import base64
import csv
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal

from shared.uscc import check_character

LOCATIONS = ("衡东工业园", "河西新区", "新塘镇", "石湾镇", "杨桥镇")
SECTORS = ("C3512", "C3311", "C3989", "C1391", "C2710", "C3432")
HEADINGS = {
    "tax": "税收（万元）",
    "output": "工业总产值（万元）",
    "energy": "综合能耗（吨标准煤）",
    "electricity": "用电量（万千瓦时）",
    "land": "用地面积（亩）",
}


def code(n: int) -> str:
    """A valid unified social credit code, different for each ``n``."""
    first17 = f"91430424MA{n:07d}"
    return first17 + check_character(first17)


@dataclass
class Enterprise:
    credit_code: str
    name: str
    location: str
    sector: str
    production_year: int
    figures: dict[int, dict[str, Decimal]] = field(default_factory=dict)


def enterprises(n: int, years=(2025,), seed: int = 27) -> list[Enterprise]:
    rnd = random.Random(seed)
    made = []
    for i in range(n):
        e = Enterprise(
            code(i + 1),
            f"示例制造有限公司{i + 1:05d}",
            LOCATIONS[i % len(LOCATIONS)],
            SECTORS[i % len(SECTORS)],
            2015 + i % 8,
        )
        for year in years:
            land = Decimal(rnd.randint(40, 2000)) / 10  # 4.0 to 200.0 亩
            tax = (land * Decimal(rnd.randint(500, 5000)) / 100).quantize(Decimal("0.01"))
            output = (tax * Decimal(rnd.randint(12, 30))).quantize(Decimal("0.01"))
            energy = (output / Decimal(rnd.randint(20, 400))).quantize(Decimal("0.1"))
            e.figures[year] = {
                "tax": tax,
                "output": output,
                "energy": energy,
                "land": land,
                "electricity": (energy * Decimal("0.8")).quantize(Decimal("0.01")),
            }
        made.append(e)
    return made


def _xlsx(headings: list[str], rows: list[list], title: str | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    if title:
        sheet.append([title])
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(headings: list[str], rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows([[str(v) for v in row] for row in rows])
    return out.getvalue().encode(encoding)


def register_file(made: list[Enterprise]) -> bytes:
    return _xlsx(
        ["统一社会信用代码", "企业名称", "所在园区或乡镇", "行业代码", "投产年份"],
        [[e.credit_code, e.name, e.location, e.sector, e.production_year] for e in made],
        "企业名录",
    )


def figures_file(made: list[Enterprise], kinds: tuple[str, ...], years=(2025,), as_csv: bool = False) -> bytes:
    headings = ["统一社会信用代码", "企业名称", "年度", *(HEADINGS[k] for k in kinds)]
    rows = [
        [e.credit_code, e.name, year, *(float(e.figures[year][k]) if not as_csv else e.figures[year][k] for k in kinds)]
        for e in made
        for year in years
    ]
    return _csv(headings, rows) if as_csv else _xlsx(headings, rows, "企业年度数据")


def upload(filename: str, content: bytes, **more) -> dict:
    return {"filename": filename, "content_base64": base64.b64encode(content).decode(), **more}


# -- the units that bring each kind of data, and the supervision service over SQLite (unit tests) -------------------
FIN = {"user_id": "u-fin", "position": "fin_clerk", "unit": "FIN"}
DRB = {"user_id": "u-drb", "position": "drb_clerk", "unit": "DRB"}
IND = {"user_id": "u-ind", "position": "ind_clerk", "unit": "IND"}
LAND = {"user_id": "u-land", "position": "land_clerk", "unit": "LAND"}
IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}


def supervision(path, policy, now):
    """The supervision service over a fresh SQLite database at ``path`` (tests/harness.py), its clock at ``now``;
    (harness, engine)."""
    from sqlalchemy import create_engine

    from services.supervision import models
    from services.supervision.service import SupervisionService
    from tests.harness import Harness, TestClock

    engine = create_engine(f"sqlite:///{path}")
    models.metadata.create_all(engine)
    return Harness(SupervisionService, models.metadata, engine, policy=policy, clock=TestClock(now)), engine
