"""IMS QTI 2.1 content packages: a bank written as a .zip of imsmanifest.xml and one assessmentItem per question.

Each item asks its question with the interaction its type names (`QuestionType.qti`): choiceInteraction (options, or
正确/错误) scored by the match_correct template; one textEntryInteraction per blank, each with a mapping of its
accepted variants, scored by map_response (several blanks: the sum of their mappings); a float textEntryInteraction
per calculation step, scored by `equal` with its tolerance (exact, absolute or relative); extendedTextInteraction for
a judge to score. Stems and options are the bank's Markdown as XHTML; the explanation and source are a rubricBlock
for tutors, a short answer's reference answer and rubric one for scorers. Export only.
"""
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from typing import Any

from app.domain.banks import BankSpec, QuestionSpec
from app.domain.interchange import shared
from app.domain.interchange.htmltext import to_html
from app.domain.questions import QuestionType, question_type

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
QTI_SCHEMA = f"{QTI} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_SCHEMA = f"{CP} http://www.imsglobal.org/xsd/imscp_v1p1.xsd {QTI_SCHEMA}"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
ITEM_RESOURCE = "imsqti_item_xmlv2p1"
_ENTRY = "\u2063ENTRY{}\u2063"
_ENTRIES = re.compile("\u2063ENTRY([0-9]+)\u2063")
_VOID = {"br", "hr"}
_QTI_TAGS = {"p", "br", "strong", "em", "b", "i", "sub", "sup", "code", "pre", "blockquote", "ul", "ol", "li",
             "table", "thead", "tbody", "tr", "th", "td", "hr", "h3", "h4", "h5", "h6", "a", "span", "div"}
_STAMP = (1980, 1, 1, 0, 0, 0)      # the same bank makes the same package, byte for byte


def write_qti(bank: BankSpec) -> bytes:
    """The bank as a QTI 2.1 package; a question whose type has no QTI interaction is left out."""
    items = [(question, _item(question)) for question in bank.questions if question_type(question.type).qti]
    files = {f"items/{question.id}.xml": item for question, item in items}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        _store(package, "imsmanifest.xml", _xml(_manifest(bank, files), indent=True))
        for href, item in files.items():
            _store(package, href, _xml(item))
    return buffer.getvalue()


def item_identifier(question_id: str) -> str:
    """An XML identifier for a question: ours may start with a digit, which an identifier may not."""
    return f"item-{question_id}"


def _store(package: zipfile.ZipFile, name: str, data: bytes) -> None:
    package.writestr(zipfile.ZipInfo(name, _STAMP), data, zipfile.ZIP_DEFLATED)


def _xml(root: ET.Element, indent: bool = False) -> bytes:
    """The document. Its elements are in the root's default namespace (`xmlns`, written as an attribute: ElementTree
    writes a default namespace only when attributes are namespaced too). Items are not indented: whitespace added
    inside their XHTML would show."""
    if indent:
        ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _manifest(bank: BankSpec, files: dict[str, ET.Element]) -> ET.Element:
    manifest = ET.Element("manifest", {"xmlns": CP, "xmlns:xsi": XSI, "xsi:schemaLocation": CP_SCHEMA,
                                       "identifier": f"manifest-{bank.slug}"})
    metadata = ET.SubElement(manifest, "metadata")
    ET.SubElement(metadata, "schema").text = "QTIv2.1 Package"
    ET.SubElement(metadata, "schemaversion").text = "1.0.0"
    ET.SubElement(manifest, "organizations")
    resources = ET.SubElement(manifest, "resources")
    for href, item in files.items():
        resource = ET.SubElement(resources, "resource",
                                 {"identifier": item.get("identifier", ""), "type": ITEM_RESOURCE, "href": href})
        ET.SubElement(resource, "file", href=href)
    return manifest


def _item(question: QuestionSpec) -> ET.Element:
    kind = question_type(question.type)
    item = ET.Element("assessmentItem", {
        "xmlns": QTI, "xmlns:xsi": XSI, "xsi:schemaLocation": QTI_SCHEMA, "identifier": item_identifier(question.id),
        "title": question.id, "adaptive": "false", "timeDependent": "false"})
    body = ET.Element("itemBody")
    if kind.qti == "choiceInteraction":
        _choice(item, body, question, kind)
    elif kind.qti == "orderInteraction":
        _order(item, body, question)
    elif kind.qti == "matchInteraction":
        _match(item, body, question)
    elif kind.qti == "textEntryInteraction" and kind.input == "numbers":
        _number_entries(item, body, question)
    elif kind.qti == "textEntryInteraction":
        _text_entries(item, body, question)
    else:
        _extended_text(item, body, question)
    _rubric_block(body, "tutor", shared.feedback_markdown(question))
    item.append(body)
    processing = _processing(question, kind)
    if processing is not None:
        item.append(processing)
    return item


