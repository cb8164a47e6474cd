"""Printing simulate's and compare's results for the terminal, in the user's language, fitting its width."""

from __future__ import annotations

from typing import Any

from approval_sim import words
from approval_sim.clock_views import clock_lines, target_lines
from messages import N_, _, localize

__all__ = ["print_comparison", "print_profiles", "print_robustness", "print_run"]


_SCALED = N_("handling scaled to {basis} limits")
_SCALE_WITH = N_("handling times scale with {basis} limits")


def _handling(summary: dict, scaled: str) -> str:
    """What produced the handling times: the limits (``scaled``), or the items' own ``handling_days`` for
    ``handling_own_items`` of them (declared, or calibrated by ``calibrate``)."""
    own, items = summary.get("handling_own_items") or 0, len(summary.get("items") or {})
    basis = words.basis(summary.get("limit_basis") or "statutory")
    if not own:
        return _(scaled).format(basis=basis)
    if own == items:
        return _("handling from the items' own distributions (calibrated or declared)")
    return _(
        "handling from own distributions for {own} of {items} items, the rest scaled to {basis} limits"
    ).format(own=own, items=items, basis=basis)


def _sides_handling(base: dict, reform: dict) -> str:
    """The same for both sides of a comparison: one clause when they agree, else one per side."""
    before, after = _handling(base, _SCALE_WITH), _handling(reform, _SCALE_WITH)
    if before == after:
        return before
    return _("baseline: {baseline}; reform: {reform}").format(baseline=before, reform=after)


def print_run(
    summary: dict, title: str | None = None, top: int = 10, departments: dict[str, str] | None = None
) -> None:
    from approval_sim.output import console as safe_console
    from approval_sim.tables import Column, fitted_table

    console = safe_console()
    cal = summary["calendar"]
    ci = summary["mean_days_ci95"]
    ci_text = _(" (95% CI {low:.1f}-{high:.1f})").format(low=ci[0], high=ci[1]) if ci[0] is not None else ""
    console.print(
        _(
            "[bold]{title}[/bold] - {mode}, {engine}, {projects:,} projects x {replications} replications, "
            "seed {seed}; {handling}"
        ).format(
            title=title or summary["process"],
            mode=words.mode(summary["mode"]),
            engine=summary["engine"],
            projects=summary["projects"],
            replications=summary["replications"],
            seed=summary["seed"],
            handling=_handling(summary, _SCALED),
        )
    )
    console.print(
        _(
            "end-to-end working days: mean {mean:.1f}{ci}, median {p50:.1f}, p90 {p90:.1f}; counted (clock "
            "running) mean {counted:.1f}"
        ).format(
            mean=summary["mean_days"],
            ci=ci_text,
            p50=summary["p50_days"],
            p90=summary["p90_days"],
            counted=summary["counted_mean_days"],
        )
    )
    console.print(
        _(
            "calendar days from {start}: mean {mean:.1f}, median {p50:.0f}, p90 {p90:.0f}{estimated}; projects "
            "with no overdue item: {on_time:.1%}"
        ).format(
            start=cal["start_date"],
            mean=cal["mean_days"],
            p50=cal["p50_days"],
            p90=cal["p90_days"],
            estimated=_(" (estimated calendar)") if cal["estimated"] else "",
            on_time=summary["on_time_rate"],
        )
    )
    for line in clock_lines(summary):
        console.print(line, highlight=False)
    for line in target_lines(summary.get("target_checks", [])):
        console.print(line, highlight=False)
    rows = sorted(summary["items"].items(), key=lambda kv: -(kv[1]["criticality"] or 0))[:top]
    columns = [
        Column(_("item"), "key"),
        Column(_("name"), "name"),
        Column(_("department"), "name", priority=3),
        Column(_("critical")),
        Column(_("wait"), priority=4),
        Column(_("handling"), priority=2),
        Column(_("stopped"), priority=5),
        Column(_("overdue"), priority=1),
    ]
    cells = [
        [
            item_id,
            v["name"],
            (departments or {}).get(v["department"], v["department"]),
            f"{v['criticality']:.0%}",
            f"{v['mean_wait_days']:.1f}",
            f"{v['mean_handling_days']:.1f}",
            f"{v['mean_stopped_days']:.1f}",
            f"{v['overdue_rate']:.1%}",
        ]
        for item_id, v in rows
    ]
    title_text = _("items by criticality (top {top})").format(top=top)
    console.print(fitted_table(console, columns, cells, title=title_text))
    limited = {d: v for d, v in summary["departments"].items() if v["capacity"] is not None}
    if limited:
        columns = [
            Column(_("department"), "key"),
            Column(_("capacity")),
            Column(_("utilisation")),
            Column(_("wait/file"), priority=1),
            Column(_("queue (mean)"), priority=2),
        ]
        cells = [
            [
                d,
                str(v["capacity"]),
                f"{v['utilisation']:.0%}",
                f"{v['mean_wait_days']:.2f}",
                f"{v['mean_queue_length']:.2f}",
            ]
            for d, v in sorted(limited.items(), key=lambda kv: -(kv[1]["utilisation"] or 0))
        ]
        console.print(fitted_table(console, columns, cells, title=_("departments with a capacity")))


