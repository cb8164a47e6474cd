"""What every command prints the same way: JSON on stdout (``--json``)."""

from __future__ import annotations

import json
import sys


def print_json(payload: object) -> None:
    """One JSON document on stdout: Chinese kept readable, dates and other objects as text."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def robustness_line(robust: dict | None) -> str | None:
    """The verdict over the modelling assumptions in one line, in the user's language (None when the result
    has no such analysis)."""
    from approval_sim import words
    from messages import _, localize

    if not robust:
        return None
    if robust.get("skipped"):
        return _("over the modelling assumptions: not analysed ({reason})").format(
            reason=localize(robust["skipped"])
        )
    low, high = robust["band"]
    deciding = (
        _(", decided by {assumption}").format(assumption=robust["deciding_assumption"])
        if robust.get("deciding_assumption")
        else ""
    )
    when = robust.get("holds_when")
    turn = (
        _(" (holds when {assumption} {condition}, the others nominal)").format(
            assumption=when["assumption"], condition=when["holds_when"]
        )
        if when
        else ""
    )
    return _(
        "over the modelling assumptions ({samples} sets, {framing}): {low:.1%} .. {high:.1%}, reaches the "
        "target in {share:.0%}: {verdict}{deciding}{turn}"
    ).format(
        samples=robust["samples"],
        framing=robust["framing"],
        low=low,
        high=high,
        share=robust["holds_share"],
        verdict=words.robustness(robust["verdict"]),
        deciding=deciding,
        turn=turn,
    )
