"""Random draws: one independent stream per (replication, block of projects, item id, purpose).

Why streams are keyed this way:

* **Common random numbers.** An item's stream is derived from a hash of its *id*, never from its position, so a
  reformed process that drops, adds or reorders items still gives every remaining item the very same uniforms
  for the same project. Every distribution is sampled by inverse transform from those uniforms, so a reform
  that shortens a limit from 20 to 10 days shortens each project's draw proportionally instead of re-rolling it:
  the difference between two scenarios is measured with little noise.
* **Independent replications.** Replication ``r`` uses ``SeedSequence(seed).spawn(R)[r]``; everything below it
  is a child ``spawn_key`` of that sequence.
* **Chunks are mergeable and chunk-size independent.** Projects are grouped in fixed blocks of
  :data:`BLOCK` projects, each with its own streams, so simulating projects 0..1,000,000 in one call or in
  chunks of any size draws identical numbers (PCG64 fills arrays sequentially, so a prefix of a block's draws
  is the same whatever its length; a chunk starting inside a block jumps ahead with ``advance``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from approval_model.models import HandlingDistribution
from simulations.compiled import CompiledProcess

__all__ = [
    "BLOCK",
    "DEFAULT_OVERDUE_SHARE",
    "Draws",
    "default_handling",
    "draw",
    "keep_uniforms",
    "mix_uniforms",
    "replication_seeds",
    "transform",
    "worked_limits",
]

BLOCK = 16_384  # small enough that a chunk's item matrices stay in cache

# purposes (the last word of the spawn key)
_HANDLING, _SUPPLEMENT_OCCURS, _SUPPLEMENT_DAYS, _SUPPLEMENT_SPLIT, _EXCLUDED, _KEEPS_PROMISE = range(6)
_ARRIVALS = (0, 100)
_PARTIAL = (0, 101)  # one uniform per project: handled in parallel (mode "partial") when below the share
_MIX = (0, 102)  # one uniform per project: its profile in a project mix (simulations.mix)

DEFAULT_OVERDUE_SHARE = 0.05  # share of handlings that exceed the limit in the default distribution
DEFAULT_LOW, DEFAULT_HIGH = 0.4, 1.0  # on-time handling: limit x U(0.4, 1.0)
DEFAULT_TAIL_LOW, DEFAULT_TAIL_HIGH = 1.1, 1.5  # overdue tail: limit x U(1.1, 1.5)


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """Independent seed sequences, one per replication (``SeedSequence(seed).spawn(replications)``)."""
    return np.random.SeedSequence(seed).spawn(replications)


def _generator(replication: np.random.SeedSequence, *key: int, skip: int = 0) -> np.random.Generator:
    """The stream ``key``, ``skip`` doubles on (PCG64 spends one 64-bit output per double: advancing it by
    ``skip`` gives exactly the values that drawing and dropping ``skip`` doubles would)."""
    child = np.random.SeedSequence(replication.entropy, spawn_key=(*replication.spawn_key, *key))
    bits = np.random.PCG64(child)
    if skip:
        bits.advance(skip)
    return np.random.Generator(bits)


def _uniforms(
    replication: np.random.SeedSequence, start: int, stop: int, *key: int, out: np.ndarray | None = None
) -> np.ndarray:
    """Uniforms in [0, 1) for projects start..stop-1 of the stream ``key`` (block by block), into ``out``."""
    out = np.empty(stop - start) if out is None else out
    position = start
    while position < stop:
        block, offset = divmod(position, BLOCK)
        end = min(stop, (block + 1) * BLOCK)
        _generator(replication, block, *key, skip=offset).random(out=out[position - start : end - start])
        position = end
    return out


def mix_uniforms(replication: np.random.SeedSequence, start: int, stop: int) -> np.ndarray:
    """The uniforms that draw projects' profiles from a mix: a stream of their own, so the profile of a project is
    the same on both sides of a comparison, in every framing and whatever else the scenario draws."""
    return _uniforms(replication, start, stop, *_MIX)


def _norm_ppf(u: np.ndarray) -> np.ndarray:
    """Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9)."""
    a = (
        -3.969683028665376e01,
        2.209460984245205e02,
        -2.759285104469687e02,
        1.383577518672690e02,
        -3.066479806614716e01,
        2.506628277459239e00,
    )
    b = (
        -5.447609879822406e01,
        1.615858368580409e02,
        -1.556989798598866e02,
        6.680131188771972e01,
        -1.328068155288572e01,
    )
    c = (
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e00,
        -2.549732539343734e00,
        4.374664141464968e00,
        2.938163982698783e00,
    )
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    u = np.clip(u, 1e-300, 1 - 1e-16)
    z = np.empty_like(u)
    low, high = u < 0.02425, u > 1 - 0.02425
    mid = ~(low | high)
    q = u[mid] - 0.5
    r = q * q
    z[mid] = (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    )
    for mask, sign, tail in ((low, 1.0, u[low]), (high, -1.0, 1 - u[high])):
        q = np.sqrt(-2 * np.log(tail))
        z[mask] = (
            sign
            * (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        )
    return z


def default_handling(u: np.ndarray, limit: float | np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The default handling time for an item without ``handling_days``, from one uniform per project.

    ``limit x U(0.4, 1.0)`` for 95 % of the files and ``limit x U(1.1, 1.5)`` (overdue by 10-50 %) for the
    other 5 %, as one monotone function of ``u`` (so common random numbers stay coupled). Mean 0.73 x limit.
    ``out`` (may be ``u`` itself) receives the result. The body is computed in place and the tail only where
    it applies (a draw of a chunk of projects calls this once per item).
    """
    overdue = np.flatnonzero(u >= 1 - DEFAULT_OVERDUE_SHARE)
    late = u[overdue]
    days = np.multiply(u, DEFAULT_HIGH - DEFAULT_LOW, out=out)
    days /= 1 - DEFAULT_OVERDUE_SHARE
    days += DEFAULT_LOW
    days[overdue] = (
        DEFAULT_TAIL_LOW
        + (DEFAULT_TAIL_HIGH - DEFAULT_TAIL_LOW)
        * (late - (1 - DEFAULT_OVERDUE_SHARE))
        / DEFAULT_OVERDUE_SHARE
    )
    days *= limit
    return days


