"""Sample workbooks a county office sends: LAND's land reserve (土地储备) and the Leading Group office's roster — the
ones `zhaoshang demo` imports and the tests use (tests/factories.py).  Sample names and figures, not a real county's."""

from __future__ import annotations


def workbook(sheet: str, headings: list[str], rows: list[list], title: str | None = None) -> bytes:
    """An .xlsx as an office keeps it: an optional title row, the heading row, the rows (texts as text: a name that
    starts like a formula is not one)."""
    import io

    from openpyxl import Workbook

    from shared.spreadsheet import cell_value

    book = Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(headings)
    for row in rows:
        ws.append([cell_value(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PARCEL_HEADINGS = [
    "地块编号",
    "地块名称",
    "位置",
    "坐落",
    "面积（亩）",
    "规划用途",
    "容积率下限",
    "容积率上限",
    "供应状态",
    "挂牌价（元/亩）",
    "投资强度（万元/亩）",
    "亩均产出（万元/亩）",
    "亩均税收（万元/亩）",
    "单位产出能耗（吨标准煤/万元）",
    "备注",
]
SAMPLE_PARCELS = [
    # code, name, location, address, mu, use, plot ratio, status, price, intensity, output, tax, energy, notes
    [
        "HD-01",
        "衡东园一号地块",
        "衡东工业园",
        "工业大道北",
        48,
        "一类工业用地",
        1.2,
        2.5,
        "可供地",
        180000,
        250,
        400,
        20,
        0.5,
        None,
    ],
    [
        "HD-02",
        "衡东园二号地块",
        "衡东工业园",
        "工业大道北",
        60,
        "M2",
        1.0,
        2.0,
        "可供地",
        180000,
        220,
        350,
        18,
        0.6,
        None,
    ],
    [
        "HD-03",
        "衡东园三号地块",
        "衡东工业园",
        "科技路东",
        120,
        "M2",
        1.0,
        2.0,
        "挂牌中",
        175000,
        200,
        300,
        15,
        None,
        "2026年第4批",
    ],
    [
        "HD-04",
        "衡东园四号地块",
        "衡东工业园",
        "科技路西",
        35,
        "M1",
        1.5,
        3.0,
        "储备中",
        None,
        None,
        None,
        None,
        None,
        "征收中",
    ],
    [
        "HD-05",
        "衡东园五号地块",
        "衡东工业园",
        "园区南路",
        66.5,
        "M1",
        1.2,
        2.5,
        "可供地",
        185000.5,
        260,
        420,
        22,
        0.45,
        None,
    ],
    ["HX-01", "河西新区一号地块", "河西新区", "滨江路", 52, "M1", 1.2, 2.8, "可供地", 210000, 300, 500, 30, 0.3, None],
    [
        "HX-02",
        "河西新区二号地块",
        "河西新区",
        "滨江路",
        80,
        "B29",
        2.0,
        4.0,
        "可供地",
        230000,
        350,
        600,
        40,
        None,
        "研发用地",
    ],
    [
        "XT-01",
        "新塘镇工业地块",
        "新塘镇",
        "新塘工业集中区",
        40,
        "M2",
        1.0,
        2.0,
        "可供地",
        150000,
        180,
        250,
        12,
        0.7,
        None,
    ],
]


def parcel_workbook(rows: list[list] | None = None) -> bytes:
    return workbook("土地储备", PARCEL_HEADINGS, SAMPLE_PARCELS if rows is None else rows, title="示例县土地储备地块表")


ROSTER_HEADINGS = ["职务", "姓名", "平台账号", "电子邮箱", "任职起始日期", "任职截止日期", "备注"]
SAMPLE_ROSTER = [
    ["县委书记", "王书记", "lg-secretary", None, "2025-01-01", None, None],
    ["县人大常委会主任", "赵主任", None, None, "2025-01-01", None, None],
    ["县政协主席", "钱主席", None, None, "2025-01-01", None, None],
    ["县长", "孙县长", "lg-magistrate", None, "2025-01-01", None, None],
    ["县委副书记（分管招商引资）", "李副书记", None, None, "2025-01-01", None, None],
    ["分管招商引资工作的副县长", "周副县长", "lg-dm-invest", "zhou@example.gov.cn", "2025-01-01", None, None],
    ["分管工业工作的副县长", "吴副县长", "lg-dm-industry", "wu@example.gov.cn", "2025-01-01", None, None],
    ["分管发展改革工作的副县长", "郑副县长", None, "zheng@example.gov.cn", "2025-01-01", None, None],
    ["衡东工业园党工委书记、管委会主任", "冯主任", "demo-park", None, "2025-01-01", None, None],
    ["县招商局局长", "陈局长", "u-ipb-0", None, "2025-01-01", None, None],
]


def roster_workbook(rows: list[list] | None = None) -> bytes:
    return workbook(
        "领导小组成员",
        ROSTER_HEADINGS,
        SAMPLE_ROSTER if rows is None else rows,
        title="示例县招商引资工作领导小组成员名单",
    )
