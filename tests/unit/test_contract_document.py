"""R6 contract text as a Word document: rendered with python-docx, read back, terms checked.

Pure Python: services.contracts.document only; no broker, no database.
"""

from __future__ import annotations

import copy
import io
import zipfile
from datetime import datetime, timedelta, timezone

import docx
import pytest

from services.contracts import document
from tests.factories import package_parts
from services.contracts.document import (
    DEFAULT_TEMPLATE,
    approve,
    contract_number,
    format_date_zh,
    read_contract,
    render_contract,
    signatory_title,
)

DRAFT = "草稿　未经县法制办审核"  # the template's DRAFT line, in Chinese

PROJECT = {
    "ref": "ZS-2026-0007",
    "project_name": "年产10万吨新型建材项目",
    "investor_name": "湖南某某建材有限公司",
    "responsible_unit_name": "衡东工业园管理委员会",
}

TERMS = {
    "total_investment": "150000000",
    "fixed_asset_investment": "120000000.005",  # half-up: 12,000.00 万元 / 120,000,000.01 元
    "land_mu": "45",
    "intensity_wan_per_mu": "266.666",  # half-up to 266.67
    "construction_start": "2026-03-01",
    "completion": "2027-06-30",
    "production": "2027-09-01",
    "obligations": [
        {"id": "ob-1", "text": "缴清土地出让金", "due": "2026-02-15", "party": "investor"},
        {"id": "ob-2", "text": "完成场地“三通一平”并交付用地", "due": "2026-12-31", "party": "county"},
    ],
    "signatory_position": "park_head:hengdong",
}


def render(terms=None, *, version=3, **kw):
    return render_contract(TERMS if terms is None else terms, project=PROJECT, version=version, **kw)


@pytest.fixture(scope="module")
def draft_bytes():
    return render()


@pytest.fixture(scope="module")
def draft(draft_bytes):
    return read_contract(draft_bytes)


def body(contract) -> str:
    return "\n".join(contract["paragraphs"])


def test_the_bytes_are_a_docx_that_python_docx_opens(draft_bytes):
    assert draft_bytes.startswith(b"PK")
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(draft_bytes)).namelist()
    document = docx.Document(io.BytesIO(draft_bytes))
    assert document.core_properties.title == "招商引资项目投资合同（年产10万吨新型建材项目）"
    assert document.core_properties.identifier == "ZS-2026-0007-V3"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4


def test_title_is_the_contract_title_and_the_project_name(draft):
    assert draft["title"] == "招商引资项目投资合同\n年产10万吨新型建材项目"


def test_header_block_names_the_contract_number_with_its_version_and_the_parties(draft):
    paragraphs = draft["paragraphs"]
    assert "合同编号：ZS-2026-0007-V3" in paragraphs
    assert "版本：第3稿" in paragraphs
    assert "甲方：衡东工业园管理委员会" in paragraphs
    assert "乙方：湖南某某建材有限公司" in paragraphs
    assert contract_number("ZS-2026-0007", 12) == "ZS-2026-0007-V12"


def test_articles_are_numbered_in_order(draft):
    headings = [p for p in draft["paragraphs"] if p.startswith("第") and "条　" in p]
    assert headings == [
        "第一条　投资规模",
        "第二条　项目用地",
        "第三条　投资强度",
        "第四条　建设进度",
        "第五条　其他义务",
        "第六条　争议解决",
        "第七条　生效",
    ]


def test_investment_in_wan_and_in_yuan(draft):
    assert (
        "本项目总投资 15,000.00 万元（人民币 150,000,000.00 元），"
        "其中固定资产投资 12,000.00 万元（人民币 120,000,000.01 元）。"
    ) in draft["paragraphs"]


def test_land_in_mu_and_square_metres(draft):
    assert "本项目用地 45.00 亩（折合 30,000.00 平方米），以实际出让（划拨）面积为准。" in draft["paragraphs"]


def test_the_land_article_names_the_reserve_parcel_the_contract_supplies():
    parcel = {
        "code": "HD-05",
        "name": "衡东园五号地块",
        "location": "PARK:hengdong",
        "location_name": "衡东工业园",
        "area_mu": "60.0045",
        "use": "M1",
        "delisting_price": "180000.00",
    }
    text = body(read_contract(render({**TERMS, "parcel": parcel})))
    assert (
        "本项目用地 45.00 亩（折合 30,000.00 平方米），由县土地储备地块供应：地块编号 HD-05（衡东园五号地块），"
        "位于衡东工业园，储备面积 60.0045 亩；以实际出让（划拨）面积为准。"
    ) in text
    # composed by python-docx the same (a template whose texts are not all plain has no skeleton)
    composed = body(read_contract(render({**TERMS, "parcel": parcel}, template={"title": "投资合同 {ref:>3}"})))
    assert "地块编号 HD-05（衡东园五号地块），位于衡东工业园，储备面积 60.0045 亩" in composed
    # a unit's code is written by its name where the location has no name given
    text = body(
        read_contract(
            render({**TERMS, "parcel": {**parcel, "location_name": None, "location": "LAND", "area_mu": "48"}})
        )
    )
    assert "位于县国土资源局，储备面积 48.00 亩" in text
    assert "土地储备" not in body(read_contract(render()))  # a contract without a parcel names none


