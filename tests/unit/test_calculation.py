"""计算题 (issue 11, item 1): its YAML with each problem at its line, marking by tolerance (absolute and relative),
unit, full-width digits and thousands separators, per step; keys as organisers type them; answer sheets; and the
formats (workbook, Word/text, Moodle XML, GIFT, QTI) reading and writing it."""
import io
import textwrap
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from app.domain import yamlmarks
from app.domain.banks import BankDefaults, dump_bank, parse_bank, read_bank, validate_documents
from app.domain.documents import read_docx, read_plain_text
from app.domain.interchange.gift import parse_gift, write_gift
from app.domain.interchange.moodle import parse_moodle, write_moodle
from app.domain.interchange.qti import write_qti
from app.domain.marking import mark, response_problem
from app.domain.printed import SheetItem, read_sheet
from app.domain.problems import Report
from app.domain.questions import question_type
from app.domain.questions.calculation import read_number
from app.domain.sources import read_sources
from app.domain.workbooks import HEADER, read_workbook, write_workbook
from plugins.banks import BANKS, line_of, without_materials, write_docx

CALC = question_type("calculation")
TOLERANCE = "tolerance 应是非负数（绝对误差，如 0.5）或百分数（相对误差，如 1%），"
PARTY = BankDefaults(slug="dangwu", category="party_affairs", title="党务")
BANK = textwrap.dedent("""\
    bank: calc
    title: 计算题
    category: party_affairs
    questions:
      - id: C-1
        type: calculation
        stem: 月工资收入（税后）4500元的党员，每月交纳党费___元。
        answer: 45
        unit: 元
        explanation: 规定第二条：3000元以上至5000元（含5000元）者，交纳1%。
        source: 《关于中国共产党党费收缴、使用和管理的规定》第二条
      - id: C-2
        type: calculation
        stem: 每月___元，全年___元。
        answer: ["240 元", "2880元"]
        tolerance: 1%
        explanation: 解析
        source: 出处
      - id: C-3
        type: calculation
        stem: 约___。
        answer: 102.76
        tolerance: 0.01
        explanation: 解析
        source: 出处
    """)


def parse(text: str, stem: str = "党费___元。"):
    report = Report("bank.yaml")
    fields = CALC.parse(yamlmarks.load(textwrap.dedent(text)), "Q1", stem, report)
    return fields, [str(problem) for problem in report.problems]


def step(value: str, unit: str = "", tolerance: str = "") -> dict[str, str]:
    return {"value": value, "unit": unit, "tolerance": tolerance}


def scored(key, response, points=2.0):
    return mark("calculation", key, response, points)


# -- YAML ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "stem", "answer"), [
    ("answer: 1500\nunit: 元", "___", [step("1500", "元")]),
    ("answer: '1,500 元'", "___", [step("1500", "元")]),
    ("answer: １５００元\ntolerance: 0.5", "___", [step("1500", "元", "0.5")]),
    ("answer: [40, 480]\nunit: [元, 元]\ntolerance: 1%", "___，___", [step("40", "元", "1%"), step("480", "元", "1%")]),
    ("answer: [2024, 7, 1]\ntolerance: [0, 0, 0]", "___年___月___日", [step("2024"), step("7"), step("1")]),
    ("answer: 2.50\ntolerance: ±0.25", "___", [step("2.5", "", "0.25")]),
])
def test_good_yaml_reads_to_steps(text, stem, answer):
    fields, problems = parse(text, stem)
    assert problems == [] and fields == {"answer": answer}


