"""The file formats a bank is imported from and exported to: one `BankFormat` per format, in FORMATS by the name
`flask bank export --format` takes; import picks the reader by the file's suffix (`readers()`).

Adding a format is one entry in FORMATS:
- `read(path, name) -> BankDocument` (app/domain/banks.py): the file in the YAML reader's shape — a
  `yamlmarks.MarkedMap` with the keys a bank YAML has (`bank`, `title`, `category`, `description`, `practice`,
  `questions`: a `MarkedList` of `MarkedMap`s with `id`, `type` (a registry name), `stem`, …), each map's `line`
  and `key_lines` set to the line (or row, or paragraph) it came from. Give `locate(line) -> "题目!12"` when the file's
  locations are not lines, so every problem prints `FILE:题目!12: [ID] message`. Whatever the file cannot say
  (no bank metadata) is left out: `--bank/--category/--title` fill it in. Problems the reader itself finds go in
  `problems` (made with a `Report(name, locate)`); `document` is None when nothing could be read. Validation,
  `--partial` and the import are then the same as for YAML. `None` for an export-only format.
- `write(bank: BankSpec) -> bytes`: the bank as the format's file, named `<bank file's stem><suffix>` by export;
  `None` for an import-only format. `suffix` is what export writes; `suffixes` what import reads.
"""
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.domain import documents, workbooks
from app.domain.banks import BankSpec, dump_bank
from app.domain.interchange import gift, moodle, qti
from app.domain.questions import QuestionType, question_type
from app.domain.sources import Reader, read_yaml


@dataclass(frozen=True)
class BankFormat:
    name: str                                   # `--format NAME`
    suffix: str                                 # what export writes
    read: Reader | None = None
    write: Callable[[BankSpec], bytes] | None = None
    also_reads: tuple[str, ...] = ()            # other suffixes import reads with `read`
    # Whether `write` carries a question of this type; export names each one it leaves out.
    carries: Callable[[QuestionType], bool] = lambda kind: True

    @property
    def suffixes(self) -> tuple[str, ...]:
        return (self.suffix, *self.also_reads) if self.read else ()


FORMATS: dict[str, BankFormat] = {
    "yaml": BankFormat("yaml", ".yaml", read_yaml, lambda bank: dump_bank(bank).encode(), also_reads=(".yml",)),
    "xlsx": BankFormat("xlsx", ".xlsx", workbooks.read_workbook, workbooks.write_workbook,
                       carries=lambda kind: not kind.has_parts),
    "moodle": BankFormat("moodle", ".xml", moodle.read_moodle, moodle.write_moodle,
                         carries=lambda kind: bool(kind.moodle)),
    "gift": BankFormat("gift", ".gift", gift.read_gift, gift.write_gift, carries=gift.carries),
    "qti": BankFormat("qti", ".zip", write=qti.write_qti, carries=lambda kind: bool(kind.qti)),
    "docx": BankFormat("docx", ".docx", documents.read_docx),
    "txt": BankFormat("txt", ".txt", documents.read_plain_text),
}


def readers() -> dict[str, Reader]:
    """Suffix → reader, for every format import reads."""
    return {suffix: fmt.read for fmt in FORMATS.values() if fmt.read for suffix in fmt.suffixes}


def writable() -> list[str]:
    """The names `--format` takes."""
    return [name for name, fmt in FORMATS.items() if fmt.write]


def left_out(bank: BankSpec, fmt: BankFormat) -> list[str]:
    """What an export in this format leaves out of a bank, one line per question: `bank/ID（材料分析题）：…`."""
    return [f"{bank.slug}/{question.id}（{kind.label}）：{fmt.name} 格式不支持该题型，未导出（YAML 导出保留全部题目）"
            for question in bank.questions for kind in [question_type(question.type)] if not fmt.carries(kind)]


def omitted(by_type: dict[str, int], fmt: BankFormat) -> str:
    """What an export in this format leaves out of a bank with these counts by type, in words: `材料分析题 2 道`."""
    return "、".join(f"{kind.label} {count} 道" for name, count in by_type.items() if count
                    for kind in [question_type(name)] if not fmt.carries(kind))


def export_path(directory: Path, bank: BankSpec, fmt: BankFormat) -> Path:
    return directory / f"{Path(bank.file).stem}{fmt.suffix}"