def _declare(item: ET.Element, identifier: str, cardinality: str, base_type: str, correct: list[str]) -> ET.Element:
    declaration = ET.SubElement(item, "responseDeclaration", identifier=identifier, cardinality=cardinality,
                                baseType=base_type)
    if correct:
        values = ET.SubElement(declaration, "correctResponse")
        for value in correct:
            ET.SubElement(values, "value").text = value
    return declaration


def _score(item: ET.Element) -> None:
    outcome = ET.SubElement(item, "outcomeDeclaration", identifier="SCORE", cardinality="single",
                            baseType="float")
    ET.SubElement(ET.SubElement(outcome, "defaultValue"), "value").text = "0"


def _choice_id(choice: Any) -> str:
    return str(choice).lower() if isinstance(choice, bool) else str(choice)


def _order(item: ET.Element, body: ET.Element, question: QuestionSpec) -> None:
    """An ordering: the items as simple choices, the key their identifiers in the right order (ordered cardinality),
    shuffled by the player as we always do; match_correct is all or nothing, a paper's position rule is ours."""
    _declare(item, "RESPONSE", "ordered", "identifier", list(question.answer))
    _score(item)
    _append_html(body, to_html(question.stem))
    interaction = ET.SubElement(body, "orderInteraction", responseIdentifier="RESPONSE", shuffle="true")
    for letter, text in question.options.items():
        simple = ET.SubElement(interaction, "simpleChoice", identifier=letter)
        _append_html(simple, to_html(text, inline=True))


def _choice(item: ET.Element, body: ET.Element, question: QuestionSpec, kind: QuestionType) -> None:
    choices = kind.choices(question.options)
    right = [_choice_id(choice) for choice in choices if kind.picks(question.answer, choice)]
    _declare(item, "RESPONSE", "multiple" if kind.many_choices else "single", "identifier", right)
    _score(item)
    _append_html(body, to_html(question.stem))
    interaction = ET.SubElement(body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false",
                                maxChoices="0" if kind.many_choices else "1")
    for choice in choices:
        label = question.options.get(choice) if isinstance(choice, str) else kind.describe_response(choice)
        simple = ET.SubElement(interaction, "simpleChoice", identifier=_choice_id(choice))
        _append_html(simple, to_html(label or "", inline=True))


def _match(item: ET.Element, body: ET.Element, question: QuestionSpec) -> None:
    """Prompts P1… (source set) and the right items by letter (target set), each used once; every right pair scores
    its share, as our marking does."""
    pairs = [f"P{number} {letter}" for number, letter in enumerate(question.answer, start=1)]
    declaration = _declare(item, "RESPONSE", "multiple", "directedPair", pairs)
    mapping = ET.SubElement(declaration, "mapping", defaultValue="0")
    for pair in pairs:
        ET.SubElement(mapping, "mapEntry", mapKey=pair, mappedValue=f"{1 / len(pairs):.7g}")
    _score(item)
    _append_html(body, to_html(question.stem))
    interaction = ET.SubElement(body, "matchInteraction", responseIdentifier="RESPONSE", shuffle="true",
                                maxAssociations=str(len(pairs)))
    prompts = ET.SubElement(interaction, "simpleMatchSet")
    for number, prompt in enumerate(question.prompts, start=1):
        choice = ET.SubElement(prompts, "simpleAssociableChoice", identifier=f"P{number}", matchMax="1", fixed="true")
        _append_html(choice, to_html(prompt, inline=True))
    targets = ET.SubElement(interaction, "simpleMatchSet")
    for letter, text in question.options.items():
        choice = ET.SubElement(targets, "simpleAssociableChoice", identifier=letter, matchMax="1")
        _append_html(choice, to_html(text, inline=True))


def _entry_ids(question: QuestionSpec) -> list[str]:
    count = len(question.answer)
    return ["RESPONSE"] if count == 1 else [f"RESPONSE_{number}" for number in range(1, count + 1)]


def _text_entries(item: ET.Element, body: ET.Element, question: QuestionSpec) -> None:
    identifiers = _entry_ids(question)
    for identifier, variants in zip(identifiers, question.answer, strict=True):
        declaration = _declare(item, identifier, "single", "string", variants[:1])
        mapping = ET.SubElement(declaration, "mapping", defaultValue="0")
        for variant in dict.fromkeys(variants):
            ET.SubElement(mapping, "mapEntry", mapKey=variant, mappedValue="1", caseSensitive="false")
    _score(item)
    _append_html(body, to_html(question.stem, blanks=[_ENTRY.format(n) for n in range(len(identifiers))]),
                 entries=identifiers)