@pytest.mark.parametrize(("text", "stem", "expected"), [
    ("unit: 元", "___", "bank.yaml:1: [Q1] 缺少 answer（计算结果）"),
    ("answer: 5", "没有空", "bank.yaml:1: [Q1] 计算题的题干中没有 ___（每个 ___ 填一个计算结果）"),
    ("unit: 元\nanswer: [1, 2]", "___", "bank.yaml:2: [Q1] 题干有 1 个空，answer 却有 2 项"),
    ("answer: 三十", "___", "bank.yaml:1: [Q1] 第 1 步的答案 '三十' 不是数字"),
    ("answer: true", "___", "bank.yaml:1: [Q1] 第 1 步的答案 True 不是数字"),
    ("answer: 5\ntolerance: -1", "___", f"bank.yaml:2: [Q1] {TOLERANCE}而不是 -1"),
    ("answer: 5\ntolerance: 很小", "___", f"bank.yaml:2: [Q1] {TOLERANCE}而不是 '很小'"),
    ("answer: [1, 2]\nunit: [元]", "___ ___", "bank.yaml:2: [Q1] unit 有 1 项，answer 却有 2 项"),
    ("answer: 5 年\nunit: 元", "___", "bank.yaml:1: [Q1] 第 1 步答案的单位“年”与 unit“元”不一致"),
    ("answer: 5\nunit: [元]", "___", ""),
])
def test_each_malformed_case_names_its_line(text, stem, expected):
    _fields, problems = parse(text, stem)
    assert problems == ([expected] if expected else [])


def test_a_bank_with_calculations_validates_with_file_line_and_id():
    broken = BANK.replace("answer: 45", "answer: 四十五")
    bank, problems = parse_bank(broken, "calc.yaml")
    assert bank is None
    line = line_of(broken, "四十五")
    assert [str(p) for p in problems] == [f"calc.yaml:{line}: [C-1] 第 1 步的答案 '四十五' 不是数字"]


def test_yaml_round_trip():
    bank, problems = parse_bank(BANK, "calc.yaml")
    assert problems == []
    again, more = parse_bank(dump_bank(bank), "calc.yaml")
    assert more == [] and [q.content() for q in again.questions] == [q.content() for q in bank.questions]
    assert bank.questions[1].answer == [step("240", "元", "1%"), step("2880", "元", "1%")]


# -- numbers and marking ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "unit", "number"), [
    ("1500", "", "1500"), ("１５００", "", "1500"), ("1,500", "", "1500"), ("1，500", "元", "1500"),
    ("1,500 元", "元", "1500"), ("１，５００元", "元", "1500"), (" 102.76 ", "", "102.76"), ("-3", "", "-3"),
    ("0.5", "", "0.5"), (".5", "", "0.5"), ("1,234,567.8", "", "1234567.8"),
    ("1,50", "", None), ("15,00", "", None), ("1500年", "元", None), ("一千五", "", None), ("", "", None),
    ("1e3", "", None), ("NaN", "", None), ("1500元元", "元", None),
])
def test_numbers_as_candidates_type_them(text, unit, number):
    assert read_number(text, unit) == (None if number is None else Decimal(number))


def test_all_or_nothing_exact_by_default():
    key = [step("45", "元")]
    assert scored(key, ["45"]) == scored(key, ["４５元"]) == scored(key, ["45.00 元"]) == 2.0
    assert scored(key, ["45.01"]) == scored(key, ["30"]) == 0.0
    assert scored(key, ["四十五"]) == scored(key, ["45 年"]) == 0.0, "text that reads as no number scores 0"
    assert scored(key, [""]) == 0.0


def test_absolute_and_relative_tolerance_compared_as_decimals():
    absolute = [step("102.76", "元", "0.01")]
    assert scored(absolute, ["102.75"]) == scored(absolute, ["102.77"]) == 2.0, "the bound is inside"
    assert scored(absolute, ["102.7575"]) == 2.0 and scored(absolute, ["102.78"]) == 0.0
    exact = [step("0.3")]
    assert scored(exact, ["0.3"]) == 2.0 and scored(exact, ["0.30000000000000004"]) == 0.0
    relative = [step("2880", "元", "1%")]
    assert scored(relative, ["2,908.8"]) == scored(relative, ["2851.2"]) == 2.0
    assert scored(relative, ["2908.9"]) == 0.0


def test_several_steps_share_the_points():
    key = [step("240", "元"), step("2880", "元")]
    assert scored(key, ["240", "2,880元"], 3) == 3.0
    assert scored(key, ["240", "2800"], 3) == 1.5
    assert scored(key, ["", "2880"], 3) == 1.5
    assert scored(key, ["x", "y"], 3) == 0.0
    three = [step("2024"), step("7"), step("1")]
    assert scored(three, ["2024", "7", "2"], 2) == 1.33