def _given(spec: HandlingDistribution, name: str) -> float:
    """A parameter the distribution needs (HandlingDistribution refuses a spec that lacks one)."""
    value = getattr(spec, name)
    if value is None:
        raise ValueError(f"distribution '{spec.distribution}' needs '{name}'")
    return float(value)


def keep_uniforms(
    compiled: CompiledProcess, replication: np.random.SeedSequence, start: int, stop: int
) -> np.ndarray:
    """One uniform per (department, project): the department works to its promised limits for that project's
    files when it is below ``promise_keeping`` (a stream per department id, so items and sides stay coupled)."""
    return np.array(
        [_uniforms(replication, start, stop, key, _KEEPS_PROMISE) for key in compiled.department_keys]
    ).reshape(len(compiled.department_keys), stop - start)


def worked_limits(compiled: CompiledProcess, keep: np.ndarray | None, share: float | None) -> np.ndarray:
    """The limit each (item, project) is worked to: the basis limit (``share`` None), or the promised limit
    where the item's department keeps its promises for that project (``keep`` < ``share``), else statutory."""
    if share is None or keep is None:
        return compiled.limits[:, None]
    kept = keep[compiled.item_department] < share
    return np.where(kept, compiled.promised_limits[:, None], compiled.statutory_limits[:, None])


def transform(spec: HandlingDistribution | float, u: np.ndarray) -> np.ndarray:
    """Working days from uniforms by the inverse CDF of ``spec`` (a number is a fixed time)."""
    if not isinstance(spec, HandlingDistribution):
        return np.full(u.shape, float(spec))
    kind = spec.distribution
    if kind == "fixed":
        return np.full(u.shape, _given(spec, "value"))
    if kind == "uniform":
        low = _given(spec, "low")
        return low + (_given(spec, "high") - low) * u
    if kind == "triangular":
        low, mode, high = _given(spec, "low"), _given(spec, "mode"), _given(spec, "high")
        width = high - low
        if width == 0:
            return np.full(u.shape, low)
        split = (mode - low) / width
        left = low + np.sqrt(u * width * (mode - low))
        right = high - np.sqrt((1 - u) * width * (high - mode))
        return np.where(u < split, left, right)
    if kind == "exponential":
        return -_given(spec, "mean") * np.log1p(-u)
    if kind == "lognormal":
        # mean and sd are those of the time itself
        mean = _given(spec, "mean")
        sigma2 = np.log1p((_given(spec, "sd") / mean) ** 2)
        mu = np.log(mean) - sigma2 / 2
        return np.exp(mu + np.sqrt(sigma2) * _norm_ppf(u))
    if kind == "empirical":
        values = np.sort(np.asarray(spec.values, dtype=float))
        return values[np.minimum((u * len(values)).astype(np.intp), len(values) - 1)]
    raise ValueError(f"unknown distribution {kind!r}")


