"""How much memory a simulation may use, and the chunk of projects that fits in it.

The engines hold a few matrices of (items x projects) at once, so memory grows with their product: a chunk of
16,384 projects is a few MB for the 42-item Luoyang catalog but 4 GB for a 5,000-item one. The Monte Carlo
engine therefore simulates as many projects at once as fit in the budget (at least one); chunking changes no
number (see :mod:`simulations.sampling`). The event engine cannot be chunked (projects compete for the same
departments), so a run that would not fit is refused with the largest number of projects that would.

The budget is :data:`DEFAULT_MEMORY_MB` (256 MB) unless ``APPROVAL_SIM_MEMORY_MB`` says otherwise; it bounds
the engine's working matrices, on top of the ~150 MB that Python, numpy and pydantic take to start. The
robustness analysis (one set of draws per process for all its assumption sets) takes fewer projects per set
when a large catalog would not fit (:func:`robustness_projects`; its JSON says how many).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = [
    "BYTES_PER_CELL",
    "BYTES_PER_CELL_STOPPED",
    "DEFAULT_MEMORY_MB",
    "DES_BYTES_PER_CELL",
    "MEMORY_ENV",
    "ROBUSTNESS_BYTES_PER_CELL",
    "chunk_projects",
    "des_bytes",
    "des_limit_message",
    "memory_budget_bytes",
    "robustness_projects",
]

MEMORY_ENV = "APPROVAL_SIM_MEMORY_MB"
DEFAULT_MEMORY_MB = 256
MAX_CHUNK = 16_384  # small catalogs: a chunk whose item matrices stay in cache (= sampling.BLOCK)
# Peak bytes per (item, project) of one Monte Carlo chunk, measured with tracemalloc (both clocks, gains) on a
# 300-item catalog: without stopped-clock time 95 (parallel), 103 (serial, or serial + partial + parallel
# from the same draws), 125 (partial alone); when items have 补正 requests or excluded time (three more
# matrices) 224, 147, 232 and 254. With margin:
BYTES_PER_CELL = 144
BYTES_PER_CELL_STOPPED = 288
# The event engine keeps Python lists of every file's times (5 floats) and its own state: measured 254.
DES_BYTES_PER_CELL = 320


# The robustness analysis keeps one set of draws per process for all its assumption sets: measured 65 bytes per
# (item, project) for one process (serial vs parallel of itself), 41 per item of either process for two. At 96
# the whole `compare` of a 5,000-item catalog held ~290 MB above its start-up (~109 bytes per cell, 13 % over the
# 256 MB budget: the Sobol' sets' own arrays and the framings' results come on top); with margin:
ROBUSTNESS_BYTES_PER_CELL = 120


def robustness_projects(items: int, wanted: int, budget: int) -> int:
    """Projects per assumption set of the robustness analysis: ``wanted``, fewer when ``items`` (of every
    process it holds draws for) times that many would not fit in ``budget`` bytes."""
    return max(1, min(wanted, budget // (max(items, 1) * ROBUSTNESS_BYTES_PER_CELL)))


def memory_budget_bytes(environ: Mapping[str, str] | None = None) -> int:
    """The budget in bytes: $APPROVAL_SIM_MEMORY_MB megabytes, else 256 MB."""
    environ = os.environ if environ is None else environ
    text = environ.get(MEMORY_ENV)
    if text is None or not text.strip():
        return DEFAULT_MEMORY_MB * 2**20
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = float("nan")
    if not 16 <= megabytes <= 1_048_576:
        raise ValueError(
            f"{MEMORY_ENV}={text!r} is not a number of megabytes from 16 to 1,048,576; "
            f"e.g. {MEMORY_ENV}=512, or unset it for the default {DEFAULT_MEMORY_MB}"
        )
    return int(megabytes * 2**20)


def chunk_projects(n_items: int, budget: int, stopped: bool = True) -> int:
    """Projects simulated at once so that a chunk's matrices fit in ``budget`` bytes (1 .. 16,384);
    ``stopped``: some item has 补正 requests or excluded time (the larger estimate)."""
    cell = BYTES_PER_CELL_STOPPED if stopped else BYTES_PER_CELL
    return max(1, min(MAX_CHUNK, budget // (max(n_items, 1) * cell)))


def des_bytes(n_items: int, projects: int) -> int:
    """Estimated peak bytes of one event-engine replication."""
    return n_items * projects * DES_BYTES_PER_CELL


def des_limit_message(n_items: int, projects: int, budget: int) -> str | None:
    """Why an event-engine replication does not fit in the budget (None when it does)."""
    needed = des_bytes(n_items, projects)
    if needed <= budget:
        return None
    fits = max(1, budget // des_bytes(max(n_items, 1), 1))
    return (
        f"the event engine would need about {needed / 2**20:,.0f} MB for {n_items:,} items x {projects:,} "
        f"projects, more than the memory budget of {budget / 2**20:,.0f} MB; use --projects {fits:,} or fewer, "
        f"or raise the budget with {MEMORY_ENV}=<megabytes> if the machine has the memory"
    )
