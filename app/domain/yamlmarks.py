"""YAML loading that remembers where each value stood, so problems can name their line, and refuses what no
bank, paper or contest needs: a file past MAX_CHARS, nesting past MAX_DEPTH, aliases expanding past MAX_NODES
(a "billion laughs"), an alias inside itself, and text that cannot be stored (domain.inputs.text_ok)."""
import gc
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


# libyaml's parser and composer when PyYAML was built with it (several times faster than the pure-Python ones on a
# bank of thousands of questions); its nodes carry the same marks.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TYPES = (str, int, float, bool)


class _Loader(_BaseLoader):
    """Composes the whole node tree (libyaml stops past 1000 levels), checks its depth and size with every alias
    expanded, then builds MarkedMap/MarkedList/scalars. A value under a key in `text_keys` is read as written: its
    scalars are the text in the file, never a YAML 1.1 number, date, boolean or null."""

    def __init__(self, stream, text_keys: frozenset[str] = frozenset()):
        super().__init__(stream)
        self.text_keys = text_keys
        self.built: dict[int, tuple[int, bool, object]] = {}   # id(node) -> (expanded, as_text, value)
        self.building: set[int] = set()
        self.resolved: dict[str, str] = {}     # short plain scalar -> its tag

    def resolve(self, kind, value, implicit):
        """libyaml asks this of every scalar: a plain one that starts with no character a YAML 1.1 type starts with
        (Chinese text) is text without trying the types' patterns, and a short one (a key, a letter, a type name)
        is resolved once per document."""
        if kind is not yaml.ScalarNode or not implicit[0] or len(value) > _SHORT:
            return super().resolve(kind, value, implicit)
        if value and value[0] not in self.yaml_implicit_resolvers:
            return _STR_TAG
        tag = self.resolved.get(value)
        if tag is None:
            tag = self.resolved[value] = super().resolve(kind, value, implicit)
        return tag

    def get_single_data(self):
        node = self.get_single_node()
        return None if node is None else self.build(node, 0, False)[1]

    def build(self, node: yaml.Node, depth: int, as_text: bool) -> tuple[int, object]:
        """(how many values the node holds with aliases expanded, its value); an alias is the node it names."""
        if depth >= MAX_DEPTH:
            raise YamlSyntaxError(_line(node), f"YAML 嵌套超过 {MAX_DEPTH} 层")
        if type(node) is yaml.ScalarNode:   # most of a bank, and never a cycle
            return 1, self._scalar(node, as_text)
        key = id(node)
        done = self.built.get(key)
        if done is not None and done[1] == as_text:
            return done[0], done[2]
        if key in self.building:
            raise YamlSyntaxError(_line(node), "YAML 别名引用了包含它自己的内容")
        self.building.add(key)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP_TAG:
            expanded, value = self._map(node, depth, as_text)
        elif isinstance(node, yaml.SequenceNode) and node.tag == _SEQ_TAG:
            expanded, value = self._seq(node, depth, as_text)
        else:
            expanded, value = 1 + _size(node), self._scalar(node, as_text)
        self.building.discard(key)
        if expanded > MAX_NODES:
            raise YamlSyntaxError(_line(node), f"YAML 内容过多：展开别名后超过 {MAX_NODES} 个值")
        self.built[key] = (expanded, as_text, value)
        return expanded, value

    def _map(self, node: yaml.MappingNode, depth: int, as_text: bool) -> tuple[int, MarkedMap]:
        self.flatten_mapping(node)
        mapping = MarkedMap()
        mapping.line, mapping.key_lines, mapping.repeated = _line(node), {}, []
        expanded = 1
        for key_node, value_node in node.value:
            key_size, key = self.build(key_node, depth + 1, False)
            line = _line(key_node)
            if not isinstance(key, _PLAIN_TYPES) or key is None:
                raise yaml.constructor.ConstructorError(None, None, "a key must be plain text", key_node.start_mark)
            if key in mapping:
                mapping.repeated.append((key, line))
            value_size, mapping[key] = self.build(value_node, depth + 1, as_text or key in self.text_keys)
            mapping.key_lines[key] = line
            expanded += key_size + value_size
        return expanded, mapping

    def _seq(self, node: yaml.SequenceNode, depth: int, as_text: bool) -> tuple[int, MarkedList]:
        sequence = MarkedList()
        sequence.line = _line(node)
        sequence.item_lines = [_line(child) for child in node.value]
        expanded = 1
        for child in node.value:
            size, value = self.build(child, depth + 1, as_text)
            sequence.append(value)
            expanded += size
        return expanded, sequence

    def _scalar(self, node: yaml.Node, as_text: bool):
        if as_text and type(node) is yaml.ScalarNode:
            # What the organiser wrote: `010`, `1:30`, `yes` or `2024-01-01` stay those characters; an empty plain
            # value is still nothing.
            value = None if node.value == "" and node.style is None else node.value
        elif node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
            value = node.value      # what SafeConstructor makes of it, without its bookkeeping
        else:
            value = self.construct_object(node, deep=True)
        if isinstance(value, str) and not text_ok(value):
            raise YamlSyntaxError(_line(node), f"文字{BAD_TEXT}")
        return value


# What libyaml refuses itself, said as the pure-Python checks above say it.
_LIBYAML_REFUSALS = {
    "exceeded maximum nesting depth": f"YAML 嵌套超过 {MAX_DEPTH} 层",
    "found invalid Unicode character escape code": f"文字{BAD_TEXT}",
}
_STR_TAG = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG
_SHORT = 40     # characters: longer plain scalars are mostly text, and rarely repeat
_MAP_TAG = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG
_SEQ_TAG = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _size(node: yaml.Node) -> int:
    """Values under a node built by PyYAML's own constructors (an explicit !!set or !!omap), counted iteratively."""
    count, stack = 0, list(_children(node))
    while stack and count <= MAX_NODES:
        child = stack.pop()
        count += 1
        stack.extend(_children(child))
    return count


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def load(text: str, text_keys: frozenset[str] = frozenset()):
    """Parse one YAML document into MarkedMap/MarkedList/scalars; errors (YamlSyntaxError) carry their line.
    Values under a key in `text_keys` (at any depth) keep the characters as written (see _Loader)."""
    if len(text) > MAX_CHARS:
        raise YamlSyntaxError(1, f"文件过大：超过 {MAX_CHARS} 个字符")
    loader = _Loader(text, text_keys)
    # A bank of thousands of questions is hundreds of thousands of nodes and values, none of them garbage, and each full
    # pass of the cycle collector walks them all: paused, loading takes half the time (a dozen passes at 10,000).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        message = _LIBYAML_REFUSALS.get(error.problem or "", f"YAML 语法错误：{error.problem or error}")
        raise YamlSyntaxError(line, message) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(1, f"YAML 语法错误：{error}") from None
    finally:
        loader.dispose()
        if collecting:
            gc.enable()
