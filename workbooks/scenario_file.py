"""A validated process as a scenario file (YAML) that loads back into the very same process."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from approval_model.models import Process
from approval_model.profiles import builtin_profiles

__all__ = ["dump_yaml", "scenario_data", "scenario_yaml", "write_atomically"]

# readable order: what the process is, how it is simulated, then its parts, then the long sources table
_ORDER = (
    "name",
    "title",
    "description",
    "baseline",
    "profile",
    "profiles",
    "simulation",
    "departments",
    "stages",
    "items",
    "sources",
)


def scenario_data(process: Process) -> dict[str, Any]:
    """The scenario mapping of a process: defaults left out, the default profile by name when it is a
    built-in or one of the scenario's own profiles, no lineage (a flat file derives from nothing)."""
    dump = process.model_dump(mode="json", exclude_defaults=True)
    dump.pop("lineage", None)
    profile = process.profile
    if profile is not None and profile.name is not None:
        name = profile.name
        if profile in (process.profiles.get(name), builtin_profiles().get(name)):
            dump["profile"] = name
    for name, body in dump.get("profiles", {}).items():
        if body.get("name") == name:
            body.pop("name")
    return {key: dump[key] for key in _ORDER if key in dump} | {
        k: v for k, v in dump.items() if k not in _ORDER
    }


class _Dumper(yaml.SafeDumper):
    """Block style, but short lists of plain values on one line (sources: [A, B])."""


def _represent_list(dumper: yaml.SafeDumper, values: list) -> yaml.Node:
    flow = len(values) <= 8 and all(isinstance(v, str | int | float) and len(str(v)) <= 40 for v in values)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", values, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def dump_yaml(data: Any) -> str:
    """Scenario data as YAML a person reads: block style, short lists inline, Chinese as is."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)


def scenario_yaml(process: Process, header: str = "") -> str:
    """YAML text of :func:`scenario_data`, after an optional comment header."""
    body = dump_yaml(scenario_data(process))
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + body


def write_atomically(path: str | Path, text: str) -> None:
    """Write a text file through a temporary file in the same folder: it is complete or not there at all."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