def _number_entries(item: ET.Element, body: ET.Element, question: QuestionSpec) -> None:
    """A calculation: one float textEntryInteraction per step, its value the correct response; the unit follows the
    entry in the stem (a QTI float cannot hold one)."""
    identifiers = _entry_ids(question)
    for identifier, step in zip(identifiers, question.answer, strict=True):
        _declare(item, identifier, "single", "float", [step["value"]])
    _score(item)
    _append_html(body, to_html(question.stem, blanks=[_ENTRY.format(n) for n in range(len(identifiers))]),
                 entries=identifiers)


def _number_processing(question: QuestionSpec) -> ET.Element:
    """Each step within its tolerance (QTI's `equal`: exact, absolute, or relative in per cent) adds 1 to SCORE."""
    processing = ET.Element("responseProcessing")
    for identifier, step in zip(_entry_ids(question), question.answer, strict=True):
        tolerance = step["tolerance"]
        mode = "exact" if not tolerance else "relative" if tolerance.endswith("%") else "absolute"
        attributes = {"toleranceMode": mode}
        if tolerance:
            amount = tolerance.removesuffix("%")
            attributes["tolerance"] = f"{amount} {amount}"
        condition = ET.SubElement(ET.SubElement(processing, "responseCondition"), "responseIf")
        equal = ET.SubElement(condition, "equal", attributes)
        ET.SubElement(equal, "variable", identifier=identifier)
        ET.SubElement(equal, "correct", identifier=identifier)
        total = ET.SubElement(ET.SubElement(condition, "setOutcomeValue", identifier="SCORE"), "sum")
        ET.SubElement(total, "variable", identifier="SCORE")
        ET.SubElement(total, "baseValue", baseType="float").text = "1"
    return processing


def _extended_text(item: ET.Element, body: ET.Element, question: QuestionSpec) -> None:
    _declare(item, "RESPONSE", "single", "string", [])
    _score(item)
    _append_html(body, to_html(question.stem))
    ET.SubElement(body, "extendedTextInteraction", responseIdentifier="RESPONSE", expectedLines="15")
    rubric = "\n".join(f"- {shared.rubric_line(point)}" for point in question.rubric)
    _rubric_block(body, "scorer", f"{question.reference_answer}\n\n{shared.RUBRIC_HEADING}\n\n{rubric}")


def _rubric_block(body: ET.Element, view: str, markdown: str) -> None:
    if markdown:
        _append_html(ET.SubElement(body, "rubricBlock", view=view), to_html(markdown))


def _processing(question: QuestionSpec, kind: QuestionType) -> ET.Element | None:
    """Scoring by the standard templates; several blanks add up their mappings; a judge scores a written answer."""
    if not kind.objective:
        return None
    if kind.qti in ("choiceInteraction", "orderInteraction"):
        return ET.Element("responseProcessing", template=f"{TEMPLATES}match_correct")
    if kind.input == "numbers":
        return _number_processing(question)
    if kind.qti == "matchInteraction":
        return ET.Element("responseProcessing", template=f"{TEMPLATES}map_response")
    identifiers = _entry_ids(question)
    if len(identifiers) == 1:
        return ET.Element("responseProcessing", template=f"{TEMPLATES}map_response")
    processing = ET.Element("responseProcessing")
    total = ET.SubElement(ET.SubElement(processing, "setOutcomeValue", identifier="SCORE"), "sum")
    for identifier in identifiers:
        ET.SubElement(total, "mapResponse", identifier=identifier)
    return processing


def _append_html(parent: ET.Element, html: str, entries: list[str] | None = None) -> None:
    """Sanitised HTML as QTI's XHTML under `parent`; each entry token becomes that blank's textEntryInteraction."""
    builder = _XhtmlBuilder(parent, entries or [])
    builder.feed(html)
    builder.close()


class _XhtmlBuilder(HTMLParser):
    """Builds QTI elements from HTML, closing void elements, keeping only links' targets, and turning tags QTI lacks
    (underline, strike-through) into spans."""

    def __init__(self, parent: ET.Element, entries: list[str]):
        super().__init__(convert_charrefs=True)
        self.stack = [parent]
        self.entries = entries

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = tag if tag in _QTI_TAGS else "span"
        attributes = {"href": dict(attrs).get("href") or ""} if tag == "a" else {}
        element = ET.SubElement(self.stack[-1], name, attributes)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        pieces = _ENTRIES.split(data)
        self._text(pieces[0])
        for number, text in zip(pieces[1::2], pieces[2::2], strict=True):
            ET.SubElement(self.stack[-1], "textEntryInteraction",
                          responseIdentifier=self.entries[int(number)], expectedLength="12")
            self._text(text)

    def _text(self, text: str) -> None:
        parent = self.stack[-1]
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + text
        else:
            parent.text = (parent.text or "") + text
