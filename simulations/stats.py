"""Confidence intervals across replications and the holds / fails / inconclusive verdict (no scipy needed)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["Verdict", "judge", "mean_ci", "replications_needed", "t_quantile"]

# Student t 0.975 quantiles for 1..30 degrees of freedom
_T975 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)
_Z975 = 1.959963984540054
MAX_REPLICATIONS = 1_000_000


def t_quantile(df: int) -> float:
    """Two-sided 95 % Student t quantile (table to 30 df, Cornish-Fisher expansion beyond: error < 1e-4)."""
    if df < 1:
        raise ValueError("need at least one degree of freedom (two replications)")
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


def mean_ci(values: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """95 % t confidence interval of the mean; (nan, nan) with fewer than two values."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return float("nan"), float("nan")
    if np.ptp(x) == 0:  # no spread at all (e.g. zero variance): avoid a rounding-noise interval
        return float(x[0]), float(x[0])
    half = t_quantile(x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    return float(x.mean() - half), float(x.mean() + half)


def replications_needed(mean: float, sd: float, target: float, current: int) -> int | None:
    """Smallest number of replications whose 95 % CI would exclude ``target``, if mean and sd stay as
    estimated; None when that cannot happen (the estimate sits on the target, or no spread is known)."""
    gap = abs(mean - target)
    if gap == 0 or not math.isfinite(sd):
        return None
    if sd == 0:
        return max(current, 2)
    n = max(current + 1, 2, math.ceil((_Z975 * sd / gap) ** 2))
    while n <= MAX_REPLICATIONS:
        if t_quantile(n - 1) * sd / math.sqrt(n) < gap:
            return n
        n += 1
    return None


@dataclass(frozen=True)
class Verdict:
    """Whether a reduction reaches ``target``: ``holds`` when the CI's lower bound >= target, ``fails`` when
    its upper bound < target, else ``inconclusive`` (with the replications that would likely settle it)."""

    estimate: float
    ci95: tuple[float, float]
    target: float
    replications: int
    verdict: Literal["holds", "fails", "inconclusive"]
    replications_needed: int | None

    def as_dict(self) -> dict:
        def r(v: float) -> float | None:
            return None if math.isnan(v) else round(v, 6)

        return {
            "mean": r(self.estimate),
            "ci95": [r(self.ci95[0]), r(self.ci95[1])],
            "verdict": self.verdict,
            "replications": self.replications,
            "replications_needed": self.replications_needed,
        }


def judge(values: Sequence[float] | np.ndarray, target: float) -> Verdict:
    """Verdict on per-replication reductions (shares, e.g. 0.23 = 23 % shorter) against ``target``."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        raise ValueError("no replications to judge")
    estimate = float(x[0]) if np.ptp(x) == 0 else float(x.mean())
    lo, hi = mean_ci(x)
    if x.size < 2:
        return Verdict(estimate, (lo, hi), target, 1, "inconclusive", None)
    if lo >= target:
        verdict: Literal["holds", "fails", "inconclusive"] = "holds"
    elif hi < target:
        verdict = "fails"
    else:
        verdict = "inconclusive"
    needed = (
        None
        if verdict != "inconclusive"
        else replications_needed(estimate, float(x.std(ddof=1)), target, x.size)
    )
    return Verdict(estimate, (lo, hi), target, int(x.size), verdict, needed)
