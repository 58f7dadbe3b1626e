"""YAML loading that remembers where each value stood, so problems can name their line, and refuses what no
bank, paper or contest needs: a file past MAX_CHARS, nesting past MAX_DEPTH, aliases expanding past MAX_NODES
(a "billion laughs"), an alias inside itself, and text that cannot be stored (domain.inputs.text_ok)."""
from dataclasses import dataclass, field

import yaml

from app.domain.inputs import BAD_TEXT, text_ok

MAX_CHARS = 5_000_000     # a bank of several thousand questions is about a tenth of this
MAX_DEPTH = 20            # a bank nests six levels (questions → question → rubric → point)
MAX_NODES = 1_000_000     # values in the document with every alias expanded


class MarkedMap(dict):
    """A mapping that knows its own line, each key's line, and keys written twice."""

    line: int
    key_lines: dict
    repeated: list

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class MarkedList(list):
    """A sequence that knows its own line and each item's line."""

    line: int
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


@dataclass
class YamlSyntaxError(Exception):
    line: int
    message: str = field(default="")


class _Loader(yaml.SafeLoader):
    """Composes nodes depth-first (PyYAML recurses per level), so each is checked before the next level is read."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        line = self.peek_event().start_mark.line + 1
        if self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            if not hasattr(node, "expanded"):
                raise YamlSyntaxError(line, "YAML 别名引用了包含它自己的内容")
            return node
        if self.depth >= MAX_DEPTH:
            raise YamlSyntaxError(line, f"YAML 嵌套超过 {MAX_DEPTH} 层")
        self.depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        node.expanded = 1 + sum(child.expanded for child in _children(node))
        if node.expanded > MAX_NODES:
            raise YamlSyntaxError(line, f"YAML 内容过多：展开别名后超过 {MAX_NODES} 个值")
        return node

    def construct_scalar(self, node):
        value = super().construct_scalar(node)
        if isinstance(value, str) and not text_ok(value):
            raise YamlSyntaxError(node.start_mark.line + 1, f"文字{BAD_TEXT}")
        return value


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _construct_map(loader: _Loader, node: yaml.MappingNode):
    mapping = MarkedMap()
    mapping.line, mapping.key_lines, mapping.repeated = node.start_mark.line + 1, {}, []
    yield mapping
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise yaml.constructor.ConstructorError(None, None, "a key must be plain text", key_node.start_mark)
        if key in mapping:
            mapping.repeated.append((key, line))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line


def _construct_seq(loader: _Loader, node: yaml.SequenceNode):
    sequence = MarkedList()
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    yield sequence
    sequence.extend(loader.construct_object(child, deep=True) for child in node.value)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def load(text: str):
    """Parse one YAML document into MarkedMap/MarkedList/scalars; errors (YamlSyntaxError) carry their line."""
    if len(text) > MAX_CHARS:
        raise YamlSyntaxError(1, f"文件过大：超过 {MAX_CHARS} 个字符")
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, f"YAML 语法错误：{error.problem or error}") from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(1, f"YAML 语法错误：{error}") from None
