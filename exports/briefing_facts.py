"""The common ground of the briefing (汇报版) sections: how figures are written (percentages, targets, days,
Beijing time) and what produced a run's figures (its framing, limit basis, project profile or mix, scenario),
read from the stored run dict; plus the section frame every part of the briefing uses."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from exports.briefing_text import FRAMING_SHORT, TEXT
from exports.tables import format_value
from exports.vocabulary import profile_text, run_basis, shanghai_time


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def pct(value: float | None) -> str:
    return format_value(value, "percent")


def target_pct(value: float | None) -> str:
    """A target as promised: 20%, not 20.0%."""
    if value is not None and abs(value * 100 - round(value * 100)) < 1e-9:
        return f"{value:.0%}"
    return pct(value)


def days(value: float | None) -> str:
    return format_value(value, "days")


def now_in_shanghai() -> str:
    return shanghai_time(datetime.now(UTC))


# ---------------------------------------------------------------------------------------- what produced it


def payload(run: dict[str, Any]) -> dict[str, Any]:
    return run.get("payload") or {}


def framing_of(run: dict[str, Any]) -> str | None:
    return run.get("framing") or payload(run).get("headline")


def basis_of(run: dict[str, Any]) -> str | None:
    """The limit basis the run simulated (recorded on the run, else in its payload's sides)."""
    return run_basis(run)


def profile_name(run: dict[str, Any]) -> str:
    """The profile the run is about (a project mix with its shares), or the scenario's own when none is recorded."""
    return profile_text(run, missing=TEXT["profile_catalog"])


def framing_name(name: str | None) -> str:
    return FRAMING_SHORT.get(name or "", name or "—")


def department_names(run: dict[str, Any]) -> dict[str, str]:
    return {d["department"]: d["department_name"] for d in run.get("departments", [])}


def scenario_title(run: dict[str, Any]) -> str:
    """'luoyang-2017-before → luoyang-2017-after' from the stored sides, else the run's label."""
    data = payload(run)
    base, reform = data.get("baseline"), data.get("reform")
    if isinstance(base, dict) and isinstance(reform, dict) and base.get("process") and reform.get("process"):
        if base["process"] == reform["process"]:
            return TEXT["serial_parallel_of"].format(scenario=base["process"])
        return TEXT["sides"].format(before=base["process"], after=reform["process"])
    return str(run.get("scenario", ""))


# ---------------------------------------------------------------------------------------------- sections


def section(key: str, body: str) -> str:
    return (
        f'<section class="brief" id="brief-{key}"><h2>{_e(TEXT[key])}<span class="en">{_e(TEXT[key + "_en"])}</span>'
        f"</h2>{body}</section>"
    )


def _headline_framing(run: dict[str, Any]) -> dict[str, Any] | None:
    name = framing_of(run)
    return next((f for f in payload(run).get("framings", []) if f.get("name") == name), None)