def test_land_square_metres_are_rounded_once_half_up():
    # 1 亩 = 2000/3 m²: 0.01 亩 = 6.666… m² -> 6.67; 1.5 亩 = 1000 m² exactly.
    text = body(read_contract(render({**TERMS, "land_mu": "0.01"})))
    assert "0.01 亩（折合 6.67 平方米）" in text
    text = body(read_contract(render({**TERMS, "land_mu": "1.5"})))
    assert "1.50 亩（折合 1,000.00 平方米）" in text


def test_contracted_intensity(draft):
    assert "乙方承诺本项目投资强度不低于 266.67 万元/亩。" in draft["paragraphs"]


def test_three_dates_in_chinese_format(draft):
    assert ("乙方应于 2026年3月1日 前开工建设，于 2027年6月30日 前竣工，于 2027年9月1日 前建成投产。") in draft[
        "paragraphs"
    ]
    assert format_date_zh("2026-10-09") == "2026年10月9日"


def test_obligations_table_has_one_row_per_obligation(draft):
    assert draft["tables"] == [
        [
            ["序号", "义务", "到期日", "责任方"],
            ["1", "缴清土地出让金", "2026年2月15日", "乙方"],
            ["2", "完成场地“三通一平”并交付用地", "2026年12月31日", "甲方"],
        ]
    ]


def test_obligation_of_a_unit_is_shown_with_the_unit_name():
    terms = copy.deepcopy(TERMS)
    terms["obligations"].append({"id": "ob-3", "text": "办理不动产权证", "due": "2027-01-15", "party": "LAND"})
    terms["obligations"].append(
        {"id": "ob-4", "text": "协调供电接入", "due": "2026-06-30", "party": "国网某县供电公司"}
    )
    rows = read_contract(render(terms))["tables"][0]
    assert rows[3] == ["3", "办理不动产权证", "2027年1月15日", "县国土资源局"]
    assert rows[4] == ["4", "协调供电接入", "2026年6月30日", "国网某县供电公司"]


def test_signature_blocks_name_the_park_head_title_and_the_investor(draft):
    paragraphs = draft["paragraphs"]
    assert "甲方（盖章）：衡东工业园管理委员会" in paragraphs
    assert "签约代表：园区管委会主任（签字）：____________" in paragraphs
    assert "乙方（盖章）：湖南某某建材有限公司" in paragraphs
    # the signature blocks come after the last article
    assert paragraphs.index("甲方（盖章）：衡东工业园管理委员会") > paragraphs.index("第七条　生效")


@pytest.mark.parametrize(
    "position, title",
    [
        ("park_head:hengdong", "园区管委会主任"),
        ("park_head:hexi", "园区管委会主任"),
        ("county_magistrate", "县长"),
        ("deputy_magistrate_investment", "分管招商副县长"),
        ("someone_else", "someone_else"),
    ],
)
def test_signatory_titles(position, title):
    assert signatory_title(position) == title


def test_county_magistrate_signs_as_county_head():
    paragraphs = read_contract(render({**TERMS, "signatory_position": "county_magistrate"}))["paragraphs"]
    assert "签约代表：县长（签字）：____________" in paragraphs


def test_draft_line_is_at_the_top_until_approved(draft_bytes, draft):
    assert draft["paragraphs"][0] == DRAFT
    header_text = [p.text for p in docx.Document(io.BytesIO(draft_bytes)).sections[0].header.paragraphs]
    assert DRAFT in header_text

    approved_bytes = render({**TERMS, "approved": True})
    approved = read_contract(approved_bytes)
    assert DRAFT not in approved["paragraphs"]
    assert approved["paragraphs"][0] == "招商引资项目投资合同\n年产10万吨新型建材项目"
    assert DRAFT.encode("utf-8") not in b"".join(
        zipfile.ZipFile(io.BytesIO(approved_bytes)).read(name)
        for name in zipfile.ZipFile(io.BytesIO(approved_bytes)).namelist()
    )
    assert approved["tables"] == draft["tables"]


