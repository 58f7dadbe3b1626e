"""Hostile workbooks: the template's parts rewritten into what a few hundred KB uploaded can make a reader do."""
import io
import struct
import zipfile
from collections.abc import Iterable

from app.domain import workbooks

SHEET = "xl/worksheets/sheet1.xml"
ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'    # 50 bytes of XML; deflated, ~1/300 of that
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def rewritten(parts: dict[str, Iterable[bytes]]) -> bytes:
    """The template with some parts replaced or added, each written in chunks so that building a part of hundreds of
    MB costs a fraction of a second and no more memory than a chunk."""
    template = zipfile.ZipFile(io.BytesIO(workbooks.template()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name in dict.fromkeys([*template.namelist(), *parts]):
            with package.open(name, "w", force_zip64=True) as part:
                for chunk in parts[name] if name in parts else [template.read(name)]:
                    part.write(chunk)
    return out.getvalue()


def repeated(piece: bytes, times: int) -> Iterable[bytes]:
    """`piece` `times` times over, a MB or so at a time."""
    batch = max(1, 1_000_000 // len(piece))
    for start in range(0, times, batch):
        yield piece * min(batch, times - start)


def many_rows(rows: int, dimension: str | None = None) -> bytes:
    """A workbook whose first sheet is `rows` one-cell rows, claiming `dimension` (A1:XFD9) as its size if given."""
    claim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return rewritten({SHEET: [b"<worksheet " + _MAIN + b">" + claim + b"<sheetData>", *repeated(ROW, rows),
                              b"</sheetData></worksheet>"]})


def many_shared_strings(strings: int) -> bytes:
    """The template with a shared-strings part of `strings` entries that no cell uses (openpyxl reads it whole)."""
    template = zipfile.ZipFile(io.BytesIO(workbooks.template()))
    types = template.read("[Content_Types].xml").replace(
        b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}" /></Types>'.encode())
    rels = template.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        f'<Relationship Type="{_SST_REL}" Target="sharedStrings.xml" Id="rId99" /></Relationships>'.encode())
    return rewritten({"[Content_Types].xml": [types], "xl/_rels/workbook.xml.rels": [rels],
                      "xl/sharedStrings.xml": [b"<sst " + _MAIN + b">", *repeated(b"<si><t>x</t></si>", strings),
                                               b"</sst>"]})


def unpacked(book: bytes) -> int:
    """What the archive says its parts inflate to."""
    return sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(book)).infolist())


def understated(book: bytes, name: str = SHEET, size: int = 100) -> bytes:
    """The workbook with part `name` saying, in its local header and in the central directory, that it inflates to
    `size` bytes: what an archive would claim to slip past a check of the sizes it declares."""
    data = bytearray(book)
    archive = zipfile.ZipFile(io.BytesIO(book))
    struct.pack_into("<I", data, archive.getinfo(name).header_offset + 22, size)
    entry = archive.start_dir
    for info in archive.infolist():
        if info.filename == name:
            struct.pack_into("<I", data, entry + 24, size)
        entry += 46 + sum(struct.unpack_from("<HHH", data, entry + 28))
    return bytes(data)