def print_robustness(robust: dict) -> None:
    from approval_sim.output import console as safe_console

    console = safe_console()
    if robust.get("skipped"):
        console.print(
            _("robustness over the modelling assumptions: not analysed ({reason})").format(
                reason=localize(robust["skipped"])
            )
        )
        return
    low, high = robust["band"]
    colour = {"holds": "green", "fails": "red", "depends": "yellow"}[robust["verdict"]]
    console.print(
        _(
            "robustness over the modelling assumptions ({samples} assumption sets x {projects:,} projects, "
            "{framing}): the reduction lies in {low:.1%}-{high:.1%} (5th-95th percentile) and reaches {target:.0%} "
            "in {share:.0%} of them: {verdict}"
        ).format(
            samples=robust["samples"],
            projects=robust["projects"],
            framing=robust["framing"],
            low=low,
            high=high,
            target=robust["target"],
            share=robust["holds_share"],
            verdict=f"[{colour}]{words.robustness(robust['verdict'])}[/{colour}]",
        )
    )
    if robust.get("deciding_assumption"):
        when = robust.get("holds_when")
        turn = (
            _("; with the others nominal it holds when {assumption} {condition}").format(
                assumption=words.assumption(when["assumption"]), condition=when["holds_when"]
            )
            if when
            else ""
        )
        console.print(
            _("  decided by {assumption}{turn}").format(
                assumption=words.assumption(robust["deciding_assumption"]), turn=turn
            )
        )
    drivers = ", ".join(
        f"{words.assumption(d['assumption'], with_key=False)} {d['total_index']:.2f}"
        for d in robust["drivers"][:4]
    )
    if drivers:
        console.print(_("  main drivers (Sobol' total index): {drivers}").format(drivers=drivers))
    for framing in robust.get("framings", []):
        if framing["name"] != robust["framing"]:
            flow, fhigh = framing["band"]
            console.print(
                _("  {framing}: {low:.1%}-{high:.1%}, reaches the target in {share:.0%}: {verdict}").format(
                    framing=framing["name"],
                    low=flow,
                    high=fhigh,
                    share=framing["holds_share"],
                    verdict=words.robustness(framing["verdict"]),
                )
            )
    if robust.get("not_varied"):
        console.print(
            _("  not varied: {assumptions}").format(
                assumptions="; ".join(
                    f"{n['assumption']} ({localize(n['reason'])})" for n in robust["not_varied"]
                )
            ),
            highlight=False,
        )


def _ci(low: float | None, high: float | None) -> str:
    return (
        _("95% CI {low:.1%} to {high:.1%}").format(low=low, high=high)
        if low is not None
        else _("no CI (one replication)")
    )


def _framing_line(framing: dict, target: float, headline: bool) -> str:
    colour = {"holds": "green", "fails": "red", "inconclusive": "yellow"}[framing["verdict"]]
    mark, end = ("[bold]", "[/bold]") if headline else ("", "")
    return _(
        "  {framing}: {before:.1f} -> {after:.1f} wd, reduction {mean:.1%} ({ci}), {verdict} on {target:.0%}{meaning}"
    ).format(
        framing=f"{mark}{words.framing(framing['name'])}{end}",
        before=framing["baseline_mean_days"],
        after=framing["reform_mean_days"],
        mean=framing["reduction"]["mean"],
        ci=_ci(*framing["reduction"]["ci95"]),
        verdict=f"[{colour}]{words.verdict(framing['verdict'])}[/{colour}]",
        target=target,
        # the Chinese framing names say what they mean; the English ones are the JSON words
        meaning="" if words.framing(framing["name"]) != framing["name"] else f" - {framing['meaning']}",
    )


_REDUCTION_OF = {
    "mean": N_("reduction of the mean: {share:.1%} ({ci})"),
    "median": N_("reduction of the median: {share:.1%} ({ci})"),
    "p90": N_("reduction of the p90: {share:.1%} ({ci})"),
}
_CLOCK_SHORTER = {
    "approval_days": N_("approval days: {share:.1%} shorter"),
    "elapsed_days": N_("elapsed days: {share:.1%} shorter"),
}


def _mix_text(mix: dict[str, float]) -> str:
    return ", ".join(f"{name} {share:.0%}" for name, share in mix.items())


def print_profiles(summary: dict) -> None:
    """A mix: one line per profile (its share, the projects it drew, its times)."""
    if not summary.get("profiles"):
        return
    from rich.console import Console

    console = Console()
    console.print(
        _("project mix ({mix}): the figures above are over all projects; per profile:").format(
            mix=_mix_text(summary["mix"])
        )
    )
    for name, row in summary["profiles"].items():
        if row.get("mean_days") is None:
            console.print(_("  {profile}: no project drawn").format(profile=name))
            continue
        console.print(
            _(
                "  {profile}: {projects:,} projects ({share:.1%}), mean {mean:.1f} wd, median {median:.1f}, "
                "p90 {p90:.1f}; calendar mean {calendar:.1f} days"
            ).format(
                profile=name,
                projects=row["projects_drawn"],
                share=row["share_drawn"],
                mean=row["mean_days"],
                median=row["p50_days"],
                p90=row["p90_days"],
                calendar=row["calendar"]["mean_days"],
            )
        )


