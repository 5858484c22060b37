"""Sample data for tests: valid leads and actors."""

from __future__ import annotations

import copy

from services.intake.domain import uscc_check_character
from zhaoshang.samples import (  # noqa: F401 — the demo's sample workbooks (LAND's parcels, the LG's roster), the tests' too
    PARCEL_HEADINGS,
    ROSTER_HEADINGS,
    SAMPLE_PARCELS,
    SAMPLE_ROSTER,
    parcel_workbook,
    roster_workbook,
    workbook,
)

IPB_CLERK = {"user_id": "u-ipb-1", "position": "ipb_clerk", "unit": "IPB"}
IPB_DIRECTOR = {"user_id": "u-ipb-0", "position": "ipb_director", "unit": "IPB"}
PARK_STAFF = {"user_id": "u-park-1", "position": "park_promotion:hengdong", "unit": "PARK:hengdong"}
FIN_STAFF = {"user_id": "u-fin-1", "position": "fin_clerk", "unit": "FIN"}


def credit_code(first17: str = "91430100MA4L0AB1C") -> str:
    return first17 + uscc_check_character(first17)


def lead(n: int = 1, **overrides) -> dict:
    body = {
        "investor": {
            "name": f"示例投资有限公司{n}",
            "kind": "domestic",
            "credit_code": credit_code(f"91430100MA4L{n:05d}"),
        },
        "contact": {"name": "李经理", "phone": "0731-12345678", "email": "li@example.com"},
        "project_name": f"示例项目{n}",
        "sector": "C3512",  # in Hengdong park's positioning (C35)
        "planned_total_investment": "120000000",
        "planned_fixed_asset_investment": "100000000",  # 222 万元/亩 on 45 mu: above the park minimum
        "land_demand": {"value": "45", "unit": "mu"},
        "preferred_location": {"kind": "park", "id": "hengdong"},
        "source_channel": "fair",
    }
    body = copy.deepcopy(body)
    body.update(overrides)
    return body


def package_parts(data: bytes) -> dict[str, bytes]:
    """A .docx (any zip package) as its members' names (in the package's order) and bytes."""
    import io
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}


# -- workbooks a county office sends (LAND's land reserve, the LG office's roster): zhaoshang/samples.py, imported above
def upload(filename: str, content: bytes) -> dict:
    import base64

    return {"filename": filename, "content_base64": base64.b64encode(content).decode()}
