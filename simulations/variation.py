"""Re-evaluating a comparison under other modelling assumptions, fast: one set of draws, many assumption sets.

Common random numbers make this cheap. Every random time is a monotone function of a uniform that does not
depend on the assumptions (:mod:`simulations.sampling`), so the uniforms are drawn once per side and each
assumption set only re-applies the functions: the default handling time ``limit x f(u; low, high, overdue share,
overdue size)``, the limit worked to (promised where the department keeps its promises: one uniform per department
and project), the 补正 time of items without data (``u_occurs < p``, ``mean x -log(1 - u_days)``), and the
schedules (serial: a column sum plus handovers; parallel: the longest path with the stage coordination).

At the nominal values (what the scenario states, else each assumption's nominal) an evaluation reproduces the
Monte Carlo engine's mean for the same projects and replication seed (a test).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simulations.compiled import CompiledProcess, Mode
from simulations.montecarlo import end_to_end, schedule
from simulations.sampling import (
    _HANDLING,
    _SUPPLEMENT_DAYS,
    _SUPPLEMENT_OCCURS,
    DEFAULT_TAIL_LOW,
    _uniforms,
    draw,
    keep_uniforms,
)

__all__ = ["Side", "prepare_side"]


@dataclass(frozen=True, eq=False)
class Side:
    """One process's draws for ``n`` projects, split into what the assumptions change and what they do not.

    ``fixed``: elapsed time (handling + stopped) of everything no assumption touches (items with their own
    ``handling_days``, stated 补正 and excluded time); rows ``default`` get the default handling time on top,
    rows ``no_supplement`` the 补正 time of items without data.
    """

    compiled: CompiledProcess
    modes: tuple[Mode, ...]
    fixed: np.ndarray
    default: np.ndarray  # item indices with the default handling time
    u: np.ndarray  # their handling uniforms (rows of ``default``)
    scale: np.ndarray  # their handling_scale
    statutory: np.ndarray  # their statutory limits, per row
    promised: np.ndarray  # their promised (else statutory) limits
    statutory_sum: np.ndarray  # the same with merged items' limits summed (merged_limit: sum)
    promised_sum: np.ndarray
    keep: np.ndarray | None  # per default row and project: the department's promise-keeping uniform
    keeping: float | None  # the share of departments keeping promises the scenario states (not varied)
    basis_keeping: float  # the nominal share: 1 on the promised basis, 0 on the statutory one
    no_supplement: np.ndarray  # item indices without supplement data
    occurs: np.ndarray  # their 补正 uniforms
    exponential: np.ndarray  # their -log(1 - u) for the applicant's time (mean 1)
    parallel: np.ndarray | None  # mode partial: the projects handled in parallel
    arrival: np.ndarray  # working day each project arrives (dates matter for calendar-day steps)
    handover: float | None  # stated serial_handover_days (None: not stated, varied)
    coordination: float | None  # stated stage_coordination_days

    @property
    def projects(self) -> int:
        return int(self.fixed.shape[1])

    @property
    def merged(self) -> bool:
        """Whether the merged-limit rule changes any limit of this side."""
        return bool(
            np.any(self.statutory_sum != self.statutory) or np.any(self.promised_sum != self.promised)
        )

    def means(self, values: Mapping[str, float]) -> dict[Mode, float]:
        """Mean end-to-end days of each of this side's modes under the assumption values ``values`` (every
        assumption by name; merged_limit as a uniform: below 0.5 the longest, else the sum)."""
        elapsed = self._elapsed(values)
        handover = self.handover if self.handover is not None else values["serial_handover_days"]
        coordination = (
            self.coordination if self.coordination is not None else values["stage_coordination_days"]
        )
        ends: dict[str, np.ndarray] = {}
        if self.compiled.calendar_rows:  # calendar-day steps end by date: the engine's own schedule
            compiled = dataclasses.replace(
                self.compiled, handover_days=handover, coordination_days=coordination
            )
            for mode in ("serial", "parallel"):
                if mode in self.modes or "partial" in self.modes:
                    plan = schedule(compiled, elapsed, mode, arrival=self.arrival)
                    ends[mode] = end_to_end(compiled, plan, mode)[0]
        else:
            if "serial" in self.modes or "partial" in self.modes:
                ends["serial"] = elapsed.sum(axis=0) + handover * max(self.compiled.n_items - 1, 0)
            if "parallel" in self.modes or "partial" in self.modes:
                ends["parallel"] = _parallel_end(self.compiled, elapsed, coordination)
        if "partial" in self.modes:
            ends["partial"] = np.where(self.parallel, ends["parallel"], ends["serial"])  # type: ignore[arg-type]
        return {mode: float(ends[mode].mean()) for mode in self.modes}

    def _elapsed(self, values: Mapping[str, float]) -> np.ndarray:
        """Item elapsed times (handling + stopped) under ``values``: in-place arithmetic on buffers kept per
        side, because a robustness analysis evaluates thousands of assumption sets."""
        m = self.compiled.n_items
        whole = len(self.default) == m
        if whole:
            elapsed = self._default_handling(values, self._buffer("elapsed"))
            elapsed += self.fixed
        else:
            elapsed = self._buffer("elapsed")
            np.copyto(elapsed, self.fixed)
            if len(self.default):
                elapsed[self.default] += self._default_handling(values, self._buffer("default"))
        p, mean = values["supplement_probability"], values["applicant_days"]
        if len(self.no_supplement) and p > 0:
            extra = self._buffer("supplement")
            np.less(self.occurs, p, out=self._buffer("occurs", bool))
            np.multiply(self.exponential, self._buffer("occurs", bool), out=extra)
            extra *= mean
            if len(self.no_supplement) == m:
                elapsed += extra
            else:
                elapsed[self.no_supplement] += extra
        return elapsed

    def _buffer(self, name: str, dtype: type = float) -> np.ndarray:
        rows = {
            "elapsed": self.compiled.n_items,
            "supplement": len(self.no_supplement),
            "occurs": len(self.no_supplement),
        }
        shape = (rows.get(name, len(self.default)), self.projects)
        buffers = self.__dict__.setdefault("_buffers", {})
        if name not in buffers:
            buffers[name] = np.empty(shape, dtype=dtype)
        return buffers[name]

    def _default_handling(self, values: Mapping[str, float], out: np.ndarray) -> np.ndarray:
        """``limit x f(u)`` for the rows with the default handling time, written into ``out``."""
        low, high = values["handling_low"], values["handling_high"]
        share, size = values["overdue_share"], values["overdue_size"]
        summed = values["merged_limit"] >= 0.5
        statutory = self.statutory_sum if summed else self.statutory
        promised = self.promised_sum if summed else self.promised
        keeping = self.keeping if self.keeping is not None else values["promise_keeping"]
        on_time = 1.0 - share
        np.multiply(self.u, (high - low) / on_time, out=out)
        out += low
        if share > 0:
            tail = self.u >= on_time
            slope = (size - DEFAULT_TAIL_LOW) / share
            out[tail] = DEFAULT_TAIL_LOW + slope * (self.u[tail] - on_time)
        if keeping >= 1.0 or self.keep is None or keeping <= 0.0:
            chosen = promised if keeping >= 1.0 else statutory
            out *= (chosen * self.scale)[:, None]
        else:
            limit = np.where(
                self.keep < keeping, (promised * self.scale)[:, None], (statutory * self.scale)[:, None]
            )
            out *= limit
        return out


def _parallel_end(compiled: CompiledProcess, elapsed: np.ndarray, coordination: float) -> np.ndarray:
    """Per project, the longest prerequisite path (with stage coordination) of the item elapsed times."""
    m = compiled.n_items
    if m == 0:
        return np.zeros(elapsed.shape[1])
    finish = np.empty_like(elapsed)
    for j in range(m):
        pre, change = compiled.prerequisites[j], compiled.stage_change[j]
        if not pre:
            np.add(elapsed[j], coordination, out=finish[j])
            continue
        start = finish[pre[0]] + coordination if change[0] else finish[pre[0]].copy()
        for p, c in zip(pre[1:], change[1:], strict=True):
            np.maximum(start, finish[p] + coordination if c else finish[p], out=start)
        np.add(start, elapsed[j], out=finish[j])
    return finish.max(axis=0)


def prepare_side(
    compiled: CompiledProcess,
    modes: tuple[Mode, ...],
    replication: np.random.SeedSequence,
    projects: int,
    *,
    summed: CompiledProcess | None = None,
    keeping: float | None = None,
    handover: float | None = None,
    coordination: float | None = None,
) -> Side:
    """Draw a side once: ``summed`` is the same process with merged items' limits summed (None: no merges
    whose rule is unstated); ``keeping``, ``handover`` and ``coordination`` are what the scenario states
    (None: not stated, so the analysis varies them)."""
    draws = draw(compiled, replication, 0, projects)
    notices = {i for i, kind in enumerate(compiled.kinds) if kind == "notice"}  # run in full: no assumption
    default = np.array(
        [i for i, spec in enumerate(compiled.handling) if spec is None and i not in notices], dtype=np.intp
    )
    no_supplement = np.array([i for i, s in enumerate(compiled.supplement) if s is None], dtype=np.intp)
    fixed = draws.handling.copy()
    fixed[default] = 0.0
    if draws.stopped is not None:
        fixed += draws.stopped
    u = np.array(
        [_uniforms(replication, 0, projects, compiled.stream_keys[i], _HANDLING) for i in default]
    ).reshape(len(default), projects)
    keep = None
    if len(default) and len(compiled.department_keys):
        keep = keep_uniforms(compiled, replication, 0, projects)[compiled.item_department[default]]
    sums = {item_id: k for k, item_id in enumerate(summed.item_ids)} if summed is not None else {}

    def limits(values: np.ndarray, other: np.ndarray | None) -> np.ndarray:
        out = values[default].copy()
        if other is not None:
            for row, i in enumerate(default):
                k = sums.get(compiled.item_ids[i])
                if k is not None:
                    out[row] = other[k]
        return out

    occurs = np.array(
        [
            _uniforms(replication, 0, projects, compiled.stream_keys[i], _SUPPLEMENT_OCCURS)
            for i in no_supplement
        ]
    ).reshape(len(no_supplement), projects)
    days = np.array(
        [
            _uniforms(replication, 0, projects, compiled.stream_keys[i], _SUPPLEMENT_DAYS)
            for i in no_supplement
        ]
    ).reshape(len(no_supplement), projects)
    return Side(
        compiled=compiled,
        modes=modes,
        fixed=fixed,
        default=default,
        u=u,
        scale=np.array([compiled.items[i].handling_scale for i in default], dtype=float),
        statutory=compiled.statutory_limits[default],
        promised=compiled.promised_limits[default],
        statutory_sum=limits(compiled.statutory_limits, None if summed is None else summed.statutory_limits),
        promised_sum=limits(compiled.promised_limits, None if summed is None else summed.promised_limits),
        keep=keep,
        keeping=keeping,
        basis_keeping=1.0 if compiled.limit_basis == "promised" else 0.0,
        no_supplement=no_supplement,
        occurs=occurs,
        exponential=-np.log1p(-days),
        parallel=draws.parallel,
        arrival=draws.arrival,
        handover=handover,
        coordination=coordination,
    )
