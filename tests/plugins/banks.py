"""A valid bank with one question of each type, for tests to break one rule at a time; the shipped sample banks' folder;
YAML nested too deep, the line of a fragment in a text, and Word documents built with zipfile."""
import textwrap
import zipfile
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape

from app.domain.banks import BankSpec, validate_documents
from app.domain.questions import question_type
from app.domain.sources import read_sources

BANKS = Path(__file__).resolve().parents[2] / "question_banks"

# Two 计算题 on the 党费 rates (one step, two steps with a relative tolerance) beside a single choice.
CALCULATION_BANK = textwrap.dedent("""\
    bank: party-affairs
    title: 党务业务知识
    category: party_affairs
    practice: true
    questions:
      - id: PA-0001
        type: single
        stem: 有正式党员（ ）人以上的，应当成立党支部。
        options: {A: 三, B: 五, C: 七, D: 十}
        answer: A
        explanation: 支部工作条例第五条。
        source: 《中国共产党支部工作条例（试行）》第五条
      - id: PA-0042
        type: calculation
        stem: 某党员每月工资收入（税后）为4500元，他每月应交纳党费___元。
        answer: 45
        unit: 元
        explanation: 规定第二条：“3000元以上至5000元（含5000元）者，交纳1%”。4500×1%=45元。
        source: 《关于中国共产党党费收缴、使用和管理的规定》第二条
      - id: PA-0045
        type: calculation
        stem: 某党员每月工资收入（税后）为12000元，每月应交纳党费___元，全年共交纳党费___元。
        answer: [240, 2880]
        unit: 元
        tolerance: 1%
        explanation: 规定第二条：“10000元以上者，交纳2%”。
        source: 《关于中国共产党党费收缴、使用和管理的规定》第二条
    """)
# 材料分析题: a single, and a material of three parts (single weight 2, judge, blank).
MATERIAL_BANK = textwrap.dedent("""\
    bank: party-affairs
    title: 党务业务知识
    category: party_affairs
    practice: true
    questions:
      - id: PA-0001
        type: single
        stem: 有正式党员（ ）人以上的，应当成立党支部。
        options: {A: 三, B: 五, C: 七, D: 十}
        answer: A
        explanation: 支部工作条例第五条。
        source: 《中国共产党支部工作条例（试行）》第五条
      - id: PA-0060
        type: material
        stem: |
          某机关党支部有正式党员 12 名。2024 年 3 月，支部召开党员大会，接收甲为预备党员。
        parts:
          - type: single
            stem: 该支部应当设立（ ）。
            options: {A: 党小组, B: 支部委员会}
            answer: B
            weight: 2
          - type: judge
            stem: 甲的预备期为半年。
            answer: false
          - type: blank
            stem: 预备期为___年。
            answer: 一
        explanation: 发展党员工作细则第二十七条。
        source: 《中国共产党发展党员工作细则》第二十七条
    """)
VALID = textwrap.dedent("""\
    bank: party-affairs
    title: 党务业务知识
    category: party_affairs
    practice: true
    questions:
      - id: PA-0001
        type: single
        stem: 有正式党员（ ）人以上的，应当成立党支部。
        options: {A: 三, B: 五, C: 七, D: 十}
        answer: A
        explanation: 支部工作条例第五条。
        source: 《中国共产党支部工作条例（试行）》第五条
        difficulty: 2
        tags: [支部工作条例, 组织设置]
      - id: PA-0002
        type: multiple
        stem: “三会一课”包括哪些？
        options: {A: 支部党员大会, B: 支部委员会, C: 党小组会, D: 茶话会}
        answer: [A, B, C]
        explanation: 三会一课。
        source: 《中国共产党支部工作条例（试行）》第十九条
      - id: PA-0003
        type: judge
        stem: 预备党员的预备期为一年。
        answer: 对
        explanation: 党章第一章第七条。
        source: 《中国共产党章程》第一章第七条
      - id: PA-0004
        type: blank
        stem: 党员必须履行___，遵守___。
        answer: [[义务, 党员义务], 纪律]
        blank_order: fixed
        explanation: 示例。
        source: 示例
      - id: PA-0005
        type: short
        stem: 简述党支部的基本任务。
        reference_answer: 宣传和执行党的路线方针政策……
        rubric:
          - {point: 宣传执行路线方针政策, score: 2}
          - {point: 组织党员学习, score: 3}
        explanation: 见条例。
        source: 《中国共产党支部工作条例（试行）》第九条
    """)

DEEP = "[" * 20_000 + "]" * 20_000
TAGS = "tags: [支部工作条例, 组织设置]"


def without_materials(bank: BankSpec) -> BankSpec:
    """A bank as a workbook, Word, Moodle, GIFT or QTI holds it: without its materials (材料分析题 are YAML's only)."""
    return replace(bank, questions=[q for q in bank.questions if not question_type(q.type).has_parts])