@dataclass(frozen=True)
class Draws:
    """Sampled times for projects ``start..stop-1`` of one replication (rows = items, columns = projects).

    ``handling``: counted handling time at the department, in the item's unit (calendar days for the rows
    listed in ``CompiledProcess.calendar_rows``, else working days); ``applicant``: 补正 time (0 when no request);
    ``split``: share of the handling done before the 补正 request; ``excluded``: expert review / intermediary
    time; the last two are not counted against the limit. ``arrival``: working day the project arrives.
    ``parallel``: per project, whether it is handled in parallel in mode ``partial`` (None without a
    ``simulation.parallel_share``); one uniform per project on its own stream, so the other draws, and both
    sides of a comparison, stay coupled.
    """

    start: int
    handling: np.ndarray
    applicant: np.ndarray | None  # None: no item has a 补正 request (saves memory and time)
    supplemented: np.ndarray | None
    split: np.ndarray | None
    excluded: np.ndarray | None  # None: no item has excluded time
    arrival: np.ndarray
    parallel: np.ndarray | None = None

    def after(self, skipped: int) -> Draws:
        """The same draws without the first ``skipped`` projects (a queueing run's warm-up)."""
        if not skipped:
            return self

        def cut(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else values[..., skipped:]

        return Draws(
            self.start + skipped, self.handling[:, skipped:], cut(self.applicant), cut(self.supplemented),
            cut(self.split), cut(self.excluded), self.arrival[skipped:], cut(self.parallel),
        )  # fmt: skip

    @property
    def stopped(self) -> np.ndarray | None:
        """Stopped-clock days (补正 + excluded) per item and project; None when there are none."""
        if self.applicant is None:
            return self.excluded
        return self.applicant if self.excluded is None else self.applicant + self.excluded


def _arrivals(replication: np.random.SeedSequence, rate: float | None, start: int, stop: int) -> np.ndarray:
    """Poisson arrival days of projects start..stop-1 (all 0 without a rate); project 0 arrives at day 0."""
    if rate is None:
        return np.zeros(stop - start)
    gaps = -np.log1p(-_uniforms(replication, 0, stop, *_ARRIVALS)) / rate
    gaps[0] = 0.0
    return np.cumsum(gaps)[start:stop]


def draw(compiled: CompiledProcess, replication: np.random.SeedSequence, start: int, stop: int) -> Draws:
    """All random times of projects ``start..stop-1`` in one replication."""
    m, n = compiled.n_items, stop - start
    handling = np.empty((m, n))
    any_supplement = any(s is not None and s.probability > 0 for s in compiled.supplement)
    applicant = np.zeros((m, n)) if any_supplement else None
    supplemented = np.zeros((m, n), dtype=bool) if any_supplement else None
    split = np.ones((m, n)) if any_supplement else None
    excluded = np.zeros((m, n)) if any(x is not None for x in compiled.excluded) else None
    keeping = compiled.promise_keeping
    keep = keep_uniforms(compiled, replication, start, stop) if keeping is not None else None
    limits = worked_limits(compiled, keep, keeping)
    for i in range(m):
        key = compiled.stream_keys[i]
        spec = compiled.handling[i]
        if spec is not None:
            handling[i] = transform(spec, _uniforms(replication, start, stop, key, _HANDLING))
        elif compiled.kinds and compiled.kinds[i] == "notice":
            handling[i] = compiled.limits[i]  # a statutory minimum period runs in full, never less
        else:  # the uniforms drawn into the row, transformed there
            u = _uniforms(replication, start, stop, key, _HANDLING, out=handling[i])
            default_handling(u, limits[i], out=u)
        scale = compiled.items[i].handling_scale
        if scale != 1.0:
            handling[i] *= scale
        supplement = compiled.supplement[i]
        if supplement is not None and supplement.probability > 0:
            assert applicant is not None and supplemented is not None and split is not None  # any_supplement
            occurs = _uniforms(replication, start, stop, key, _SUPPLEMENT_OCCURS) < supplement.probability
            days_u = _uniforms(replication, start, stop, key, _SUPPLEMENT_DAYS)
            supplemented[i] = occurs
            applicant[i] = np.where(occurs, transform(supplement.applicant_days, days_u), 0.0)
            split[i] = np.where(occurs, _uniforms(replication, start, stop, key, _SUPPLEMENT_SPLIT), 1.0)
        spec_x = compiled.excluded[i]
        if spec_x is not None:
            assert excluded is not None  # allocated when any item has excluded days
            if isinstance(spec_x, HandlingDistribution):
                excluded[i] = transform(spec_x, _uniforms(replication, start, stop, key, _EXCLUDED))
            else:
                excluded[i] = float(spec_x)
    arrival = _arrivals(replication, compiled.arrival_rate, start, stop)
    parallel = None
    if compiled.parallel_share is not None:
        parallel = _uniforms(replication, start, stop, *_PARTIAL) < compiled.parallel_share
    return Draws(start, handling, applicant, supplemented, split, excluded, arrival, parallel)
