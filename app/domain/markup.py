"""Markdown from banks rendered to HTML and then sanitised: nothing a bank says can run in a page."""
import html
import itertools
import threading

import markdown
import nh3

from app.domain.text import BLANK_RUN

_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "sub", "sup", "code", "pre", "blockquote",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "hr", "h3", "h4", "h5", "h6", "a", "span",
}
_ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"}}
_BLANK_TOKEN = "\u2063BLANK{}\u2063"   # invisible separator: cannot be typed by accident in a bank


_parsers = threading.local()


def _parser() -> markdown.Markdown:
    """This thread's Markdown parser: building one cost twice what converting a stem with it does."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    return parser


def render_markdown(text: str) -> str:
    parser = _parser()
    try:
        raw = parser.convert(text)
    finally:
        parser.reset()
    return nh3.clean(raw, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def render_stem(stem: str) -> str:
    """A stem as HTML, each ___ run shown as a numbered blank (Markdown would read ___ as emphasis)."""
    runs = BLANK_RUN.findall(stem)
    numbers = itertools.count(1)
    tokenised = BLANK_RUN.sub(lambda _match: _BLANK_TOKEN.format(next(numbers)), stem)
    rendered = render_markdown(tokenised)
    for number in range(1, len(runs) + 1):
        rendered = rendered.replace(
            _BLANK_TOKEN.format(number),
            f'<span class="blank">（{html.escape(str(number))}）＿＿＿</span>',
        )
    return rendered


def render_inline(text: str) -> str:
    """Markdown for a short piece such as an option: no surrounding paragraph."""
    rendered = render_markdown(text)
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered
