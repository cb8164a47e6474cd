"""A scenario file laid over its ``base:``: the merged data the models validate, and where each entry came from.

Why its own module: a scenario usually extends another one (``base: luoyang-2017-before``), patching entries by
id, adding new ones, removing items (``remove_items``), expanding file-only shorthand (``{value, status,
sources, note}`` numbers, ``gates:``) and naming profiles. The merge also records each merged entry's position
in the file's own list (``origins``), so that a problem found in the merged data points at the file's entry
(:func:`remap`). Loading and validating is :mod:`approval_model.scenario`'s job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from approval_model.models import Process
from approval_model.problems import Problem, did_you_mean
from approval_model.scenario_document import ScenarioDocument
from messages import Message

__all__ = ["merge_with_base", "remap"]

# numeric fields that accept the shorthand {value, status, sources, note}
PROVENANCED_FIELDS = ("statutory_limit_days", "promised_limit_days", "materials")
PROVENANCE_KEYS = ("status", "sources", "note")


def _normalise_item(raw: Any, index: int, problems: list[Problem]) -> Any:
    """Expand the shorthand {value, status, sources, note} of an item's numbers into value + provenance."""
    if not isinstance(raw, Mapping):
        return raw
    item = dict(raw)
    raw_provenance = item.get("provenance", {})
    provenance = dict(raw_provenance) if isinstance(raw_provenance, Mapping) else raw_provenance
    for name in PROVENANCED_FIELDS:
        value = item.get(name)
        if isinstance(value, Mapping) and "value" in value:
            extra = [k for k in value if k not in ("value", *PROVENANCE_KEYS)]
            for key in extra:
                problems.append(
                    Problem(
                        ("items", index, name, key),
                        Message(
                            "unknown key '{key}' in {name}{hint}",
                            key=key,
                            name=name,
                            hint=did_you_mean(str(key), PROVENANCE_KEYS),
                        ),
                        Message("write {{value: N, status: documented|assumed, sources: [...], note: ...}}"),
                    )
                )
            item[name] = value["value"]
            if isinstance(provenance, dict) and any(k in value for k in PROVENANCE_KEYS):
                provenance[name] = {k: value[k] for k in PROVENANCE_KEYS if k in value}
    if isinstance(provenance, dict) and provenance:
        item["provenance"] = provenance
    return item


def _merge_entries(
    key: str,
    base_entries: list[dict],
    file_entries: Any,
    problems: list[Problem],
    normalise: Callable | None = None,
) -> tuple[list[Any], list[int | None]]:
    """Entries of the base, patched field-wise by same-id entries of the file, then the file's new entries."""
    merged: list[Any] = [dict(e) for e in base_entries]
    origins: list[int | None] = [None] * len(merged)
    if file_entries is None:
        return merged, origins
    if not isinstance(file_entries, list):
        problems.append(
            Problem(
                (key,),
                Message("'{key}' must be a list of entries", key=key),
                Message("write each entry as '- id: ...' under '{key}:'", key=key),
            )
        )
        return merged, origins
    position = {e.get("id"): i for i, e in enumerate(merged)}
    for index, entry in enumerate(file_entries):
        if normalise is not None:
            entry = normalise(entry, index, problems)
        if not isinstance(entry, Mapping):
            problems.append(
                Problem(
                    (key, index),
                    Message("each entry of '{key}' must be a mapping with an 'id'", key=key),
                    Message("write it as '- id: ...' followed by its fields"),
                )
            )
            merged.append(entry)
            origins.append(index)
            continue
        target = position.get(entry.get("id")) if base_entries else None
        if target is not None and origins[target] is None:
            patched = {**merged[target], **entry}
            old, new = merged[target].get("provenance"), entry.get("provenance")
            if isinstance(old, Mapping) and isinstance(new, Mapping):
                patched["provenance"] = {**old, **new}  # a patch adds provenance, it does not drop the base's
            merged[target] = patched
            origins[target] = index
        else:
            merged.append(dict(entry))
            origins.append(index)
    return merged, origins