def test_the_response_is_a_list_of_strings_one_per_step_of_bounded_length():
    assert response_problem("calculation", ["45"], blanks=1) == ""
    assert response_problem("calculation", ["不是数字也能保存"], blanks=1) == ""
    assert response_problem("calculation", ["1", "2"], blanks=1) == "应是 1 个计算结果的文字列表"
    assert response_problem("calculation", "45", blanks=1) == "应是 1 个计算结果的文字列表"
    assert response_problem("calculation", [45], blanks=1) == "应是 1 个计算结果的文字列表"
    assert response_problem("calculation", ["9" * 101], blanks=1) == "每个计算结果不超过 100 个字符"


def test_what_people_read_and_the_unit_a_page_shows():
    key = [step("40", "元", "0.5"), step("480", "元", "1%")]
    assert CALC.describe_answer([step("45", "元")]) == "45 元"
    assert CALC.describe_answer(key) == "（1）40 元（允许误差 ±0.5）；（2）480 元（允许误差 ±1%）"
    assert CALC.describe_response(["45元"]) == "45元"
    assert CALC.describe_response(["40", ""]) == "（1）40；（2）未填"
    assert CALC.page_fields(key) == {"units": ["元", "元"]}
    assert CALC.input == "numbers" and CALC.drillable and CALC.has_blanks


# -- keys organisers type -----------------------------------------------------------------------------------------

def test_keys_as_organisers_type_them():
    key = [step("40", "元", "0.5"), step("480", "", "1%")]
    assert CALC.parse_key("40 元 ±0.5\n\n480±1%") == key
    assert CALC.parse_key(CALC.key_text(key)) == key
    assert CALC.parse_key("1,500元") == [step("1500", "元")]
    assert CALC.key_problem(CALC.parse_key("46 元"), (), 1) == ""
    assert CALC.key_problem(CALC.parse_key("四十六"), (), 1).startswith("计算题答案应有 1 步")
    assert CALC.key_problem(CALC.parse_key("46\n47"), (), 1).startswith("计算题答案应有 1 步")
    assert CALC.key_rows(key) == 2 and CALC.key_hint


def test_a_long_key_line_is_read_in_linear_time():
    """A number that could end anywhere, against a unit between two runs of spaces, was cubic: 600 digits or spaces
    took seconds and a form's 1 MB days. These 200,000 take no time, and read as before."""
    spaces = " " * 200_000
    assert CALC.parse_key(f"46{spaces}元{spaces}±0.5") == [step("46", "元", "0.5")]
    assert CALC.parse_key(f"46{spaces}元 ±") is None and CALC.parse_key("4" * 200_000 + "±") is None


# -- paper answer sheets ------------------------------------------------------------------------------------------

def test_answer_sheets_read_calculations_as_typed():
    sheet = [SheetItem("1", CALC, blanks=2)]
    assert read_sheet(sheet, {"1": ["240", " 2,880元 "]}) == {"1": ["240", "2,880元"]}
    assert read_sheet(sheet, {"1": ["240"]}) == {"1": ["240", ""]}
    assert read_sheet(sheet, {"1": ["", ""]}) == {}


# -- formats ------------------------------------------------------------------------------------------------------

def sample():
    bank, problems = parse_bank(BANK, "calc.yaml")
    assert problems == []
    return bank


def contents(bank):
    return [(q.id, q.content()) for q in bank.questions]


def test_workbook_both_ways_with_answer_and_tolerance_columns(tmp_path):
    bank = sample()
    path = tmp_path / "calc.xlsx"
    path.write_bytes(write_workbook(bank))
    back, problems = read_bank(read_workbook(path, path.name))
    assert problems == [] and contents(back) == contents(bank)
    assert "误差" in HEADER


