"""Which time limit a figure counts: the statutory limit (法定时限) or the promised one (承诺时限).

One enum for the whole product: the scenario key ``simulation.limit_basis``, the CLI option ``--limit``, the
static analysis, supervision deadlines and validation all speak of the same two values. It is a ``StrEnum``,
so a member compares equal to its text (``LimitBasis.promised == "promised"``) and prints as that text in
JSON; scenario files and JSON keep the plain words.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["LimitBasis"]


class LimitBasis(StrEnum):
    """``statutory``: the limit set by law; ``promised``: the shorter limit a department promises (an item
    without a promise keeps its statutory limit)."""

    statutory = "statutory"
    promised = "promised"
