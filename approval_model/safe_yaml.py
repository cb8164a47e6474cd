"""Reading YAML a user hands us, with bounded cost: aliases may not blow up, refer to themselves or nest deeply.

A YAML alias (``*name``) reuses the node of an anchor (``&name``) without copying it, so a few hundred bytes of
nested aliases ("billion laughs": 9 levels x 9 aliases) stand for 9^9 nodes: anything that walks the data
(line numbers for messages, merging with a base, pydantic) takes minutes and gigabytes. An alias inside its
own anchor (``name: &a [*a]``) stands for infinite data. Both are refused right after parsing, before anything
walks the data, in time linear in the size of the file: the composed node graph is walked once, each node's
expanded size memoised.

The budget: every alias expanded, a document may hold at most :data:`ALIAS_BUDGET` nodes more than it has
written out (an alias of a 10-field mapping adds ~21 nodes, so a few hundred reuses are fine), and nest at
most :data:`MAX_DEPTH` levels (a scenario nests 5). Every YAML file the product reads goes through
:func:`parse` or :func:`load`.
"""

from __future__ import annotations

from typing import Any

import yaml

from messages import Message

__all__ = ["ALIAS_BUDGET", "MAX_DEPTH", "YamlShapeError", "load", "parse"]

ALIAS_BUDGET = 10_000
MAX_DEPTH = 64
FAST_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class YamlShapeError(yaml.YAMLError):
    """Well-formed YAML the product refuses to expand; ``line`` is 1-based (None when unknown)."""

    def __init__(self, message: str, fix: str, line: int | None) -> None:
        self.message, self.fix, self.line = message, fix, line
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{message}. Fix: {fix}")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    """Keys and values of a mapping (alternating), items of a sequence, nothing for a scalar."""
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def _used_on(parent: yaml.Node, position: int) -> int:
    """The line where the child at ``position`` of ``parent`` is written (for a mapping: its key's line)."""
    if isinstance(parent, yaml.MappingNode):
        return _line(parent.value[position // 2][0])
    return _line(parent)


def _too_deep(line: int) -> YamlShapeError:
    return YamlShapeError(
        Message("the data is nested more than {depth} levels deep", depth=MAX_DEPTH),
        Message("flatten the structure (a scenario file nests about 5 levels)"),
        line,
    )


def check_depth(root: yaml.Node) -> None:
    """Nesting only: enough for a text without aliases, whose nodes form a tree (fast on large catalogs)."""
    scalar = yaml.ScalarNode
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        for child in _children(node):
            if type(child) is not scalar:
                if depth >= MAX_DEPTH:
                    raise _too_deep(_line(child))
                stack.append((child, depth + 1))


def check(root: yaml.Node) -> None:
    """Raise :class:`YamlShapeError` for self-reference, alias expansion beyond the budget or deep nesting.

    One depth-first walk over the distinct nodes; a node met again (an alias) adds its memoised expanded
    size instead of being walked again.
    """
    size: dict[int, int] = {}  # id(node) -> nodes when every alias below it is expanded
    height: dict[int, int] = {}
    on_path: set[int] = {id(root)}
    reused_at: int | None = None
    scalar = yaml.ScalarNode
    stack: list[list[Any]] = [[root, _children(root), 0]]  # node, children, next child
    while stack:
        frame = stack[-1]
        node, children, position = frame
        if position < len(children):
            frame[2] = position + 1
            child = children[position]
            key = id(child)
            if key in size:
                if reused_at is None:
                    reused_at = _used_on(node, position)
            elif key in on_path:
                used_on = _used_on(node, position)
                raise YamlShapeError(
                    Message(
                        "an alias (*name) used on line {used_on} refers to the anchor (&name) on line {anchor} that "
                        "contains it, which would make the data infinite",
                        used_on=used_on,
                        anchor=_line(child),
                    ),
                    Message("write the values out instead of an alias inside its own anchor"),
                    used_on,
                )
            elif type(child) is scalar:
                size[key], height[key] = 1, 1
            else:
                if len(stack) >= MAX_DEPTH:
                    raise _too_deep(_line(child))
                on_path.add(key)
                stack.append([child, _children(child), 0])
            continue
        stack.pop()
        key = id(node)
        on_path.discard(key)
        size[key] = 1 + sum([size[id(child)] for child in children])
        height[key] = 1 + max([height[id(child)] for child in children], default=0)
        if height[key] > MAX_DEPTH:
            raise YamlShapeError(
                Message("aliases nest the data more than {depth} levels deep", depth=MAX_DEPTH),
                Message("write the values out instead of nesting aliases"),
                _line(node),
            )
    added = size[id(root)] - len(size)
    if added > ALIAS_BUDGET:
        raise YamlShapeError(
            Message(
                "aliases (*name) would expand this file by {added:,} nodes, more than the {budget:,} allowed (nested "
                "aliases multiply: a few lines can stand for billions of values)",
                added=added,
                budget=ALIAS_BUDGET,
            ),
            Message("write repeated values out, or use aliases only for small repeated parts"),
            reused_at,
        )


def parse(text: str, loader: type = FAST_LOADER) -> tuple[Any, yaml.Node | None]:
    """The data of a one-document YAML text and its node tree (for line numbers), checked by :func:`check`.

    Raises ``yaml.YAMLError`` (a syntax error) or :class:`YamlShapeError` (refused structure).
    """
    instance = loader(text)
    try:
        node = instance.get_single_node()
        if node is None:
            return None, None
        if "*" in text:
            check(node)
        else:  # an alias is written '*name': without a '*' the nodes form a tree and only depth matters
            check_depth(node)
        return instance.construct_document(node), node
    finally:
        instance.dispose()


def load(text: str, loader: type = FAST_LOADER) -> Any:
    """Like ``yaml.safe_load``, with the checks of :func:`check`."""
    return parse(text, loader)[0]
