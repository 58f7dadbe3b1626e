"""Bank Markdown as the HTML other systems store, and that HTML back as Markdown.

Writing goes through the app's own renderer and sanitiser, with each ___ run kept as written (Markdown would read
it as emphasis). Reading keeps what bank Markdown can say — paragraphs, line breaks, bold, italics, code, links,
lists, quotes, headings and tables — and the text of anything else (images and scripts are dropped), so what our
writer produced reads back as the Markdown it came from.
"""
import re
from html.parser import HTMLParser

from app.domain.markup import render_inline, render_markdown
from app.domain.text import BLANK_RUN

_TOKEN = "\u2063RUN{}\u2063"        # invisible separator: cannot be typed in a bank by accident
_BLOCKS = {"p", "div", "ul", "ol", "li", "blockquote", "pre", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_HIDDEN = {"script", "style"}
_BLANK_LINES = re.compile(r"\n{3,}")


def to_html(markdown: str, inline: bool = False, blanks: list[str] | None = None) -> str:
    """Sanitised HTML of bank Markdown, each ___ run left as the underscores it was, or replaced by the HTML in
    `blanks` (one per run: a format's own answer field)."""
    runs = BLANK_RUN.findall(markdown)
    counter = iter(range(len(runs)))
    tokenised = BLANK_RUN.sub(lambda _match: _TOKEN.format(next(counter)), markdown)
    rendered = (render_inline if inline else render_markdown)(tokenised)
    for number, run in enumerate(blanks if blanks is not None else runs):
        rendered = rendered.replace(_TOKEN.format(number), run)
    return rendered


def to_markdown(html: str) -> str:
    """Markdown for HTML from another system (or from `to_html`): the structure bank Markdown has, and text."""
    converter = _Converter()
    converter.feed(html)
    converter.close()
    return _BLANK_LINES.sub("\n\n", converter.text()).strip()


class _Converter(HTMLParser):
    """Writes Markdown as the HTML's tags open and close: lists remember their kind and next number, a table row
    collects its cells, and script or style content is not text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list] = []        # [ordered, next number] per open list
        self.quote = 0
        self.link: str | None = None
        self.item_open = False             # a list item's marker written, its text not yet
        self.row: list[str] | None = None  # the cells of the table row being read
        self.rows = 0                      # rows written of the current table: the first is its header
        self.hidden = 0                    # depth inside script or style

    def text(self) -> str:
        return "".join(self.parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _HIDDEN:
            self.hidden += 1
        if tag in _BLOCKS and tag != "li":
            self._break()
        if tag in _MARKS:
            self._emit(_MARKS[tag])
        elif tag == "br":
            self._emit("\n" + self._prefix())
        elif tag in ("ul", "ol"):
            self.lists.append([tag == "ol", int(values.get("start") or 1)])
        elif tag == "li" and self.lists:
            self._list_item()
        elif tag == "blockquote":
            self.quote += 1
        elif tag in _HEADINGS:
            self.parts.append(self._prefix() + "#" * int(tag[1]) + " ")
        elif tag == "hr":
            self.parts.append(self._prefix() + "---")
        elif tag == "a":
            self.link = values.get("href") or ""
            self._emit("[")
        elif tag == "table":
            self.rows = 0
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.row.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1
        if tag in _MARKS:
            self._emit(_MARKS[tag])
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "blockquote" and self.quote:
            self.quote -= 1
        elif tag == "a" and self.link is not None:
            self._emit(f"]({self.link})")
            self.link = None
        elif tag == "tr" and self.row is not None:
            self._table_row(self.row)
            self.row = None
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.row is not None:
            if self.row:
                self.row[-1] += " ".join(data.split()) if data.strip() else ""
            return
        at_block_start = not self.parts or self.parts[-1].endswith("\n\n") or self.parts[-1].endswith(" ")
        if not data.strip() and at_block_start:
            return          # the layout between tags, not text
        if self._line_start():
            data = data.lstrip()
            if not data:
                return
            self.parts.append(self._prefix())
        self.item_open = False
        self.parts.append(data.replace("\n", "\n" + self._prefix()))

    def _emit(self, markup: str) -> None:
        """Inline markup, into the table cell being read if there is one."""
        if self.row:
            self.row[-1] += markup
        else:
            self.item_open = False
            self.parts.append(markup)

    def _list_item(self) -> None:
        ordered, number = self.lists[-1]
        self.lists[-1][1] = number + 1
        self._newline()
        indent = "    " * (len(self.lists) - 1)
        self.parts.append(self._quote_prefix() + indent + (f"{number}. " if ordered else "- "))
        self.item_open = True

    def _table_row(self, cells: list[str]) -> None:
        self._newline()
        self.parts.append(f"{self._prefix()}| {' | '.join(cells)} |\n")
        if self.rows == 0:
            self.parts.append(f"{self._prefix()}|{' --- |' * len(cells)}\n")
        self.rows += 1

    def _prefix(self) -> str:
        return self._quote_prefix() + ("    " * len(self.lists) if self.lists else "")

    def _quote_prefix(self) -> str:
        return "> " * self.quote

    def _line_start(self) -> bool:
        return not self.parts or self.parts[-1].endswith("\n")

    def _trimmed(self) -> str:
        """The Markdown so far, trailing spaces dropped, kept as one part."""
        text = self.text().rstrip(" ")
        self.parts = [text] if text else []
        return text

    def _newline(self) -> None:
        """End the line being written, if there is one."""
        text = self._trimmed()
        if text and not text.endswith("\n"):
            self.parts.append("\n")

    def _break(self) -> None:
        """End the block: a blank line, except between the items of a list (and not just after an item's marker:
        a paragraph inside an item starts on the marker's line)."""
        if self.item_open or self.row is not None:
            return
        text = self._trimmed()
        if not text or self.lists:
            self._newline()
        elif not text.endswith("\n\n"):
            self.parts.append("\n" if text.endswith("\n") else "\n\n")
