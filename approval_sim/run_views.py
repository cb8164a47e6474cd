"""Terminal rendering of a stored run, in the user's language, fitting the terminal's width."""

from __future__ import annotations

from typing import Any

from approval_sim import words
from approval_sim.output import console as safe_console
from approval_sim.output import robustness_line
from approval_sim.tables import Column, fitted_table
from exports.vocabulary import department_names, shanghai_time
from messages import N_, _

# what a stored run records, in the order shown (English: the JSON key and value, as scripts read them)
_DETAILS = {
    "mode": N_("mode {value}"),
    "engine": N_("engine {value}"),
    "profile": N_("profile {value}"),
    "limit_basis": N_("limit_basis {value}"),
    "framing": N_("framing {value}"),
    "projects": N_("projects {value}"),
    "replications": N_("replications {value}"),
    "seed": N_("seed {value}"),
    "as_of": N_("as_of {value}"),
}
_ROLES = {"baseline": N_("baseline"), "reform": N_("reform"), "single": N_("single")}
_SHOWN = {"mode": words.mode, "limit_basis": words.basis, "framing": words.framing, "projects": "{:,}".format}


def print_run(run: dict[str, Any], top: int = 10) -> None:
    console = safe_console()
    console.print(
        _("[bold]run {id}[/bold] {kind} - {scenario} - [bold]{status}[/bold]").format(
            id=run["id"],
            kind=words.run_kind(run["kind"]),
            scenario=run["scenario"],
            status=words.status(run["status"]),
        )
    )
    details = [
        _(template).format(value=_SHOWN.get(key, str)(run[key]))
        for key, template in _DETAILS.items()
        if run.get(key) is not None
    ]
    console.print("  " + _(", ").join(details))
    if run.get("started_at") is not None:
        console.print(
            _("  started {started}, finished {finished} (Beijing time)").format(
                started=shanghai_time(run["started_at"]), finished=shanghai_time(run.get("finished_at"))
            )
        )
    if run.get("error"):
        console.print(_("  [red]error:[/red] {error}").format(error=run["error"]), highlight=False)
    if run.get("verdict") and run.get("reduction_mean") is not None:
        basis = (
            _(" ({framing}, {basis} limits)").format(
                framing=run["framing"], basis=words.basis(run["limit_basis"])
            )
            if run.get("framing")
            else ""
        )
        console.print(
            _(
                "  reduction of mean end-to-end time {mean:.1%} (95% CI {low:.1%} .. {high:.1%}), target "
                "{target:.0%}: [bold]{verdict}[/bold]{basis}"
            ).format(
                mean=run["reduction_mean"],
                low=run["reduction_ci_low"],
                high=run["reduction_ci_high"],
                target=run["target"],
                verdict=words.verdict(run["verdict"]),
                basis=basis,
            )
        )
    line = robustness_line((run.get("payload") or {}).get("robustness"))
    if line:
        console.print(f"  {line}", highlight=False)
    if run["summaries"]:
        columns = [
            Column(_("role"), "key"),
            Column(_("scenario"), "name"),
            Column(_("mode"), "text", priority=3),
            Column(_("projects"), priority=2),
            Column(_("mean")),
            Column(_("p50"), priority=4),
            Column(_("p90"), priority=1),
            Column(_("on time"), priority=5),
        ]
        rows = [
            [
                _(_ROLES[s["role"]]) if s["role"] in _ROLES else s["role"],
                s["scenario"],
                words.mode(s["mode"]),
                str(s["projects"]),
                f"{s['mean_days']:.1f}",
                f"{s['p50_days']:.1f}",
                f"{s['p90_days']:.1f}",
                f"{s['on_time_rate']:.1%}",
            ]
            for s in run["summaries"]
        ]
        console.print(fitted_table(console, columns, rows, title=_("end-to-end working days")))
    items = sorted(
        (i for i in run["items"] if i["role"] in ("reform", "single")), key=lambda i: -i["criticality"]
    )[:top]
    if items:
        departments = department_names(run)
        columns = [
            Column(_("item"), "key"),
            Column(_("name"), "name"),
            Column(_("department"), "name", priority=3),
            Column(_("criticality")),
            Column(_("wait"), priority=4),
            Column(_("handling"), priority=2),
            Column(_("overdue"), priority=1),
        ]
        rows = [
            [
                i["item_id"],
                i["item_name"],
                departments.get(i["department"], i["department"]),
                f"{i['criticality']:.2f}",
                f"{i['mean_wait_days']:.1f}",
                f"{i['mean_handling_days']:.1f}",
                f"{i['overdue_rate']:.1%}",
            ]
            for i in items
        ]
        console.print(
            fitted_table(
                console, columns, rows, title=_("top {count} bottleneck items").format(count=len(items))
            )
        )
    sensitivity = run.get("sensitivity") or []
    if sensitivity:
        columns = [
            Column(_("rank"), "key"),
            Column(_("variation"), "name"),
            Column(_("mean days"), priority=2),
            Column(_("effect (days)")),
            Column(_("95% CI"), priority=3),
            Column(_("effect on reduction"), priority=1),
        ]
        rows = [
            [
                str(v["rank"]),
                v["variation"],
                f"{v['mean_days']:.1f}",
                f"{v['effect_mean_days']:+.2f}",
                f"{v['effect_ci_low']:+.2f} .. {v['effect_ci_high']:+.2f}",
                "" if v.get("effect_on_reduction") is None else f"{v['effect_on_reduction'] * 100:+.2f} pp",
            ]
            for v in sensitivity[:top]
        ]
        title = _("sensitivity: top {shown} of {count} variations").format(
            shown=min(top, len(sensitivity)), count=len(sensitivity)
        )
        console.print(fitted_table(console, columns, rows, title=title))
    if run.get("children"):
        console.print(_("  child runs: {ids}").format(ids=", ".join(map(str, run["children"]))))
