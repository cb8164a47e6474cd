"""Markdown summaries of stored runs, for Prefect artifacts (no Prefect import here)."""

from __future__ import annotations

from typing import Any


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def markdown_summary(
    rows: list[tuple[str, int, dict[str, Any]]], *, title: str, bad: list, top: int = 5
) -> str:
    """Verdicts first (one line per run), then the top bottleneck items of each run's reform side."""
    lines = [
        f"# {title}",
        "",
        "| run | scenario | verdict | reduction (mean) | 95% CI | target |",
        "|---|---|---|---|---|---|",
    ]
    for label, run_id, run in rows:
        ci = f"{_pct(run.get('reduction_ci_low'))} .. {_pct(run.get('reduction_ci_high'))}"
        lines.append(
            f"| {run_id} | {label} | **{run.get('verdict') or '-'}** | {_pct(run.get('reduction_mean'))} | {ci} | {_pct(run.get('target'))} |"
        )
    for label, run_id, run in rows:
        items = sorted(
            (i for i in run.get("items", []) if i["role"] in ("reform", "single")),
            key=lambda i: -i["criticality"],
        )[:top]
        if not items:
            continue
        lines += [
            "",
            f"## Top bottlenecks - run {run_id} ({label})",
            "",
            "| item | 事项 | department | criticality | wait (wd) | handling (wd) | overdue |",
            "|---|---|---|---|---|---|---|",
        ]
        for i in items:
            lines.append(
                f"| {i['item_id']} | {i['item_name']} | {i['department']} | {i['criticality']:.2f} | {i['mean_wait_days']:.1f} | "
                f"{i['mean_handling_days']:.1f} | {_pct(i['overdue_rate'])} |"
            )
    if bad:
        lines += ["", "## Invalid scenario files (skipped)", ""]
        lines += [f"- `{b.file}`:\n\n```\n{b.message}\n```" for b in bad]
    return "\n".join(lines) + "\n"