def test_a_workbook_typed_by_hand_with_a_tolerance_column(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "题目"
    for row in [["序号", "类型", "题干", "正确答案", "允许误差", "来源", "解析"],
                [1, "计算题", "党费___元。", "1500 元", "", "规定第二条", "解"],
                [2, "计算", "约___元。", 2.5, "1%", "规定第二条", "解"],
                [3, "计算", "党费___元。", "一千五", "", "规定第二条", "解"],
                [4, "计算", "党费___元。", "15", "-2", "规定第二条", "解"]]:
        sheet.append(row)
    path = tmp_path / "hand.xlsx"
    book.save(path)
    back, problems = read_bank(read_workbook(path, path.name), PARTY, partial=True)
    assert [(q.id, q.answer) for q in back.questions] == [
        ("1", [step("1500", "元")]), ("2", [step("2.5", "", "1%")])]
    assert [str(p) for p in problems if "未导入" in str(p)] == [
        "hand.xlsx:题目!4: [3] 警告：未导入：第 1 步的答案 '一千五' 不是数字",
        f"hand.xlsx:题目!5: [4] 警告：未导入：{TOLERANCE}而不是 '-2'"]


def test_a_text_bank_with_a_calculation_section(tmp_path):
    path = tmp_path / "dangwu.txt"
    path.write_text("\n".join([
        "一、计算题",
        "1. 某党员每月工资收入（税后）4500元，每月应交纳党费___元。",
        "答案：45元",
        "解析：规定第二条。",
        "出处：《关于中国共产党党费收缴、使用和管理的规定》第二条",
        "2、每月（ ）元，全年（ ）元。",
        "答案：240；2,880元",
        "误差：1%",
        "解析：x",
        "出处：y",
        "3. 党费（ ）元。",
        "答案：很多",
        "解析：x",
        "出处：y",
    ]), encoding="utf-8")
    back, problems = read_bank(read_plain_text(path, path.name), PARTY, partial=True)
    assert [(q.id, q.stem, q.answer) for q in back.questions] == [
        ("calculation-0001", "某党员每月工资收入（税后）4500元，每月应交纳党费___元。", [step("45", "元")]),
        ("calculation-0002", "每月___元，全年___元。", [step("240", "", "1%"), step("2880", "元", "1%")])]
    assert [str(p) for p in problems] == [
        "dangwu.txt:12: [calculation-0003] 警告：未导入：第 1 步的答案 '很多' 不是数字"]


def test_moodle_numerical_both_ways():
    bank = sample()
    xml = write_moodle(bank)
    root = ET.fromstring(xml)
    kinds = {q.findtext("idnumber"): q.get("type") for q in root.findall("question")[1:]}
    assert kinds == {"C-1": "numerical", "C-2": "cloze", "C-3": "numerical"}
    one = next(q for q in root.findall("question") if q.findtext("idnumber") == "C-1")
    assert one.findtext("answer/text") == "45" and one.findtext("answer/tolerance") == "0"
    assert one.findtext("units/unit/unit_name") == "元"
    two = next(q for q in root.findall("question") if q.findtext("idnumber") == "C-2")
    assert "{1:NUMERICAL:=240:2.4}" in two.findtext("questiontext/text")
    back, problems = read_bank(parse_moodle(xml.decode(), "calc.xml"))
    assert problems == [] and contents(back) == contents(bank)


def test_moodle_numerical_from_elsewhere():
    text = textwrap.dedent("""\
        <?xml version="1.0" encoding="UTF-8"?>
        <quiz>
          <question type="numerical">
            <name><text>N-1</text></name>
            <questiontext format="html"><text>&lt;p&gt;党费是多少元？&lt;/p&gt;</text></questiontext>
            <generalfeedback format="html">
              <text>&lt;p&gt;解析&lt;/p&gt;&lt;p&gt;出处：条例&lt;/p&gt;</text>
            </generalfeedback>
            <answer fraction="100"><text>1500</text><tolerance>5</tolerance></answer>
            <answer fraction="0"><text>1000</text><tolerance>0</tolerance></answer>
            <units><unit><multiplier>1</multiplier><unit_name>元</unit_name></unit></units>
          </question>
          <question type="numerical">
            <name><text>N-2</text></name>
            <questiontext format="html"><text>&lt;p&gt;多少？&lt;/p&gt;</text></questiontext>
            <answer fraction="100"><text>很多</text></answer>
          </question>
        </quiz>
        """)
    bank, problems = read_bank(parse_moodle(text, "m.xml"), PARTY, partial=True)
    assert [(q.id, q.stem, q.answer) for q in bank.questions] == [
        ("N-1", "党费是多少元？___", [step("1500", "元", "5")])]
    said = [str(p) for p in problems]
    assert f"m.xml:{line_of(text, '很多')}: [N-2] 警告：未导入：第 1 步的答案 '很多' 不是数字" in said


def test_gift_numerical_both_ways_and_from_elsewhere():
    bank = sample()
    text = write_gift(bank).decode()
    assert "{#45:0####" in text and "{#102.76:0.01####" in text
    assert "// C-2（计算题）：有 2 个空，GIFT 每题只能有一组答案，未导出" in text
    back, problems = read_bank(parse_gift(text, "calc.gift"))
    assert problems == [] and contents(back) == [c for c in contents(bank) if c[0] != "C-2"]
    typed = textwrap.dedent("""\
        ::G1:: 党费多少元？{#1500:0}

        ::G2:: 区间 {#1400..1600} 元。

        ::G3:: 几个答案 {#=1500:0 =%50%1400:0}

        ::G4:: 不是数 {#很多}
        """)
    bank, problems = read_bank(parse_gift(typed, "g.gift"), PARTY, partial=True)
    assert [(q.id, q.stem, q.answer) for q in bank.questions] == [
        ("G1", "党费多少元？___", [step("1500")]), ("G2", "区间 ___ 元。", [step("1500", "", "100")]),
        ("G3", "几个答案___", [step("1500")])]
    said = [str(p) for p in problems]
    assert f"g.gift:{line_of(typed, 'G4')}: [G4] 警告：未导入：第 1 步的答案 '很多' 不是数字" in said


def test_qti_asks_each_step_with_a_float_text_entry_and_its_tolerance():
    package = zipfile.ZipFile(io.BytesIO(write_qti(sample())))
    ns = {"q": "http://www.imsglobal.org/xsd/imsqti_v2p1"}
    two = ET.fromstring(package.read("items/C-2.xml"))
    declarations = two.findall("q:responseDeclaration", ns)
    assert [(d.get("identifier"), d.get("baseType"), d.findtext("q:correctResponse/q:value", namespaces=ns))
            for d in declarations] == [("RESPONSE_1", "float", "240"), ("RESPONSE_2", "float", "2880")]
    assert len(two.findall(".//q:textEntryInteraction", ns)) == 2
    equals = two.findall(".//q:equal", ns)
    assert [(e.get("toleranceMode"), e.get("tolerance")) for e in equals] == [("relative", "1 1")] * 2
    one = ET.fromstring(package.read("items/C-1.xml"))
    assert [e.get("toleranceMode") for e in one.findall(".//q:equal", ns)] == ["exact"]
    three = ET.fromstring(package.read("items/C-3.xml"))
    assert [(e.get("toleranceMode"), e.get("tolerance")) for e in three.findall(".//q:equal", ns)] == [
        ("absolute", "0.01 0.01")]


def test_the_sample_calculations_cite_their_articles_and_survive_a_workbook(tmp_path):
    banks, _problems = validate_documents(read_sources([BANKS]).banks)
    party = next(bank for bank in banks if bank.category == "party_affairs")
    calculations = [q for q in party.questions if q.type == "calculation"]
    assert len(calculations) >= 4
    assert all("第" in q.source and "条" in q.source and q.explanation for q in calculations)
    path = tmp_path / "party.xlsx"
    path.write_bytes(write_workbook(party))
    back, _problems = read_bank(read_workbook(path, path.name))
    assert contents(back) == contents(without_materials(party))


def test_a_word_bank_with_a_calculation_section_names_its_paragraphs(tmp_path):
    path = write_docx(tmp_path / "dangwu.docx", [
        "六、计算题（每题4分）", "1．月工资收入（税后）4500元的党员，每月交纳党费（ ）元。", "答案：45元",
        "解析：规定第二条。", "出处：规定第二条", "", "2．党费（ ）元。", "答案：四十五", "解析：x", "出处：y"])
    back, problems = read_bank(read_docx(path, path.name), PARTY, partial=True)
    assert [(q.id, q.stem, q.answer) for q in back.questions] == [
        ("calculation-0001", "月工资收入（税后）4500元的党员，每月交纳党费___元。", [step("45", "元")])]
    assert [str(p) for p in problems] == [
        "dangwu.docx:段落 8: [calculation-0002] 警告：未导入：第 1 步的答案 '四十五' 不是数字"]
