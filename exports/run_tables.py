"""All the tables of a stored run, in sheet order, and what the run has no data for.

This is where an export starts: ``build_tables(run)`` for Excel, CSV and the HTML appendix, ``missing(run)`` for
the notes the CLI prints. Which module builds which table: ``exports.overview`` (概览, end-to-end time, the result per profile of a project mix),
``exports.clocks_and_targets`` (the two clocks, time targets, catalog targets), ``exports.detail_tables`` (事项,
部门, 敏感性).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from exports.clocks_and_targets import clocks_table, targets_table, time_targets_table
from exports.detail_tables import departments_table, items_table, sensitivity_table
from exports.overview import end_to_end_table, overview_table, profiles_table
from exports.tables import Table
from messages import Message


def build_tables(run: dict[str, Any]) -> list[Table]:
    """All tables the run has, in sheet order (概览 blocks first); tables that do not apply are left out."""
    candidates: Sequence[Table | None] = (
        overview_table(run),
        end_to_end_table(run),
        profiles_table(run),
        clocks_table(run),
        time_targets_table(run),
        targets_table(run),
        items_table(run),
        departments_table(run),
        sensitivity_table(run),
    )
    return [t for t in candidates if t is not None]


def missing(run: dict[str, Any]) -> list[str]:
    """What this run has no data for (said by the CLI, in the user's language: each note is a Message)."""
    notes: list[str] = []
    if run.get("status") != "completed":
        notes.append(
            Message(
                "run is {status}: overview only",
                status=_STATUS_WORDS().get(run.get("status") or "", run.get("status") or "?"),
            )
        )
    if not run.get("summaries"):
        notes.append(Message("no end-to-end results: no distribution plot"))
    if run.get("kind") == "nightly":
        notes.append(Message("nightly batch: results are in the child runs"))
    if not run.get("items") and run.get("summaries"):
        notes.append(Message("no item statistics"))
    if not (run.get("payload") or {}).get("catalog_metrics"):
        notes.append(Message("catalog targets: compare runs only"))
    if not (run.get("payload") or {}).get("typical_schedule"):
        notes.append(Message("Gantt chart: compare runs only"))
    if not run.get("departments"):
        notes.append(Message("no department statistics: no department chart"))
    if not run.get("sensitivity"):
        notes.append(Message("no sensitivity rows: no 敏感性 sheet, no tornado chart"))
    return notes


def _STATUS_WORDS() -> dict[str, Message]:  # noqa: N802 - a table, made when used
    """A run's status as the note says it (English: the JSON word; Chinese from the catalog)."""
    return {"running": Message("running"), "failed": Message("failed"), "completed": Message("completed")}
