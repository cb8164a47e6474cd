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


def _children(node: yaml.Node) -> list[tuple[yaml.Node, int]]:
    """Child nodes, last first (popping them gives document order), each with the line where it is used
    (a reused node's own mark is its anchor's)."""
    if isinstance(node, yaml.MappingNode):
        pairs = [pair for key, value in node.value for pair in ((key, _line(key)), (value, _line(key)))]
    elif isinstance(node, yaml.SequenceNode):
        pairs = [(child, _line(node)) for child in node.value]
    else:
        return []
    return pairs[::-1]


def check(root: yaml.Node) -> None:
    """Raise :class:`YamlShapeError` for self-reference, alias expansion beyond the budget or deep nesting."""
    size: dict[int, int] = {}  # id(node) -> nodes when every alias below it is expanded
    height: dict[int, int] = {}
    on_path: set[int] = set()
    reused_at: int | None = None
    stack: list[tuple[yaml.Node, list[tuple[yaml.Node, int]]]] = [(root, _children(root))]
    on_path.add(id(root))
    while stack:
        node, pending = stack[-1]
        if pending:
            child, used_on = pending.pop()
            if id(child) in on_path:
                raise YamlShapeError(
                    f"an alias (*name) used on line {used_on} refers to the anchor (&name) on line "
                    f"{_line(child)} that contains it, which would make the data infinite",
                    "write the values out instead of an alias inside its own anchor",
                    used_on,
                )
            if id(child) in size:
                if reused_at is None:
                    reused_at = used_on
                continue
            on_path.add(id(child))
            stack.append((child, _children(child)))
            if len(stack) > MAX_DEPTH:
                raise YamlShapeError(
                    f"the data is nested more than {MAX_DEPTH} levels deep",
                    "flatten the structure (a scenario file nests about 5 levels)",
                    _line(child),
                )
            continue
        stack.pop()
        on_path.discard(id(node))
        kids = _children(node)
        size[id(node)] = 1 + sum(size[id(child)] for child, _ in kids)
        height[id(node)] = 1 + max((height[id(child)] for child, _ in kids), default=0)
        if height[id(node)] > MAX_DEPTH:
            raise YamlShapeError(
                f"aliases nest the data more than {MAX_DEPTH} levels deep",
                "write the values out instead of nesting aliases",
                _line(node),
            )
    added = size[id(root)] - len(size)
    if added > ALIAS_BUDGET:
        raise YamlShapeError(
            f"aliases (*name) would expand this file by {added:,} nodes, more than the {ALIAS_BUDGET:,} "
            "allowed (nested aliases multiply: a few lines can stand for billions of values)",
            "write repeated values out, or use aliases only for small repeated parts",
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
        check(node)
        return instance.construct_document(node), node
    finally:
        instance.dispose()


def load(text: str, loader: type = FAST_LOADER) -> Any:
    """Like ``yaml.safe_load``, with the checks of :func:`check`."""
    return parse(text, loader)[0]
