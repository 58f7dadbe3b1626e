"""Word and plain-text banks (domain/documents.py): the layouts they are typed in, and each rule's location."""
import zipfile
from pathlib import Path

import pytest

from app.domain.banks import BankDefaults, read_bank
from app.domain.documents import MAX_BYTES, read_docx, read_paragraphs, read_plain_text
from plugins.banks import WORD_NS, write_docx

PARTY = BankDefaults(category="party_affairs")


def read(path: Path, **options):
    reader = read_docx if path.suffix == ".docx" else read_plain_text
    bank, problems = read_bank(reader(path, path.name), options.pop("defaults", PARTY), **options)
    return bank, [str(problem) for problem in sorted(problems)]


def errors(problems: list[str]) -> list[str]:
    return [problem for problem in problems if "警告" not in problem]


def keys(bank) -> dict[str, object]:
    return {q.id: q.answer if q.type != "short" else q.reference_answer for q in bank.questions}


def text_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_a_real_looking_word_bank_of_several_sections(tmp_path):
    """Options across lines and several a line, 全角 punctuation, answers in every place they are typed."""
    path = write_docx(tmp_path / "党务题库.docx", [
        "2024年党支部书记业务知识竞赛题库",
        "",
        "一、单项选择题（每题1分，共3分）",
        "1．按照《中国共产党支部工作条例（试行）》，有正式党员（  ）人以上的，应当成立党支部。",
        "A．三\tB．五",
        "C．七\tD．十",
        "答案：A",
        "解析：《中国共产党支部工作条例（试行）》第五条。",
        "出处：《中国共产党支部工作条例（试行）》",
        "难度：2",
        "2、党支部委员会由（ Ｃ ）人组成，一般不超过7人。",
        "A、1至3  B、2至4  C、3至5  D、5至7",
        "3.党支部党员大会一般每（  ）召开1次。【答案：B】",
        "A:月",
        "B:季度",
        "C:半年",
        "D:年",
        "   ",
        "二、多项选择题",
        "1．“三会一课”包括（  ）。",
        "A．支部党员大会  B．支部委员会  C．党小组会  D．茶话会",
        "正确答案：A、B、C",
        "2．对党员的纪律处分种类包括（ABD）。",
        "A．警告 B．严重警告 C．罚款 D．开除党籍",
        "三、判断题",
        "1．党支部是党的基础组织。（√）",
        "2．党员可以不交党费。（×）",
        "3．预备党员有表决权。",
        "【答案】错",
        "四、填空题",
        "1．党的最高领导机关是党的（全国代表大会）和它产生的中央委员会。",
        "2．党员每月交纳党费，学生党员每月交纳______元，一年共交______次。",
        "参考答案：0.2；12",
        "五、简答题",
        "1．简述党支部的基本任务。",
        "参考答案：宣传和执行党的路线方针政策。",
        "（1）组织党员学习。",
        "评分要点：宣传和执行党的路线方针政策（2分）",
        "组织党员学习（3分）",
    ])
    bank, problems = read(path, defaults=BankDefaults(slug="dangwu", category="party_affairs"))
    assert bank is not None, problems
    assert errors(problems) == []
    assert "党务题库.docx:段落 1: 警告：题目之前或分节标题下的文字，已忽略：2024年党支部书记业务知识竞赛题库" in (
        problems)
    assert keys(bank) == {
        "single-0001": "A", "single-0002": "C", "single-0003": "B", "multiple-0001": ["A", "B", "C"],
        "multiple-0002": ["A", "B", "D"], "judge-0001": True, "judge-0002": False, "judge-0003": False,
        "blank-0001": [["全国代表大会"]], "blank-0002": [["0.2"], ["12"]],
        "short-0001": "宣传和执行党的路线方针政策。\n（1）组织党员学习。"}
    first, second = bank.questions[0], bank.questions[1]
    assert first.options == {"A": "三", "B": "五", "C": "七", "D": "十"}
    assert (first.explanation, first.difficulty) == ("《中国共产党支部工作条例（试行）》第五条。", 2)
    assert first.stem.endswith("有正式党员（ ）人以上的，应当成立党支部。"), "the slot as the YAML banks write it"
    assert second.stem == "党支部委员会由（ ）人组成，一般不超过7人。"
    assert bank.questions[5].stem == "党支部是党的基础组织。（ ）"
    assert bank.questions[8].stem == "党的最高领导机关是党的___和它产生的中央委员会。"
    assert bank.questions[-1].rubric == [{"point": "宣传和执行党的路线方针政策", "score": 2},
                                         {"point": "组织党员学习", "score": 3}]
    assert (bank.slug, bank.title) == ("dangwu", "党务题库")


