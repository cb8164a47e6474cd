"""Markdown summaries of stored runs, for Prefect artifacts (no Prefect import here)."""

from __future__ import annotations

from typing import Any

_MARKDOWN_SPECIAL = str.maketrans(
    {c: "\\" + c for c in "\\`*_{}[]()#+!|~>"} | {"<": "&lt;", "&": "&amp;", "\n": " ", "\r": " "}
)


def md(value: object) -> str:
    """Text a user wrote, for a Markdown table cell or heading: shown literally. Markup characters are
    backslash-escaped ('|' no longer splits the cell), '<' and '&' become entities (no raw HTML reaches the
    Prefect UI), line breaks become spaces and control characters are dropped."""
    text = "".join(ch for ch in str(value) if ch >= " " or ch in "\n\r")
    return text.translate(_MARKDOWN_SPECIAL)


def md_code_block(text: str) -> str:
    """A fenced block showing ``text`` as written: the fence is longer than any run of backticks inside."""
    longest = max((len(run) for run in text.split("\n") for run in _backtick_runs(run)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def _backtick_runs(line: str) -> list[str]:
    import re

    return re.findall(r"`+", line)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


BASIS_NAMES = {"statutory": "statutory 法定", "promised": "promised 承诺"}


def basis_line(runs: list[dict[str, Any]]) -> str:
    """What produced the figures, in one line: limit basis, framing, profile (distinct values of the runs)."""

    def values(key: str, names: dict[str, str] | None = None) -> str:
        found = list(dict.fromkeys(str(r.get(key)) for r in runs if r.get(key) is not None))
        return ", ".join((names or {}).get(v, v) for v in found) or "not recorded"

    return (
        f"limit basis {values('limit_basis', BASIS_NAMES)}; framing {values('framing')}; "
        f"profile {values('profile')}"
    )


def markdown_summary(
    rows: list[tuple[str, int, dict[str, Any]]], *, title: str, bad: list, top: int = 5
) -> str:
    """Verdicts first (one line per run), then the top bottleneck items of each run's reform side."""
    lines = [
        f"# {md(title)}",
        "",
        md(basis_line([run for _, _, run in rows])),
        "",
        "| run | scenario | limit basis | framing | profile | verdict | reduction (mean) | 95% CI | target | "
        "over the assumptions |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, run_id, run in rows:
        ci = f"{_pct(run.get('reduction_ci_low'))} .. {_pct(run.get('reduction_ci_high'))}"
        basis = BASIS_NAMES.get(run.get("limit_basis") or "", run.get("limit_basis") or "-")
        lines.append(
            f"| {run_id} | {md(label)} | {md(basis)} | {md(run.get('framing') or '-')} | {md(run.get('profile') or '-')} | "
            f"**{md(run.get('verdict') or '-')}** | {_pct(run.get('reduction_mean'))} | {ci} | {_pct(run.get('target'))} | "
            f"{md(run.get('robustness_verdict') or '-')} |"
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
            f"## Top bottlenecks - run {run_id} ({md(label)})",
            "",
            "| item | 事项 | department | criticality | wait (wd) | handling (wd) | overdue |",
            "|---|---|---|---|---|---|---|",
        ]
        for i in items:
            lines.append(
                f"| {md(i['item_id'])} | {md(i['item_name'])} | {md(i['department'])} | {i['criticality']:.2f} | {i['mean_wait_days']:.1f} | "
                f"{i['mean_handling_days']:.1f} | {_pct(i['overdue_rate'])} |"
            )
    if bad:
        lines += ["", "## Invalid scenario files (skipped)", ""]
        lines += [f"- {md(b.file)}:\n\n{md_code_block(b.message)}" for b in bad]
    return "\n".join(lines) + "\n"