def merge_with_base(
    document: ScenarioDocument,
    base: Process | None,
    problems: list[Problem],
    rules_document: ScenarioDocument | None = None,
) -> tuple[dict[str, Any], dict[str, list[int | None]]]:
    """The file's data laid over its base (and the sources of its ``rules_from``), and the origins: for each
    merged list, the position of every entry in the file's own list (None: an entry of the base)."""
    data = document.data
    base_dump = base.model_dump(mode="python", exclude_unset=False) if base is not None else {}
    merged: dict[str, Any] = {}
    for key in (
        "name",
        "title",
        "description",
        "sources",
        "simulation",
        "profile",
        "baseline",
        "targets",
        "mix",
    ):
        if key in data:
            merged[key] = data[key]
        elif key in base_dump and key != "name":
            merged[key] = base_dump[key]
    merged.setdefault("name", data.get("name", base_dump.get("name")))
    profiles = data.get("profiles")
    if profiles is None:
        profiles = base_dump.get("profiles", {})
    elif base_dump.get("profiles") and isinstance(profiles, Mapping):
        profiles = {**base_dump["profiles"], **profiles}
    if profiles:
        merged["profiles"] = profiles
    if isinstance(merged.get("profile"), str):
        own_profiles = profiles if isinstance(profiles, Mapping) else {}
        merged["profile"] = _profile_by_name(merged["profile"], own_profiles, problems)
    if base is not None and isinstance(data.get("sources"), Mapping):
        merged["sources"] = {**base_dump.get("sources", {}), **data["sources"]}
    if rules_document is not None and isinstance(rules_document.data.get("sources"), Mapping):
        own = merged["sources"] if isinstance(merged.get("sources"), Mapping) else {}
        merged["sources"] = {**rules_document.data["sources"], **own}
    if (
        base is not None
        and isinstance(data.get("targets"), Mapping)
        and isinstance(base_dump.get("targets"), Mapping)
    ):  # a file's targets add to (or replace, key by key) its base's
        merged["targets"] = {**base_dump["targets"], **data["targets"]}
    origins: dict[str, list[int | None]] = {}
    for key, normalise in (("departments", None), ("stages", None), ("items", _normalise_item)):
        merged[key], origins[key] = _merge_entries(
            key, list(base_dump.get(key, [])), data.get(key), problems, normalise
        )
    removed = data.get("remove_items") or []
    if removed:
        known = {i.get("id") for i in merged["items"] if isinstance(i, Mapping)}
        for position, item_id in enumerate(removed):
            if item_id not in known:
                problems.append(
                    Problem(
                        ("remove_items", position),
                        Message(
                            "cannot remove unknown item '{item}'{hint}",
                            item=item_id,
                            hint=did_you_mean(str(item_id), [k for k in known if k]),
                        ),
                        Message("name an item of the base"),
                    )
                )
        keep = [
            i
            for i, item in enumerate(merged["items"])
            if not (isinstance(item, Mapping) and item.get("id") in removed)
        ]
        merged["items"] = [merged["items"][i] for i in keep]
        origins["items"] = [origins["items"][i] for i in keep]
    _apply_gates(merged["items"], origins["items"], problems)
    lineage = tuple(base.lineage) + (base.name,) if base is not None else ()
    merged["lineage"] = lineage
    return merged, origins


def _apply_gates(items: list[Any], origins: list[int | None], problems: list[Problem]) -> None:
    """``gates: [I02, ...]`` on an item (file syntax only): it must finish before those items start.

    Written on the new step, so an extension (an intermediary service that gates an approval of the base)
    need not restate the gated item's prerequisites; each becomes a prerequisite record of the gated item
    (``{item: I02, status, sources, note}`` carries the ordering's provenance, a plain id is assumed).
    """
    position = {item.get("id"): index for index, item in enumerate(items) if isinstance(item, Mapping)}
    for index, item in enumerate(items):
        if not isinstance(item, Mapping) or "gates" not in item:
            continue
        gates = item.get("gates")
        items[index] = {k: v for k, v in item.items() if k != "gates"}
        found = origins[index]
        origin: int | str = found if found is not None else f"base:{index}"
        if not isinstance(gates, list):
            problems.append(
                Problem(
                    ("items", origin, "gates"),
                    Message("'gates' must be a list of item ids (or {{item, status, sources, note}})"),
                    Message("e.g. 'gates: [I02]'"),
                )
            )
            continue
        for number, gate in enumerate(gates):
            record = {"item": gate} if isinstance(gate, str) else gate
            target = record.get("item") if isinstance(record, Mapping) else None
            if target not in position:
                known = [k for k in position if isinstance(k, str)]
                problems.append(
                    Problem(
                        ("items", origin, "gates", number),
                        Message(
                            "gates unknown item '{item}'{hint}",
                            item=target,
                            hint=did_you_mean(str(target), known),
                        ),
                        Message("name an item of this scenario or its base"),
                    )
                )
                continue
            entry = {k: v for k, v in record.items() if k != "item"}
            entry = {"item": item.get("id"), "status": "assumed", **entry}
            gated = dict(items[position[target]])
            gated["prerequisites"] = [*(gated.get("prerequisites") or ()), entry]
            items[position[target]] = gated


def _profile_by_name(name: str, own: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any] | None:
    """A profile named by ``profile:``: one of the scenario's own ``profiles`` first, else a built-in one."""
    from approval_model.profiles import builtin_profiles

    if name in own:
        body = own[name]
        return {**body, "name": name} if isinstance(body, Mapping) and "name" not in body else body
    profiles = builtin_profiles()
    if name not in profiles:
        known = [*own, *profiles]
        problems.append(
            Problem(
                ("profile",),
                Message("unknown profile '{name}'{hint}", name=name, hint=did_you_mean(name, known)),
                Message(
                    "use one of {known}, declare it under 'profiles', or write the profile inline",
                    known=", ".join(known),
                ),
            )
        )
        return None
    return profiles[name].model_dump()


def remap(problems: list[Problem], origins: Mapping[str, list[int | None]]) -> list[Problem]:
    """Translate merged-list indexes back into the file's own list indexes."""
    remapped = []
    for problem in problems:
        location = problem.location
        if len(location) >= 2 and location[0] in origins and isinstance(location[1], int):
            entries = origins[str(location[0])]
            origin = entries[location[1]] if location[1] < len(entries) else location[1]
            location = (location[0], origin if origin is not None else f"base:{location[1]}", *location[2:])
        remapped.append(Problem(location, problem.message, problem.fix, problem.line))
    return remapped