def test_a_long_word_bank_numbered_with_tabs_and_correct_answer_lines(tmp_path):
    paragraphs = ["单选题"]
    for number in range(1, 121):
        paragraphs += [f"{number}\t第{number}题：党支部应当（  ）。", "A．甲", "B．乙", "C．丙", "D．丁",
                       f"正确答案：{'ABCD'[number % 4]}", "", "解析：略。"]
    paragraphs += ["判断题"] + [f"{n}\t第{n}条说法正确。\n正确答案：{'对' if n % 2 else '错'}" for n in range(1, 31)]
    bank, problems = read(write_docx(tmp_path / "long.docx", paragraphs))
    assert bank is not None and errors(problems) == [], problems[:5]
    assert len(bank.questions) == 150
    assert [q.answer for q in bank.questions[:4]] == ["B", "C", "D", "A"]
    assert [q.answer for q in bank.questions[-2:]] == [True, False]
    assert bank.questions[0].id == "single-0001" and bank.questions[-1].id == "judge-0030"
    assert all(q.options["D"] == "丁" for q in bank.questions[:120])


def test_reading_the_same_file_twice_gives_the_same_bank(tmp_path):
    path = write_docx(tmp_path / "same.docx", ["一、单选题", "1．题（ A ）", "A．甲 B．乙"])
    first, _ = read(path)
    again, _ = read(path)
    def contents(bank):
        return [q.content() | {"id": q.id} for q in bank.questions]
    assert contents(first) == contents(again)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8", "utf-16"])
def test_text_files_in_the_encodings_they_come_in(tmp_path, encoding):
    lines = ["一、判断题", "1、党支部是党的基础组织。", "答案：T", "二、单选题", "（1）党的最高领导机关是（ ）。",
             "A. 全国代表大会 B. 中央委员会", "答案：A．"]
    path = text_file(tmp_path / "题库.txt", "\r\n".join(lines), encoding)
    bank, problems = read(path, defaults=BankDefaults(slug="tiku", category="theory"))
    assert bank is not None, problems
    assert keys(bank) == {"judge-0001": True, "single-0001": "A"}
    assert bank.questions[1].stem == "党的最高领导机关是（ ）。"


def test_a_text_files_problems_name_its_lines(tmp_path):
    path = text_file(tmp_path / "bad.txt", "\n".join([
        "一、单选题",                 # 1
        "1. 第一题（ ）",             # 2
        "A. 甲 B. 乙",               # 3
        "答案：E",                    # 4
        "2. 第二题（ ）",             # 5
        "A. 甲",                     # 6
        "B. 乙",                     # 7
        "答案：A",                    # 8
        "这一段不知道是什么",            # 9
        "二、填空题",                  # 10
        "1. 有___和___。",             # 11
        "答案：一",                    # 12
        "三、作图题",                  # 13
        "1. 党费是多少？",              # 14
        "答案：12",                   # 15
        "四、判断题",                  # 16
        "1. 对吗？",                  # 17
        "答案：也许",                   # 18
        "五、多选题",                  # 19
        "1. 可选几项（ ）",             # 20
        "A. 甲 B. 乙 C. 丙",           # 21
        "答案：AB",                    # 22
        "（2）括号（ B ）",             # 23
    ]), "gbk")
    bank, problems = read(path)
    assert bank is None
    assert errors(problems) == [
        "bad.txt:4: [single-0001] 答案 E 不在选项 A, B 中",
        "bad.txt:9: [single-0002] 无法识别的段落（不是选项、答案或解析）：这一段不知道是什么",
        "bad.txt:12: [blank-0001] 题干有 2 个空，answer 却有 1 项",
        ("bad.txt:14: [item-0001] 未知题型 '作图题'，应为 single（单选题） | multiple（多选题） | judge（判断题） | "
         "blank（填空题） | short（简答题） | calculation（计算题） | ordering（排序题） | matching（匹配题） | "
         "material（材料分析题） 之一"),
        "bad.txt:18: [judge-0001] 判断题的 answer 应是 true/false（或 对/错、正确/错误、√/×），而不是 '也许'",
        "bad.txt:23: [multiple-0002] 缺少 options，或 options 不是 {A: …, B: …} 形式",
    ]