def sample_banks() -> list[BankSpec]:
    """The shipped sample banks, read and validated as `flask bank import` does."""
    banks, problems = validate_documents(read_sources([BANKS]).banks)
    assert [p for p in problems if not p.warning] == []
    return banks


def sample_materials() -> list[str]:
    """`bank/ID` of each sample material: what every format but YAML leaves out (and an import back retires)."""
    return sorted(f"{bank.slug}/{q.id}" for bank in sample_banks() for q in bank.questions
                  if question_type(q.type).has_parts)


def sample_count() -> int:
    return sum(len(bank.questions) for bank in sample_banks())


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')


def word_paragraph(text: str) -> str:
    """A paragraph of one run, its tabs and line breaks as Word writes them (with a tab stop in its properties,
    which is not text)."""
    def texts(line: str) -> str:
        return "<w:tab/>".join(f'<w:t xml:space="preserve">{escape(piece)}</w:t>' for piece in line.split("\t"))
    run = "<w:br/>".join(texts(line) for line in text.split("\n"))
    return f'<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr><w:r>{run}</w:r></w:p>'


def write_docx(path: Path, paragraphs: list[str], body: str = "") -> Path:
    """A minimal .docx: [Content_Types].xml and word/document.xml, the paragraphs (or raw body XML) in its body."""
    content = body or "".join(word_paragraph(text) for text in paragraphs)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{WORD_NS}">'
                f"<w:body>{content}</w:body></w:document>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", document)
    return path
MATCHING_BANK = textwrap.dedent("""\
    bank: party-affairs
    title: 党务业务知识
    category: party_affairs
    practice: true
    questions:
      - id: PA-0001
        type: single
        stem: 有正式党员（ ）人以上的，应当成立党支部。
        options: {A: 三, B: 五, C: 七, D: 十}
        answer: A
        explanation: 支部工作条例第五条。
        source: 《中国共产党支部工作条例（试行）》第五条
      - id: PA-0048
        type: matching
        stem: 将下列会议与其一般召开频次对应。
        prompts: [党支部党员大会, 党支部委员会会议]
        options: {A: 一般每季度召开1次, B: 一般每月召开1次, C: 一般每半年召开1次, D: 一般每年召开1次}
        answer: [A, B]
        explanation: 条例第十一条、第十二条。
        source: 《中国共产党支部工作条例（试行）》第十一条、第十二条
    """)


# 排序题: a bank with two orderings (the stages of 发展党员, the steps to 发展对象) and a paper scoring by position.
STEPS = ["入党申请人", "入党积极分子", "发展对象", "预备党员", "正式党员"]
ORDERING_BANK = textwrap.dedent("""\
    bank: party-affairs
    title: 党务业务知识
    category: party_affairs
    practice: true
    questions:
      - id: PA-0001
        type: single
        stem: 有正式党员（ ）人以上的，应当成立党支部。
        options: {A: 三, B: 五, C: 七, D: 十}
        answer: A
        explanation: 支部工作条例第五条。
        source: 《中国共产党支部工作条例（试行）》第五条
      - id: PA-0048
        type: ordering
        stem: 把一名同志从递交入党申请书到成为正式党员先后经历的身份排出顺序。
        options: {A: 入党申请人, B: 入党积极分子, C: 发展对象, D: 预备党员, E: 正式党员}
        answer: ABCDE
        explanation: 细则各章。
        source: 《中国共产党发展党员工作细则》
      - id: PA-0050
        type: ordering
        stem: 把列为发展对象的步骤排出先后顺序。
        options: {A: 报上级党委备案, B: 听取党小组、培养联系人、党员和群众意见, C: 列为发展对象, D: 支部委员会讨论同意}
        answer: B,D,A,C
        explanation: 细则第十三条。
        source: 《中国共产党发展党员工作细则》第十三条
    """)
ORDERING_BLUEPRINT = textwrap.dedent("""\
    paper: order
    title: 排序小卷
    duration: 30
    draw: per_session
    shuffle: {questions: false, options: false}
    ordering_scoring: position
    sections:
      - {title: 一、单选, type: single, points: 1, pick: [{bank: party-affairs, count: 1}]}
      - {title: 二、排序, type: ordering, points: 4, pick: [{bank: party-affairs, count: 2}]}
    """)
STAGES = ["听取党小组、培养联系人、党员和群众意见", "支部委员会讨论同意", "报上级党委备案", "列为发展对象"]


# A paper of one single-choice question and one 材料分析题 worth 8, drawn from MATERIAL_BANK.
MATERIAL_BLUEPRINT = textwrap.dedent("""\
    paper: mat
    title: 材料小卷
    duration: 30
    draw: per_session
    shuffle: {questions: true, options: true}
    sections:
      - {title: 一、单选, type: single, points: 1, pick: [{bank: party-affairs, count: 1}]}
      - {title: 二、材料分析, type: material, points: 8, pick: [{bank: party-affairs, count: 1}]}
    """)
