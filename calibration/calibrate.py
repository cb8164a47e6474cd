"""From observations to calibrated values: per item a handling-time distribution, the 补正 probability and the
applicant's time, expert-review time and the overdue rate; the arrival rate; and a scenario overlay that says
where every value came from.

An item with fewer than ``min_records`` usable records keeps its assumption, and the report says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from approval_model.models import Process
from calibration.fitting import Fit, Sample, choose, ks_critical
from calibration.observations import ItemObservations, Observations

__all__ = ["DEFAULT_MIN_RECORDS", "Calibration", "ItemCalibration", "calibrate"]

DEFAULT_MIN_RECORDS = 30
SOURCE_ID = "PLATFORM_RECORDS"


def _round(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}") if value else 0.0


def _rounded_parameters(fit: Fit) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fit.parameters.items():
        if key == "values":
            out[key] = [_round(v, 6) for v in value]
        elif isinstance(value, float):
            out[key] = _round(max(value, 0.0), 5)
        else:
            out[key] = value
    if out.get("distribution") in ("lognormal", "exponential"):
        out["mean"] = max(out["mean"], 0.01)  # a mean time must be positive (bounds.LimitDays)
    return out


def _fit_json(fit: Fit | None) -> dict[str, Any] | None:
    if fit is None:
        return None
    return {
        "family": fit.family,
        "parameters": {k: v for k, v in _rounded_parameters(fit).items() if k != "distribution"},
        "mean_days": round(fit.mean, 3),
        "ks": round(fit.ks, 4),
        "aic": None if math.isnan(fit.aic) else round(fit.aic, 1),
        "fits": fit.fits,
    }


@dataclass(frozen=True)
class ItemCalibration:
    item_id: str
    name: str
    department: str
    observed: ItemObservations
    handling: Fit | None  # None: the assumption is kept
    families: list[Fit]
    kept: str | None  # why the handling assumption is kept
    supplement_probability: float | None
    applicant: Fit | None
    applicant_note: str | None
    excluded: Fit | None
    overdue_rate: float | None

    @property
    def records(self) -> int:
        return self.observed.rows

    def date_range(self) -> str:
        o = self.observed
        return f"{o.first.isoformat()}..{o.last.isoformat()}" if o.first and o.last else ""

    def as_json(self) -> dict[str, Any]:
        o = self.observed
        return {
            "name": self.name,
            "department": self.department,
            "records": o.rows,
            "completed": o.completed,
            "in_progress": o.rows - o.completed,
            "date_range": self.date_range(),
            "handling_days": _fit_json(self.handling),
            "kept_assumption": self.kept,
            "observed_mean_days": round(float(o.handling.mean()), 3) if o.handling.size else None,
            "families": [_fit_json(f) for f in self.families],
            "ks_critical": round(ks_critical(o.rows), 4),
            "supplement": {
                "probability": None
                if self.supplement_probability is None
                else round(self.supplement_probability, 4),
                "supplemented": o.supplemented,
                "completed": o.completed,
                "applicant_days": _fit_json(self.applicant),
                "applicant_note": self.applicant_note,
            },
            "excluded_days": _fit_json(self.excluded),
            "overdue": {
                "done_late": o.done_late,
                "completed": o.completed,
                "rate": None if self.overdue_rate is None else round(self.overdue_rate, 4),
                "in_progress_overdue": o.overdue_open,
            },
        }


@dataclass(frozen=True)
class Calibration:
    observations: Observations
    items: dict[str, ItemCalibration]
    min_records: int
    limit_basis: str
    raised_capacity: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        o = self.observations
        return {
            "records": o.rows,
            "completed": o.completed,
            "in_progress": o.rows - o.completed,
            "as_of": o.as_of.isoformat(),
            "date_range": [o.first.isoformat(), o.last.isoformat()],
            "limit_basis": self.limit_basis,
            "min_records": self.min_records,
            "items": {item_id: c.as_json() for item_id, c in self.items.items()},
            "arrivals": o.arrivals,
            "departments": {
                d: {**v, "capacity_raised_to": self.raised_capacity.get(d)} for d, v in o.departments.items()
            },
        }


def _sample(exact: np.ndarray, censored: np.ndarray) -> Sample:
    return Sample(exact.astype(float), censored.astype(float))


def _choose(sample: Sample) -> tuple[Fit, list[Fit]]:
    if not sample.exact.size:  # only records in progress: no distribution can be told from them
        raise ValueError("no completed record")
    return choose(sample)


def _item(observed: ItemObservations, process: Process, min_records: int) -> ItemCalibration:
    item = process.item(observed.item_id)
    handling: Fit | None = None
    families: list[Fit] = []
    kept = None
    if observed.rows < min_records:
        kept = f"{observed.rows} records (fewer than {min_records})"
    elif not observed.completed:
        kept = "no completed record"
    else:
        handling, families = _choose(_sample(observed.handling, observed.handling_censored))
    probability = applicant = excluded = note = None
    if observed.completed >= min_records:
        probability = observed.supplemented / observed.completed
        count = observed.applicant.size + observed.applicant_censored.size
        if count >= min_records and observed.applicant.size:
            applicant, _ = _choose(_sample(observed.applicant, observed.applicant_censored))
        elif count:
            note = f"{count} 补正 records (fewer than {min_records}): applicant time kept"
    if observed.expert.size + observed.expert_censored.size >= min_records and observed.completed:
        without = observed.completed - observed.expert.size  # completed records without expert review: 0 days
        exact = np.concatenate([observed.expert, np.zeros(max(without, 0))])
        excluded, _ = _choose(_sample(exact, observed.expert_censored))
    department = process.department(item.department).name
    return ItemCalibration(
        item_id=item.id,
        name=item.name,
        department=department,
        observed=observed,
        handling=handling,
        families=families,
        kept=kept,
        supplement_probability=probability,
        applicant=applicant,
        applicant_note=note,
        excluded=excluded,
        overdue_rate=observed.done_late / observed.completed if observed.completed else None,
    )


def calibrate(
    observations: Observations, process: Process, min_records: int = DEFAULT_MIN_RECORDS
) -> Calibration:
    """Fit every item the records name; raise a declared capacity that is below the files seen open at once."""
    items = {
        item_id: _item(observed, process, min_records)
        for item_id, observed in sorted(
            observations.items.items(), key=lambda kv: process.item_ids.index(kv[0])
        )
    }
    raised = {}
    for department, seen in observations.departments.items():
        capacity = seen["capacity"]
        if capacity is not None and seen["max_open_all_day"] > capacity:
            raised[department] = int(seen["max_open_all_day"])
    return Calibration(observations, items, min_records, str(process.simulation.limit_basis), raised)


# ---- the overlay ------------------------------------------------------------------------------------------


def _provenance(note: str) -> dict[str, Any]:
    return {"status": "documented", "sources": [SOURCE_ID], "note": note}


def _fit_note(fit: Fit, observed: ItemObservations, what: str) -> str:
    o = observed
    head = (
        f"calibrated from {o.rows:,} records ({o.completed:,} completed, {o.rows - o.completed:,} in progress), "
        f"{o.first.isoformat() if o.first else ''}..{o.last.isoformat() if o.last else ''}: {what} "
    )
    if fit.family == "empirical":
        return head + (
            f"empirical (no family within the KS critical value {ks_critical(o.rows):.3f}), mean {fit.mean:.2f}"
        )
    return (
        head
        + f"{fit.family} by AIC, KS {fit.ks:.3f} (5 % critical {ks_critical(o.rows):.3f}), mean {fit.mean:.2f}"
    )


def overlay(
    calibration: Calibration, process: Process, base: str, records_label: str, today: date | None = None
) -> dict[str, Any]:
    """A scenario that takes ``base`` and replaces what the records measured, each value with its provenance."""
    o = calibration.observations
    today = today or date.today()
    span = f"{o.first.isoformat()}..{o.last.isoformat()}"
    source = (
        f"平台办件记录 platform records {records_label}: {o.rows:,} records ({o.completed:,} completed, "
        f"{o.rows - o.completed:,} in progress), accepted {span}, as of {o.as_of.isoformat()}; calibrated by "
        f"'approval-sim calibrate' on {today.isoformat()}"
    )
    items = []
    for c in calibration.items.values():
        entry: dict[str, Any] = {"id": c.item_id}
        provenance: dict[str, Any] = {}
        item = process.item(c.item_id)
        if c.handling is not None:
            entry["handling_days"] = _rounded_parameters(c.handling)
            provenance["handling_days"] = _provenance(_fit_note(c.handling, c.observed, "handling time"))
            if item.handling_scale != 1.0:
                entry["handling_scale"] = 1.0  # the records are the time itself
        if c.supplement_probability is not None and (
            c.supplement_probability > 0 or item.supplement is not None
        ):
            supplement: dict[str, Any] = {"probability": round(c.supplement_probability, 4)}
            note = (
                f"calibrated from {c.observed.completed:,} completed records, {span}: 补正 in "
                f"{c.observed.supplemented:,}"
            )
            if c.applicant is not None:
                supplement["applicant_days"] = _rounded_parameters(c.applicant)
                note += f"; applicant time {c.applicant.family}, mean {c.applicant.mean:.2f}"
            elif item.supplement is not None:
                supplement["applicant_days"] = item.supplement.model_dump(mode="json")["applicant_days"]
                note += "; applicant time kept (too few records)"
            entry["supplement"] = supplement
            provenance["supplement"] = _provenance(note)
        if c.excluded is not None:
            entry["excluded_days"] = _rounded_parameters(c.excluded)
            provenance["excluded_days"] = _provenance(_fit_note(c.excluded, c.observed, "expert review time"))
        if len(entry) > 1:
            entry["provenance"] = provenance
            items.append(entry)
    simulation = process.simulation.model_dump(mode="json", exclude_defaults=True)
    rate = o.arrivals.get("per_working_day")
    if rate:
        simulation["arrivals"] = {"per_working_day": _round(rate, 5)}
    data: dict[str, Any] = {
        "name": f"{process.name}-calibrated"[:64],
        "title": f"{process.title or process.name}（按平台办件记录校准 / calibrated from platform records）",
        "description": (
            f"{base} with what {o.rows:,} platform records ({span}) measured: handling times of "
            f"{sum(1 for c in calibration.items.values() if c.handling is not None)} items, 补正 probabilities and "
            f"applicant times"
            + (f", arrivals {rate:.4g} projects per working day" if rate else "")
            + f". Source {SOURCE_ID}; per item, provenance says how each value was fitted."
        ),
        "base": base,
        "sources": {SOURCE_ID: source},
    }
    if simulation:
        data["simulation"] = simulation
    if calibration.raised_capacity:
        data["departments"] = [{"id": d, "capacity": c} for d, c in calibration.raised_capacity.items()]
    data["items"] = items
    return data