def test_a_word_documents_problems_name_its_paragraphs(tmp_path):
    path = write_docx(tmp_path / "bad.docx", [
        "一、单选题", "", "1．题干（ B ）", "A．甲  B．乙", "答案：A", "2．第二题（ ）", "A．甲", "C．丙", "答案：A",
        "3．没有选项也没有分节的题", "二、多选题", "1．可选几项（ ）", "A．甲 B．乙 C．丙", "答案：AB", "难度：很难",
    ])
    bank, problems = read(path)
    assert bank is None
    assert errors(problems) == [
        "bad.docx:段落 5: [single-0001] 答案 A 与题干括号中的 B 不一致",
        "bad.docx:段落 8: [single-0002] 无法识别的段落（不是选项、答案或解析）：C．丙",
        "bad.docx:段落 10: [single-0003] 缺少 options，或 options 不是 {A: …, B: …} 形式",
        "bad.docx:段落 15: [multiple-0001] difficulty 应为 1 到 5 的整数，而不是 '很难'",
    ]


def test_questions_without_a_heading_take_their_type_from_their_shape(tmp_path):
    path = text_file(tmp_path / "mixed.txt", "\n".join([
        "1. 只选一项（ B ）", "A. 甲 B. 乙", "2. 可选几项（ ）", "A. 甲 B. 乙 C. 丙", "答案：A,C",
        "3. 判断对不对。（×）", "4. 填空___。", "答案：空", "5. 说不清的题", "答案：什么"]))
    bank, problems = read(path)
    assert bank is None
    assert errors(problems) == ["mixed.txt:9: [item-0001] 无法判断题型：请在题目前加分节标题，如 一、单选题"]
    partial, problems = read(path, partial=True)
    assert keys(partial) == {"single-0001": "B", "multiple-0001": ["A", "C"], "judge-0001": False,
                             "blank-0001": [["空"]]}
    assert "mixed.txt:9: [item-0001] 警告：未导入：无法判断题型：请在题目前加分节标题，如 一、单选题" in problems
    assert partial.skipped == ["item-0001"]


def test_partial_leaves_out_the_questions_that_do_not_read(tmp_path):
    path = text_file(tmp_path / "part.txt", "\n".join([
        "一、单选题", "1. 好题（ A ）", "A. 甲 B. 乙", "2. 坏题（ ）", "A. 甲 B. 乙", "答案：C",
        "3. 又一道（ ）", "A. 甲", "B. 乙", "答案：B", "多出来的一段", "4. 两处答案（ B ）", "A. 甲 B. 乙", "答案：A"]))
    bank, problems = read(path, partial=True)
    assert [q.id for q in bank.questions] == ["single-0001"]
    assert sorted(bank.skipped) == ["single-0002", "single-0003", "single-0004"]
    assert "part.txt:14: [single-0004] 警告：未导入：答案 A 与题干括号中的 B 不一致" in problems
    assert "part.txt:6: [single-0002] 警告：未导入：答案 C 不在选项 A, B 中" in problems
    assert "part.txt:11: [single-0003] 警告：未导入：无法识别的段落（不是选项、答案或解析）：多出来的一段" in problems


def test_blank_answers_in_the_forms_they_are_written(tmp_path):
    path = text_file(tmp_path / "blanks.txt", "\n".join([
        "填空题",
        "1. 党的（全国代表大会）和它产生的（中央委员会/党中央）。依据《中国共产党章程（2022年修改）》。",
        "2. 甲＿＿＿乙___丙。", "答案：一 二",
        "3. 入党誓词（  ）。", "答案：我志愿加入中国共产党",
        "4. 两空___和___。", "答案：甲|乙/丙"]))
    bank, problems = read(path)
    assert bank is not None, problems
    assert [q.stem for q in bank.questions] == [
        "党的___和它产生的___。依据《中国共产党章程（2022年修改）》。", "甲___乙___丙。", "入党誓词___。",
        "两空___和___。"]
    assert [q.answer for q in bank.questions] == [
        [["全国代表大会"], ["中央委员会", "党中央"]], [["一"], ["二"]], [["我志愿加入中国共产党"]],
        [["甲"], ["乙", "丙"]]]


def test_word_runs_tables_of_tabs_and_underlined_blanks(tmp_path):
    """Text comes from w:t runs only (not tab stops, deleted text or field codes); a run of underlined spaces is a
    blank; paragraphs in tables count in order."""
    def p(*runs: str) -> str:
        return f"<w:p>{''.join(runs)}</w:p>"
    body = "".join([
        p('<w:r><w:t>填空题</w:t></w:r>'),
        p('<w:r><w:t>1.</w:t></w:r><w:r><w:tab/><w:t>党的最高领导机关是</w:t></w:r>',
          '<w:r><w:rPr><w:u w:val="single"/></w:rPr><w:t xml:space="preserve">      </w:t></w:r>',
          '<w:r><w:delText>删除的</w:delText><w:instrText>PAGE</w:instrText><w:t>。</w:t></w:r>'),
        f"<w:tbl><w:tr><w:tc>{p('<w:r><w:t>答案：全国代表大会</w:t></w:r>')}</w:tc></w:tr></w:tbl>",
    ])
    bank, problems = read(write_docx(tmp_path / "runs.docx", [], body=body))
    assert bank is not None, problems
    assert (bank.questions[0].stem, bank.questions[0].answer) == ("党的最高领导机关是___。", [["全国代表大会"]])