def _print_comparison_profiles(console: Any, summary: dict) -> None:
    """A mix: the headline framing per profile."""
    if not summary.get("profiles"):
        return
    console.print(_("project mix ({mix}), headline per profile:").format(mix=_mix_text(summary["mix"])))
    for name, row in summary["profiles"].items():
        if row.get("verdict") is None:
            console.print(_("  {profile}: a replication drew no project").format(profile=name))
            continue
        console.print(
            _(
                "  {profile} ({projects:,} projects): {before:.1f} -> {after:.1f} wd, reduction {mean:.1%} ({ci}), {verdict}"
            ).format(
                profile=name,
                projects=row["projects_drawn"],
                before=row["baseline_mean_days"],
                after=row["reform_mean_days"],
                mean=row["reduction"]["mean"],
                ci=_ci(*row["reduction"]["ci95"]),
                verdict=words.verdict(row["verdict"]),
            )
        )


def print_comparison(summary: dict, departments: dict[str, str] | None = None) -> None:
    from approval_sim.output import console as safe_console
    from approval_sim.tables import Column, fitted_table

    console = safe_console()
    base, reform = summary["baseline"], summary["reform"]
    reduction = summary["reduction"]
    console.print(
        _(
            "[bold]{baseline}[/bold] -> [bold]{reform}[/bold], {engine}, {projects:,} projects x {replications} "
            "replications, seed {seed}; {handling}"
        ).format(
            baseline=base["process"],
            reform=reform["process"],
            engine=base["engine"],
            projects=base["projects"],
            replications=base["replications"],
            seed=base["seed"],
            handling=_sides_handling(base, reform),
        )
    )
    console.print(_("framings (headline first, 'framing' {headline}):").format(headline=summary["headline"]))
    for framing in summary["framings"]:
        console.print(_framing_line(framing, summary["target"], framing["name"] == summary["headline"]))
    console.print(
        _(
            "headline {headline} ({before_mode} -> {after_mode}): mean end-to-end {before:.1f} -> {after:.1f} "
            "working days"
        ).format(
            headline=summary["headline"],
            before_mode=words.mode(base["mode"]),
            after_mode=words.mode(reform["mode"]),
            before=base["mean_days"],
            after=reform["mean_days"],
        )
    )
    for label, r in (("mean", reduction), ("median", reduction["median"]), ("p90", reduction["p90"])):
        console.print(_(_REDUCTION_OF[label]).format(share=r["mean"], ci=_ci(*r["ci95"])))
    colour = {"holds": "green", "fails": "red", "inconclusive": "yellow"}[summary["verdict"]]
    settle = ""
    if summary["verdict"] == "inconclusive":
        needed = reduction["replications_needed"]
        settle = (
            _(" - about {needed} replications would settle it").format(needed=needed)
            if needed
            else _(" - the estimate sits on the target")
        )
    console.print(
        _("verdict on {target:.0%} ({headline}): {verdict}{settle}").format(
            target=summary["target"],
            headline=summary["headline"],
            verdict=f"[{colour}]{words.verdict(summary['verdict'])}[/{colour}]",
            settle=settle,
        )
    )
    _print_comparison_profiles(console, summary)
    console.print(_("the 95% CI covers Monte Carlo noise only, not the modelling assumptions:"))
    if "robustness" in summary:
        print_robustness(summary["robustness"])
    for side, data in ((_("before"), base), (_("after"), reform)):
        console.print(
            _("[bold]{side}[/bold] ({process}, {mode}):").format(
                side=side, process=data["process"], mode=words.mode(data["mode"])
            )
        )
        for text in clock_lines(data):
            console.print(f"  {text}", highlight=False)
    for measure, template in _CLOCK_SHORTER.items():
        cut = (summary.get(measure) or {}).get("reduction")
        if cut and cut.get("mean") is not None:
            console.print(_(template).format(share=cut["mean"]), highlight=False)
    for text in target_lines(summary.get("target_checks", [])):
        console.print(text, highlight=False)
    columns = [
        Column(_("item"), "key"),
        Column(_("name"), "name"),
        Column(_("department"), "name", priority=4),
        Column(_("critical")),
        Column(_("gain if instant"), priority=1),
        Column(_("wait"), priority=5),
        Column(_("handling"), priority=3),
        Column(_("overdue"), priority=2),
    ]
    rows = []
    for row in summary["bottlenecks"][:10]:
        gain = row.get("gain_if_instant_days")
        rows.append(
            [
                row["item"],
                row["name"],
                (departments or {}).get(row["department"], row["department"]),
                f"{row['criticality']:.0%}",
                f"{gain:.1f}" if gain is not None else "-",
                f"{row['mean_wait_days']:.1f}",
                f"{row['mean_handling_days']:.1f}",
                f"{row['overdue_rate']:.1%}",
            ]
        )
    console.print(fitted_table(console, columns, rows, title=_("bottlenecks in the reform (by criticality)")))
