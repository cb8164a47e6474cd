"""Fitting a duration distribution to whole working days counted from a platform's dated records.

Why not fit the day counts as if they were exact times. A record says on which *day* an item was accepted and
completed; the department's time in between is counted in whole working days ``d = floor(t + h) - floor(t)``,
where ``h`` is the continuous time and ``t`` the unknown moment of acceptance within its day. With ``t``'s
fraction uniform, ``P(d <= k) = G(k) = ∫_k^{k+1} F(x) dx`` (``F`` the CDF of ``h``): the day count is ``h``
blurred by up to a day either way, and 0 when accepted and completed on the same day. This module fits ``F`` by
maximum likelihood on exactly that discrete model, so day counts and zeros need no fudge, and the mean of the
fitted ``h`` equals the mean of the day counts (``E[d] = E[h]``). A record still in progress says only
``d >= c`` (right-censored): it adds ``log(1 - G(c - 1))``. ``G`` is exact: each family's integrated CDF has a closed form. Counts of equal
values are grouped, so the cost does not grow with the number of records.

Families are those the simulator samples (:class:`approval_model.models.HandlingDistribution`): ``fixed``,
``uniform``, ``triangular``, ``lognormal``, ``exponential``, and ``empirical`` as the fallback. The choice: among
the families whose Kolmogorov-Smirnov distance between the fitted day-count distribution and the observed one
(the Kaplan-Meier curve, ``scipy.stats.ecdf``, when some records are censored) is within the 5 % critical value
``1.358 / sqrt(n)``, the lowest AIC; when none is, ``empirical`` (the observed day counts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, special, stats

__all__ = ["FAMILIES", "Fit", "Sample", "choose", "fit_family", "ks_critical"]

FAMILIES = ("fixed", "uniform", "triangular", "lognormal", "exponential")
KS_COEFFICIENT = 1.358  # the asymptotic 5 % critical value of the KS distance, times sqrt(n)
EMPIRICAL_POINTS = 200  # at most this many values describe an empirical distribution
_TINY = 1e-300


Grouped = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Sample:
    """Whole working days: ``exact`` from completed records, ``censored`` lower bounds (``d >= c``)."""

    exact: np.ndarray
    censored: np.ndarray

    @classmethod
    def of(cls, exact: Sequence[float], censored: Sequence[float] = ()) -> Sample:
        return cls(np.asarray(exact, dtype=float), np.asarray(censored, dtype=float))

    @property
    def size(self) -> int:
        return int(self.exact.size + self.censored.size)

    def grouped(self) -> Grouped:
        """Distinct day counts with their counts, distinct lower bounds with theirs, and the day grid 0..top+1."""
        values, counts = np.unique(np.rint(self.exact).astype(np.int64), return_counts=True)
        bounds, bound_counts = np.unique(np.rint(self.censored).astype(np.int64), return_counts=True)
        top = int(max(values.max(initial=0), bounds.max(initial=0)))
        grid = np.arange(0.0, top + 2.0)
        return values, counts.astype(float), bounds, bound_counts.astype(float), grid


@dataclass(frozen=True)
class Fit:
    """One family fitted to a sample: its parameters as the simulator takes them, and how well it fits."""

    family: str
    parameters: dict[str, Any]  # fields of HandlingDistribution (distribution, mean, sd, ...)
    log_likelihood: float
    aic: float
    ks: float  # KS distance between fitted and observed day-count distributions
    fits: bool  # ks within the 5 % critical value

    @property
    def mean(self) -> float:
        p = self.parameters
        if self.family == "fixed":
            return float(p["value"])
        if self.family == "uniform":
            return (p["low"] + p["high"]) / 2
        if self.family == "triangular":
            return (p["low"] + p["mode"] + p["high"]) / 3
        if self.family in ("lognormal", "exponential"):
            return float(p["mean"])
        return float(np.mean(p["values"]))


def ks_critical(n: int) -> float:
    return KS_COEFFICIENT / math.sqrt(max(n, 1))


# ---- the families: the integral of the CDF, I(x) = ∫_0^x F(t) dt, per parameter vector ------------------
# (closed forms: the day-count probabilities G(k) = I(k + 1) - I(k) are then exact, kinks and steps included)

Integral = Callable[[np.ndarray], np.ndarray]


def _lognormal(theta: np.ndarray) -> Integral | None:
    mu, sigma = float(theta[0]), math.exp(theta[1])
    mean = math.exp(mu + sigma**2 / 2)

    def integral(x: np.ndarray) -> np.ndarray:
        positive = np.maximum(x, _TINY)
        z = (np.log(positive) - mu) / sigma
        return np.where(x > 0, positive * special.ndtr(z) - mean * special.ndtr(z - sigma), 0.0)

    return integral


def _exponential(theta: np.ndarray) -> Integral | None:
    mean = math.exp(theta[0])

    def integral(x: np.ndarray) -> np.ndarray:
        positive = np.maximum(x, 0.0)
        return positive + mean * np.expm1(-positive / mean)

    return integral


def _uniform(theta: np.ndarray) -> Integral | None:
    low, width = float(theta[0]), math.exp(theta[1])
    if low < 0 or width < 1e-9:
        return None
    high = low + width

    def integral(x: np.ndarray) -> np.ndarray:
        inside = (np.clip(x, low, high) - low) ** 2 / (2 * width)
        return inside + np.maximum(x - high, 0.0)

    return integral


def _triangular(theta: np.ndarray) -> Integral | None:
    low, rise, fall = float(theta[0]), math.exp(theta[1]), math.exp(theta[2])
    if low < 0 or min(rise, fall) < 1e-9:
        return None
    mode, high = low + rise, low + rise + fall
    width = high - low

    def integral(x: np.ndarray) -> np.ndarray:
        left = (np.clip(x, low, mode) - low) ** 3 / (3 * width * rise)
        right_x = np.clip(x, mode, high)
        right = (right_x - mode) - (fall**3 - (high - right_x) ** 3) / (3 * width * fall)
        return left + right + np.maximum(x - high, 0.0)

    return integral


def _fixed_integral(value: float) -> Integral:
    return lambda x: np.maximum(x - value, 0.0)


_INTEGRALS: dict[str, Callable[[np.ndarray], Integral | None]] = {
    "lognormal": _lognormal,
    "exponential": _exponential,
    "uniform": _uniform,
    "triangular": _triangular,
}


def _day_cdf(integral: Integral, k: np.ndarray) -> np.ndarray:
    """G(k) = P(day count <= k) = ∫_k^{k+1} F(x) dx (0 for k < 0)."""
    return np.where(k < 0, 0.0, np.clip(integral(k + 1.0) - integral(np.maximum(k, 0.0)), 0.0, 1.0))


def _log_likelihood(integral: Integral | None, grouped: Grouped) -> float:
    """One pass of the integral over the day grid 0..top+1 gives every G(k), hence every probability."""
    if integral is None:
        return -math.inf
    values, counts, bounds, bound_counts, grid = grouped
    cumulative = np.empty(grid.size)  # G(k - 1) for k = 0..top+1: G(-1) = 0
    cumulative[0] = 0.0
    level = integral(grid)
    np.clip(level[1:] - level[:-1], 0.0, 1.0, out=cumulative[1:])
    mass = cumulative[values + 1] - cumulative[values]
    total = float(counts @ np.log(np.maximum(mass, _TINY)))
    if bounds.size:
        survive = 1.0 - cumulative[bounds]
        total += float(bound_counts @ np.log(np.maximum(survive, _TINY)))
    return total


def _start(family: str, sample: Sample) -> list[np.ndarray]:
    """Starting points from the moments of the day counts (censored ones as they stand)."""
    data = np.concatenate([sample.exact, sample.censored])
    mean = max(float(data.mean()), 0.05)
    sd = max(float(data.std()), 0.3)
    low, high = float(data.min()), float(data.max()) + 1
    if family == "exponential":
        return [np.array([math.log(mean)])]
    if family == "lognormal":
        sigma2 = math.log1p((sd / mean) ** 2)
        return [np.array([math.log(mean) - sigma2 / 2, 0.5 * math.log(sigma2)])]
    if family == "uniform":
        return [np.array([max(low - 0.5, 0.0), math.log(max(high - low, 0.5))])]
    mode = float(np.median(data))
    return [
        np.array([max(low - 0.5, 0.0), math.log(max(mode - low, 0.1)), math.log(max(high - mode, 0.1))]),
        np.array(
            [max(low - 0.5, 0.0), math.log(max(3 * mean - low - high, 0.1)), math.log(0.5 * (high - low))]
        ),
    ]


def _parameters(family: str, theta: np.ndarray) -> dict[str, Any]:
    if family == "exponential":
        return {"distribution": family, "mean": math.exp(theta[0])}
    if family == "lognormal":
        mu, sigma = theta[0], math.exp(theta[1])
        mean = math.exp(mu + sigma**2 / 2)
        return {"distribution": family, "mean": mean, "sd": mean * math.sqrt(math.expm1(sigma**2))}
    if family == "uniform":
        return {"distribution": family, "low": float(theta[0]), "high": float(theta[0]) + math.exp(theta[1])}
    low, rise, fall = float(theta[0]), math.exp(theta[1]), math.exp(theta[2])
    return {"distribution": family, "low": low, "mode": low + rise, "high": low + rise + fall}


def _observed_cdf(sample: Sample, support: np.ndarray) -> np.ndarray:
    """The observed distribution of day counts at each support point: the ECDF, or Kaplan-Meier with
    censoring (a record in progress at c days will take at least c: censored just below c)."""
    if not sample.censored.size:
        return np.searchsorted(np.sort(sample.exact), support, side="right") / sample.exact.size
    data = stats.CensoredData(uncensored=sample.exact, right=sample.censored - 0.5)
    return np.asarray(stats.ecdf(data).cdf.evaluate(support))


def _ks(integral: Integral, sample: Sample) -> float:
    top = float(max(sample.exact.max(initial=0), sample.censored.max(initial=0)))
    support = np.arange(0.0, top + 1)
    return float(np.max(np.abs(_day_cdf(integral, support) - _observed_cdf(sample, support))))


def _fixed(sample: Sample) -> Fit | None:
    """A fixed time v gives day counts floor(v) and floor(v) + 1 only: fitted when the data are such."""
    grouped = sample.grouped()
    values, counts, bounds, _, _ = grouped
    if not values.size or values.max() - values.min() > 1:
        return None
    k = float(values.min())
    upper = float(counts[values == k + 1].sum())
    value = k + upper / counts.sum()
    if bounds.size and bounds.max() > math.floor(value) + 1:
        return None  # a record in progress longer than the fixed time allows
    integral = _fixed_integral(value)
    log_likelihood = _log_likelihood(integral, grouped)
    ks = _ks(integral, sample)
    return Fit(
        "fixed",
        {"distribution": "fixed", "value": float(value)},
        log_likelihood,
        2 - 2 * log_likelihood,
        ks,
        ks <= ks_critical(sample.size),
    )


def fit_family(family: str, sample: Sample) -> Fit | None:
    """Maximum-likelihood fit of one family on the day-count model (None when it cannot describe the data)."""
    if family == "fixed":
        return _fixed(sample)
    make = _INTEGRALS[family]
    grouped = sample.grouped()

    def negative(theta: np.ndarray) -> float:
        value = -_log_likelihood(make(theta), grouped)
        return value if math.isfinite(value) else 1e300

    best = None
    for start in _start(family, sample):
        result = optimize.minimize(
            negative, start, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-4, "maxiter": 2000}
        )
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    if best.fun >= 1e300:
        return None
    integral = make(best.x)
    assert integral is not None
    ks = _ks(integral, sample)
    log_likelihood = -float(best.fun)
    return Fit(
        family,
        _parameters(family, best.x),
        log_likelihood,
        2 * len(best.x) - 2 * log_likelihood,
        ks,
        ks <= ks_critical(sample.size),
    )


def empirical(sample: Sample) -> Fit:
    """The observed day counts as an empirical distribution: EMPIRICAL_POINTS equally likely values, the
    quantiles of the ECDF (Kaplan-Meier with censoring; mass beyond the last observation sits on it). Whole days
    come back as whole days: the simulator then reproduces the observed counts exactly."""
    top = float(max(sample.exact.max(initial=0), sample.censored.max(initial=0)))
    support = np.arange(0.0, top + 1)
    cdf = np.maximum.accumulate(_observed_cdf(sample, support))
    levels = (np.arange(EMPIRICAL_POINTS) + 0.5) / EMPIRICAL_POINTS
    values = support[np.minimum(np.searchsorted(cdf, levels, side="left"), support.size - 1)]
    return Fit(
        "empirical",
        {"distribution": "empirical", "values": [float(v) for v in values]},
        math.nan,
        math.nan,
        0.0,
        True,
    )


def choose(sample: Sample, families: Sequence[str] = FAMILIES) -> tuple[Fit, list[Fit]]:
    """The chosen fit and every family's fit (lowest AIC first): the best-AIC family among those within the KS
    critical value, else ``empirical``."""
    fits = [f for f in (fit_family(family, sample) for family in families) if f is not None]
    fits.sort(key=lambda f: f.aic)
    accepted = [f for f in fits if f.fits]
    return (accepted[0] if accepted else empirical(sample)), fits