def test_files_that_cannot_be_read(tmp_path):
    not_zip = text_file(tmp_path / "a.docx", "不是压缩包")
    assert read(not_zip)[1][0].startswith("a.docx:1: 不是可读取的 Word 文档（.docx）")
    entities = tmp_path / "b.docx"
    with zipfile.ZipFile(entities, "w") as archive:
        archive.writestr("word/document.xml", f'<!DOCTYPE w [<!ENTITY x "x">]><w:document xmlns:w="{WORD_NS}"/>')
    assert read(entities)[1] == ["b.docx:1: Word 文档含有 DOCTYPE 或 ENTITY 声明，不予读取"]
    bomb = tmp_path / "c.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (MAX_BYTES + 10))
    assert read(bomb)[1] == ["c.docx:1: Word 文档过大：内容超过 20 MB"]
    controls = text_file(tmp_path / "d.txt", "单选题\n1. 题\x01干")
    assert "d.txt:2: 段落文字含有无法保存的字符（空字符、控制字符或不成对的代理项）" in read(controls)[1]
    empty = write_docx(tmp_path / "e.docx", ["只有标题"])
    assert errors(read(empty)[1]) == ["e.docx:段落 1: 缺少 questions，或 questions 不是非空列表"]


def test_part_headings_are_skipped_and_a_field_written_twice_is_a_problem(tmp_path):
    path = text_file(tmp_path / "parts.txt", "\n".join([
        "一、单选题", "（一）党章部分", "1. 第一题（ A ）", "A. 甲 B. 乙", "第二部分 条例", "2. 第二题（ ）",
        "A. 甲 B. 乙", "答案：A", "答案：B", "三、简答题", "1. 简述。", "参考答案：", "一、宣传党的主张。",
        "二、组织党员学习。", "评分要点：宣传（2分）", "组织（3分）"]))
    bank, problems = read(path)
    assert "parts.txt:2: 警告：小节标题，已忽略：（一）党章部分" in problems
    assert "parts.txt:5: 警告：小节标题，已忽略：第二部分 条例" in problems
    assert errors(problems) == ["parts.txt:9: [single-0002] 答案写了两次（前面已有：A）"]
    partial, _ = read(path, partial=True)
    assert keys(partial) == {"single-0001": "A", "short-0001": "一、宣传党的主张。\n二、组织党员学习。"}


NAMED = BankDefaults(slug="q", title="q", category="party_affairs")
RUN = 200_000   # characters: a pattern that starts a run again at each of its characters takes minutes over it


@pytest.mark.parametrize("paragraph", [
    "1. 有正式党员（A" + " " * RUN + "x）人以上的，应当成立党支部。",            # letters and spaces, then \s*
    "1. 有正式党员（ ）人以上的，应当成立党支部。x" + " " * RUN + "y",          # \s+ before 答案, at every space
    "1. 有正式党员（ ）人以上的，应当成立党支部。【答案：" + " " * RUN,          # a lazy value between two \s*
], ids=["stem-answer", "trailing-answer", "field-tag"])
def test_long_runs_in_a_paragraph_are_read_in_linear_time(paragraph):
    """Each paragraph took minutes or more to read (200 KB in a .txt or a .docx); now at once, and as before: the
    answer paragraph after it is what the question's answer is."""
    paragraphs = [(1, "一、单项选择题"), (2, paragraph), (3, "A. 三"), (4, "B. 五"), (5, "答案：A")]
    bank, problems = read_bank(read_paragraphs(paragraphs, "q.txt"), NAMED)
    assert [problem.message for problem in problems if not problem.warning] == []
    assert keys(bank) == {"single-0001": "A"}


def test_an_unclosed_parenthesis_in_a_fill_in_stem_is_read_in_linear_time():
    """The answers written in a stem's parentheses: an unclosed one before a long run took minutes."""
    paragraphs = [(1, "一、填空题"), (2, "1. 党的最高领导机关是党的（全国代表大会）。（注" + "全国 " * RUN)]
    bank, problems = read_bank(read_paragraphs(paragraphs, "q.txt"), NAMED)
    assert keys(bank) == {"blank-0001": [["全国代表大会"]]}
