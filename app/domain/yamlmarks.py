"""YAML loading that remembers where each value stood, so problems can name their line."""
from dataclasses import dataclass, field

import yaml


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


class _Loader(yaml.SafeLoader):
    pass


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


@dataclass
class YamlSyntaxError(Exception):
    line: int
    message: str = field(default="")


def load(text: str):
    """Parse one YAML document into MarkedMap/MarkedList/scalars; syntax errors carry their line."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, f"YAML 语法错误：{error.problem or error}") from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(1, f"YAML 语法错误：{error}") from None
