"""The length of a union of intervals, for every project at once: how long the government holds at least one file.

Two exact methods (equal up to floating-point rounding; ``tests/test_intervals.py`` checks both against a
per-project sweep in plain Python):

* :func:`union_length`, for any intervals (rows) of any projects (columns). Sort each project's starts and its
  ends *separately* (S, E ascending). Between S[k] and S[k+1] exactly k+1 intervals have started, and one of
  them is still open at time t as long as fewer than k+1 have ended, that is until E[k]; so the covered part
  of ``[S[k], S[k+1])`` is ``[S[k], min(E[k], S[k+1])]`` and the union is ``sum_k min(E[k], S[k+1]) - S[k]``
  (S[K] = inf). Two plain sorts and no permutation to gather: a few intervals are sorted with a sorting network
  on whole rows (every project at once), many per project with numpy's sort.
* :func:`chained_union`, for the counted intervals of approval items on a parallel schedule, where most of the
  work needs no sort. An item starts the moment the prerequisite that held it up (its *binding* prerequisite)
  ends, so when both are in the set, the item's interval continues the prerequisite's: the intervals of a
  chain of binding prerequisites tile one interval from the chain's first start to its last end. Only where a
  chain can begin (a *head*: an item without prerequisites, with a prerequisite outside the set or ending
  with stopped-clock time, or behind a stage coordination delay; the second counted piece of an item with a
  补正 request) does a new interval begin, and heads with the same prerequisites start together. The union is
  that of the heads' intervals ``[head start, latest end reached from the head]``: one interval when all
  chains start together (a whole all-approval process without coordination delays, a stage whose items only
  wait for each other), else a handful for :func:`union_length`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["ChainPlan", "Rows", "chain_plan", "chained_union", "sorting_network", "union_length"]


class Rows(Protocol):
    """Rows by item: a matrix, a mapping, or anything indexed by item."""

    def __getitem__(self, item: int, /) -> np.ndarray: ...


NETWORK_ROWS = (
    40  # up to this many intervals per project a sorting network on whole rows is faster than np.sort
)


@functools.cache
def sorting_network(size: int) -> tuple[tuple[int, int], ...]:
    """Batcher's odd-even merge sort for ``size`` inputs: compare-exchange pairs ``(low, high)``, in order."""
    pairs = []
    p = 1
    while p < size:
        k = p
        while k >= 1:
            for j in range(k % p, size - k, 2 * k):
                for i in range(min(k, size - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return tuple(pairs)


def _union_of_rows(starts: Sequence[np.ndarray], ends: Sequence[np.ndarray]) -> np.ndarray:
    """:func:`union_length` of a few intervals given as rows (each ``end >= start``): both sides sorted
    elementwise by a sorting network on whole rows (every project at once), in one scratch block."""
    k = len(starts)
    if k == 1:
        return ends[0] - starts[0]
    block = np.empty((2 * k + 1, len(starts[0])))
    block[:k], block[k : 2 * k] = starts, ends
    s, e, spare = list(block[:k]), list(block[k : 2 * k]), block[2 * k]
    for rows in (s, e):
        for low, high in sorting_network(k):
            np.minimum(rows[low], rows[high], out=spare)
            np.maximum(rows[low], rows[high], out=rows[high])
            rows[low], spare = spare, rows[low]
    total = np.minimum(e[0], s[1])
    total -= s[0]
    for j in range(1, k - 1):
        np.minimum(e[j], s[j + 1], out=spare)
        spare -= s[j]
        total += spare
    np.subtract(e[-1], s[-1], out=spare)
    total += spare
    return total


def _union_by_sort(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """:func:`union_length` of many intervals: each project's starts and ends sorted as a contiguous row."""
    n, k = starts.shape[1], starts.shape[0]
    s = np.ascontiguousarray(starts.T)
    s.sort(axis=1)
    e = np.ascontiguousarray(ends.T)
    e.sort(axis=1)
    flat_s, flat_e = s.ravel(), e.ravel()
    piece = np.empty_like(flat_s)
    np.minimum(flat_e[:-1], flat_s[1:], out=piece[:-1])
    piece.reshape(n, k)[:, -1] = e[:, -1]  # S[K] = inf: the last interval counts to its end
    piece -= flat_s
    return piece.reshape(n, k).sum(axis=1)


def union_length(
    starts: np.ndarray | Sequence[np.ndarray], ends: np.ndarray | Sequence[np.ndarray]
) -> np.ndarray:
    """Per column (project), the total length of the union of the intervals ``[starts[i], ends[i]]`` (rows).

    An interval that ends before it starts is empty."""
    k = len(starts)
    if k == 0:
        return np.zeros(0 if isinstance(starts, list | tuple) else np.shape(starts)[1])
    rows_s = [np.asarray(row, dtype=float) for row in starts]
    rows_e = [np.maximum(np.asarray(e, dtype=float), s) for s, e in zip(rows_s, ends, strict=True)]
    return _union(rows_s, rows_e)


def _union(starts: Sequence[np.ndarray], ends: Sequence[np.ndarray]) -> np.ndarray:
    if len(starts) <= NETWORK_ROWS:
        return _union_of_rows(starts, ends)
    return _union_by_sort(np.array(starts), np.array(ends))


@dataclass(frozen=True)
class ChainPlan:
    """Where the chains of one set of approval items can begin (static: from the process's structure).

    ``members``: the set's items in topological order; ``split``: those with a second counted piece (补正);
    ``edges``: ``(item, prerequisite, joint)`` chaining steps in reverse topological order of the item
    (``joint``: the item has several prerequisites, so the prerequisite continues it only where it bound);
    ``groups``: heads that start together (items with the same prerequisites and delays); ``single``: one
    head interval in all (the union is then ``[its start, the set's latest end]``)."""

    members: tuple[int, ...]
    split: frozenset[int]
    edges: tuple[tuple[int, int, bool], ...]
    groups: tuple[tuple[int, ...], ...]
    single: bool


@functools.lru_cache(maxsize=256)
def chain_plan(
    members: tuple[int, ...],
    prerequisites: tuple[tuple[int, ...], ...],
    delayed: tuple[tuple[bool, ...], ...],
    ends_stopped: frozenset[int],
    split: frozenset[int],
) -> ChainPlan:
    """The chain structure of ``members`` (item indices). ``delayed[j][k]``: a delay (stage coordination) lies
    between item j's k-th prerequisite and j; ``ends_stopped``: items whose last counted time is followed by
    stopped-clock time (excluded days), so nothing continues their interval; ``split``: items with a 补正
    request (counted time, the applicant's time off the clock, counted time again)."""
    inside = set(members)
    edges: list[tuple[int, int, bool]] = []
    groups: dict[tuple[tuple[int, ...], tuple[bool, ...]], list[int]] = {}
    for j in members:
        pre = prerequisites[j]
        chaining = [
            p
            for p, late in zip(pre, delayed[j], strict=True)
            if p in inside and p not in ends_stopped and not late
        ]
        edges.extend((j, p, len(pre) > 1) for p in chaining)
        if not pre or len(chaining) < len(pre):
            groups.setdefault((pre, delayed[j]), []).append(j)
    edges.sort(key=lambda edge: -edge[0])
    heads = len(groups) + len(split & inside)
    return ChainPlan(
        tuple(members), split & inside, tuple(edges), tuple(tuple(g) for g in groups.values()), heads == 1
    )


def _row_max(rows: Rows, items: Sequence[int], *, own: bool = True) -> np.ndarray:
    """Elementwise maximum of the rows of ``items`` (a new array unless ``own`` is False and there is one)."""
    if len(items) == 1:
        return rows[items[0]].copy() if own else rows[items[0]]
    latest = np.maximum(rows[items[0]], rows[items[1]])
    for j in items[2:]:
        np.maximum(latest, rows[j], out=latest)
    return latest


def chained_union(
    plan: ChainPlan,
    start: Rows,
    last_end: Rows,
    first_end: Rows | None = None,
    resumed: Rows | None = None,
    binding: Mapping[int, np.ndarray] | None = None,
) -> np.ndarray:
    """Per project (column), the union length of the set's counted intervals on a parallel schedule.

    Rows by item (a matrix, or anything indexed by item): ``start[j]``, when item j starts (its binding
    prerequisite's end, plus any delay); ``last_end[j]``, the end of its last counted piece, where its
    dependants start unless stopped time follows; for a ``split`` item, ``first_end[j]`` ends its first piece
    and ``resumed[j]`` starts its second (after the applicant's 补正). ``binding[j]``: per project, the
    prerequisite that held a joint item up (``Schedule.binding``)."""
    if not plan.members:
        raise ValueError("an empty set of items has no intervals")
    if plan.single:  # every interval continues a chain from the one head
        (group,) = plan.groups
        latest = _row_max(last_end, plan.members)
        latest -= start[group[0]]
        return latest
    outer: dict[int, np.ndarray] = {}  # the latest end reached from an item, where its dependants extended it

    def reach(j: int) -> np.ndarray:  # the latest end reached from item j's first piece
        if j in plan.split:
            assert first_end is not None  # a split item has a first piece
            return first_end[j]
        return outer[j] if j in outer else last_end[j]

    for j, p, joint in plan.edges:  # dependants before their prerequisites: reach(j) is complete
        if joint:
            assert binding is not None  # a joint item's binding prerequisite comes from the schedule
            if p not in outer:
                outer[p] = last_end[p].copy()
            np.maximum(outer[p], reach(j), out=outer[p], where=binding[j] == p)
        elif p in outer:
            np.maximum(outer[p], reach(j), out=outer[p])
        else:
            outer[p] = np.maximum(last_end[p], reach(j))
    starts, ends = [], []
    for group in plan.groups:
        starts.append(start[group[0]])
        ends.append(_row_max({j: reach(j) for j in group}, group, own=False))
    for j in sorted(plan.split):
        assert resumed is not None  # a split item has a second piece
        starts.append(resumed[j])
        ends.append(outer[j] if j in outer else last_end[j])
    return _union(starts, ends)