def _parts(data: bytes) -> bytes:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return b"".join(archive.read(name) for name in archive.namelist())


def test_approval_is_the_reviewed_draft_without_its_draft_lines(draft_bytes, draft):
    approved_bytes = approve(draft_bytes)
    approved = read_contract(approved_bytes)
    fresh = read_contract(render({**TERMS, "approved": True}))
    assert approved == fresh  # the same text as an approved render: title, every paragraph, the table
    assert approved["paragraphs"] == draft["paragraphs"][1:] and approved["tables"] == draft["tables"]
    assert DRAFT.encode("utf-8") not in _parts(approved_bytes) and "草稿".encode("utf-8") not in _parts(approved_bytes)
    opened = docx.Document(io.BytesIO(approved_bytes))
    section = opened.sections[0]
    assert [p.text for p in section.header.paragraphs] == [contract_number(PROJECT["ref"], 3)]
    assert "".join(p.text for p in section.footer.paragraphs) == "第  页"  # the PAGE field is the draft's
    core, was = opened.core_properties, docx.Document(io.BytesIO(draft_bytes)).core_properties
    assert (core.category, core.keywords, core.comments) == (
        "合同",
        "招商引资; 投资合同",
        contract_number(PROJECT["ref"], 3),
    )
    assert (core.title, core.subject, core.version, core.revision, core.created) == (
        was.title,
        was.subject,
        was.version,
        was.revision,
        was.created,
    )
    assert core.modified >= was.modified


def test_approval_keeps_the_text_legal_reviewed_when_the_template_changed_since():
    draft_bytes = render(template={"copies": 8})
    approved = read_contract(approve(draft_bytes, template={"copies": 10}))
    text = "".join(approved["paragraphs"])
    assert "一式十份" in text and "其余八份" in text and "一式十二份" not in text


def test_only_a_draft_is_approved(draft_bytes):
    for not_a_draft in (render({**TERMS, "approved": True}), approve(draft_bytes)):
        with pytest.raises(ValueError, match="^document: not a draft"):
            approve(not_a_draft)


def test_dispute_resolution_and_other_terms_come_from_the_terms():
    terms = {
        **TERMS,
        "dispute_resolution": "争议提交长沙仲裁委员会仲裁。",
        "other_terms": ["乙方须在本县注册独立法人公司。", "项目税收归属本县。"],
    }
    paragraphs = read_contract(render(terms))["paragraphs"]
    assert "争议提交长沙仲裁委员会仲裁。" in paragraphs
    assert "第六条　其他约定" in paragraphs
    assert "1. 乙方须在本县注册独立法人公司。" in paragraphs
    assert "2. 项目税收归属本县。" in paragraphs
    assert "第八条　生效" in paragraphs


def test_no_obligations_is_said_in_words():
    contract = read_contract(render({**TERMS, "obligations": []}))
    assert contract["tables"] == []
    assert "本合同无其他约定义务。" in contract["paragraphs"]


def test_the_copies_line_counts_each_party_s_originals_besides_the_filed_copies():
    """R13 files at least 8 copies with the county's units; 甲方 and 乙方 keep their own originals besides."""
    effect = next(p for p in read_contract(render())["paragraphs"] if "一式" in p)
    assert "本合同一式十份，甲乙双方各执一份，其余八份由县政府办等单位存档" in effect
    effect = next(
        p for p in read_contract(render(template={"copies": 9, "party_copies": 2}))["paragraphs"] if "一式" in p
    )
    assert "本合同一式十三份，甲乙双方各执二份，其余九份" in effect


def test_a_county_template_overrides_wording():
    template = {"title": "项目投资协议书", "headings": {"intensity": "投资强度与税收"}, "copies": 10}
    contract = read_contract(render(template=template))
    assert contract["title"] == "项目投资协议书\n年产10万吨新型建材项目"
    assert "第三条　投资强度与税收" in contract["paragraphs"]
    assert any("一式十二份" in p and "其余十份" in p for p in contract["paragraphs"])  # 10 filed + each party's 1
    assert DEFAULT_TEMPLATE["title"] == "招商引资项目投资合同"  # the default is untouched
    assert DEFAULT_TEMPLATE["headings"]["intensity"] == "投资强度"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"total_investment": "abc"}, "terms.total_investment"),
        ({"land_mu": "-1"}, "terms.land_mu"),
        ({"completion": "2027/06/30"}, "terms.completion"),
        ({"signatory_position": ""}, "terms.signatory_position"),
        ({"obligations": [{"id": "x", "text": "t", "due": "soon", "party": "investor"}]}, "terms.obligations[0].due"),
    ],
)
def test_bad_terms_are_refused_by_field(change, field):
    with pytest.raises(ValueError, match=field.replace("[", r"\[").replace("]", r"\]")):
        render({**TERMS, **change})


def test_version_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="version"):
        render(version=0)


def test_the_document_carries_only_the_styles_it_uses_and_their_bases(draft_bytes):
    document = docx.Document(io.BytesIO(draft_bytes))
    names = {style.name for style in document.styles}
    assert {"Normal", "Title", "Heading 1", "Table Grid", "Header", "Footer"} <= names
    assert {"Default Paragraph Font", "Normal Table", "No List"} <= names  # the defaults Word falls back on
    assert len(names) < 20  # not the template's 164
    ids = {style.style_id for style in document.styles}
    for style in document.styles.element.style_lst:  # nothing refers to a dropped style
        for ref in ("basedOn", "next", "link"):
            assert (
                style.find(docx.oxml.ns.qn(f"w:{ref}")) is None
                or style.find(docx.oxml.ns.qn(f"w:{ref}")).get(docx.oxml.ns.qn("w:val")) in ids
            )
    parts = zipfile.ZipFile(io.BytesIO(draft_bytes)).namelist()
    assert "word/stylesWithEffects.xml" not in parts and "docProps/thumbnail.jpeg" not in parts
    heading = document.styles["Heading 1"]
    assert heading.font.size.pt == 14 and heading.font.bold
    assert [p.style.name for p in document.paragraphs if p.text.startswith("第一条")] == ["Heading 1"]


def test_each_render_starts_from_a_clean_base_and_a_template_with_other_fonts_gets_its_own():
    first, second = render(), render()
    assert read_contract(first) == read_contract(second)
    assert len(docx.Document(io.BytesIO(second)).paragraphs) == len(docx.Document(io.BytesIO(first)).paragraphs)
    kaiti = docx.Document(io.BytesIO(render(template={"fonts": {"body": "楷体", "heading": "黑体", "latin": "Arial"}})))
    rfonts = kaiti.styles["Normal"].element.rPr.rFonts
    assert (rfonts.get(docx.oxml.ns.qn("w:eastAsia")), rfonts.get(docx.oxml.ns.qn("w:ascii"))) == ("楷体", "Arial")
    default = docx.Document(io.BytesIO(render())).styles["Normal"].element.rPr.rFonts
    assert default.get(docx.oxml.ns.qn("w:eastAsia")) == "仿宋_GB2312"  # GB/T 9704's body face


# -- the skeleton (shared.docx_base): python-docx's document, written without its object model ---------------------
FIXED = datetime(2026, 12, 6, 13, 45, 9, tzinfo=timezone(timedelta(hours=8)))  # Asia/Shanghai
FIXED_UTC = FIXED.astimezone(timezone.utc)  # as the document's properties hold it
SHAPES = [
    ({}, {}, None),
    ({"approved": True}, {}, None),
    ({"obligations": []}, {}, None),
    (
        {
            "obligations": TERMS["obligations"] * 3,
            "other_terms": ["乙方须在本县注册独立法人公司。", "A&B <C> \"D\" 'E'"],
            "dispute_resolution": "争议提交长沙仲裁委员会仲裁。",
        },
        {"investor_name": 'R&D <湖南> "某某" 有限公司'},
        None,
    ),
    (
        {},
        {"project_name": "项目 & 名称 <一期>", "party_a_name": "衡东县人民政府"},
        {"title": "项目投资协议书", "copies": 10, "fonts": {"body": "楷体", "heading": "黑体", "latin": "Arial"}},
    ),
]


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(document, "now_shanghai", lambda: FIXED)


@pytest.fixture
def composed(monkeypatch):
    """Every contract composed by python-docx (no value taken for plain text), the clock fixed."""

    def render_composed(*args, **kwargs):
        with monkeypatch.context() as patch:
            patch.setattr(document, "fillable", lambda value: False)
            return render_contract(*args, **kwargs)

    return render_composed


@pytest.mark.parametrize("terms, project, template", SHAPES)
def test_a_skeleton_writes_the_very_parts_python_docx_writes(fixed_clock, composed, terms, project, template):
    args = ({**TERMS, **terms},)
    kwargs = {"project": {**PROJECT, **project}, "version": 12, "template": template}
    written, reference = render_contract(*args, **kwargs), composed(*args, **kwargs)
    assert package_parts(written) == package_parts(reference)
    assert list(package_parts(written)) == list(package_parts(reference))  # and in python-docx's order


def test_a_shape_is_rendered_by_python_docx_once(fixed_clock, monkeypatch):
    calls = []
    compose = document._compose
    monkeypatch.setattr(document, "_compose", lambda *a: calls.append(a) or compose(*a))
    monkeypatch.setattr(document, "_SKELETONS", document.Skeletons())
    first = render_contract(TERMS, project=PROJECT, version=1)
    second = render_contract(
        {**TERMS, "total_investment": "2", "land_mu": "3"},
        project={**PROJECT, "investor_name": "另一家公司"},
        version=2,
    )
    assert len(calls) == 1  # the skeleton's rendering; both contracts were filled from it
    assert "另一家公司" in "".join(read_contract(second)["paragraphs"])
    assert read_contract(first) != read_contract(second)


@pytest.mark.parametrize(
    "project, terms",
    [
        ({"project_name": "二期\n扩建项目"}, {}),  # a line break: python-docx writes <w:br/>
        ({"investor_name": "湖南\t建材"}, {}),  # a tab: <w:tab/>
        ({"investor_name": " 湖南某某建材有限公司 "}, {}),  # kept as given, with xml:space="preserve"
        ({}, {"other_terms": ["第一款\n第二款"]}),
    ],
)
def test_text_python_docx_writes_otherwise_is_composed_by_python_docx(fixed_clock, composed, project, terms):
    args = ({**TERMS, **terms},)
    kwargs = {"project": {**PROJECT, **project}, "version": 2}
    assert package_parts(render_contract(*args, **kwargs)) == package_parts(composed(*args, **kwargs))


def test_a_title_longer_than_a_document_property_holds_is_refused_as_before():
    with pytest.raises(ValueError, match="255 char limit"):
        render_contract(TERMS, project={**PROJECT, "project_name": "长" * 260}, version=1)


@pytest.mark.parametrize("terms, project, template", SHAPES)
def test_approval_part_by_part_is_python_docx_s_approval(fixed_clock, terms, project, template):
    draft = render_contract(
        {**TERMS, **terms, "approved": False}, project={**PROJECT, **project}, version=4, template=template
    )
    notice = document._merge_template(template)["draft_notice"]
    by_parts = document._approve_parts(draft, notice, FIXED_UTC)
    assert by_parts is not None  # a draft of this platform is approved without python-docx's package
    assert package_parts(by_parts) == package_parts(document._approve_document(draft, notice, FIXED_UTC))
    assert package_parts(approve(draft, template=template)) == package_parts(by_parts)


def test_a_draft_in_another_shape_is_approved_by_python_docx(fixed_clock):
    draft = render({**TERMS, "dispute_resolution": DRAFT})  # a body paragraph reading the notice, not a DRAFT line
    assert document._approve_parts(draft, DRAFT, FIXED_UTC) is None
    approved = read_contract(approve(draft))
    assert DRAFT not in approved["paragraphs"][:1] and approved["paragraphs"].count(DRAFT) == 0
    for not_a_package in (b"", b"PK\x03\x04 broken", render({**TERMS, "approved": True})):
        assert document._approve_parts(not_a_package, DRAFT, FIXED_UTC) is None


@pytest.mark.parametrize(
    "template",
    [
        {"header": {"contract_no": "合同编号：{contract_no:>24}"}},  # the padding depends on the value's length
        {"header": {"version": "版本：第{version:03d}版"}},  # a number format: a token is no number
        {"preamble": "{project_name[0]}字头项目：甲乙双方经友好协商，达成如下协议。"},
        {"texts": {"effect": "本合同自签字之日起生效（{party_b!r}）。"}},
    ],
)
def test_a_template_that_formats_a_field_is_composed_by_python_docx(fixed_clock, composed, monkeypatch, template):
    monkeypatch.setattr(document, "_SKELETONS", document.Skeletons())
    written = render(template=template)
    assert package_parts(written) == package_parts(composed(TERMS, project=PROJECT, version=3, template=template))
    text = "".join(read_contract(written)["paragraphs"])
    assert any(part in text for part in ("ZS-2026-0007-V3", "第003版", "年字头项目", "'湖南某某建材有限公司'"))
    assert list(document._SKELETONS._cache.values()) == [None]  # the answer kept: no skeleton for this template


def test_a_draft_stored_with_an_earlier_draft_line_is_approved_all_the_same():
    legacy = document.LEGACY_DRAFT_NOTICES[0]
    draft = render(template={"draft_notice": legacy})
    assert read_contract(draft)["paragraphs"][0] == legacy
    approved = read_contract(document.approve(draft))
    assert legacy not in approved["paragraphs"] and approved["paragraphs"] == read_contract(draft)["paragraphs"][1:]
