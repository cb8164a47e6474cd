"""Project profiles: which conditional items of a catalog apply to a given project.

An item that does not apply is removed and its dependents inherit its prerequisites, so ordering through it
is kept. Alternatives are the exception: I08 needs "I02 or I04 or I05" (the project's approval, 核准 or 备案
document, a ``one_of`` group); when one of them applies, the others are dropped without inheriting anything,
so a filed enterprise project does not wait for what the government feasibility study waits for.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from approval_model import safe_yaml
from approval_model.bounds import BOUNDS_ERROR
from approval_model.models import Prerequisite, Process, ProjectProfile
from approval_model.problems import Problem, ScenarioError, did_you_mean
from messages import Message

__all__ = [
    "ALL_ITEMS",
    "DEFAULT_PROFILE",
    "applicable_process",
    "builtin_profiles",
    "load_profile",
    "mix_profiles",
]

PROFILE_FILE = Path(__file__).parent / "data" / "profiles.yaml"
DEFAULT_PROFILE = "government-typical"


@cache
def builtin_profiles() -> dict[str, ProjectProfile]:
    """The built-in profiles by name."""
    raw = yaml.safe_load(PROFILE_FILE.read_text(encoding="utf-8"))
    return {name: ProjectProfile.model_validate({"name": name, **body}) for name, body in raw.items()}


ALL_ITEMS = "all"


def load_profile(reference: str, own: Mapping[str, ProjectProfile] | None = None) -> ProjectProfile | None:
    """A built-in profile name, ``all`` (None: every item applies), or a YAML file holding one profile.

    ``own``: the scenario's own profiles, named in the message when the reference is none of these.
    """
    if reference == ALL_ITEMS:
        return None
    profiles = builtin_profiles()
    if reference in profiles:
        return profiles[reference]
    path = Path(reference)
    if not path.exists():
        known = [*(own or {}), *profiles]
        raise ScenarioError(
            reference,
            [
                Problem(
                    (),
                    Message("unknown profile{hint}", hint=did_you_mean(reference, known)),
                    Message(
                        "use one of {known}, 'all', or a YAML file with investment_type, investment_million_yuan and "
                        "site_conditions",
                        known=", ".join(known),
                    ),
                )
            ],
        )
    try:
        return ProjectProfile.model_validate(safe_yaml.load(path.read_text(encoding="utf-8")))
    except safe_yaml.YamlShapeError as error:
        raise ScenarioError(str(path), [Problem((), error.message, error.fix, error.line)]) from None
    except yaml.YAMLError as error:
        raise ScenarioError(
            str(path),
            [
                Problem(
                    (),
                    Message("not a valid profile: YAML syntax error ({error})", error=str(error)),
                    Message("check the YAML syntax"),
                )
            ],
        ) from None
    except ValidationError as error:
        raise ScenarioError(
            str(path),
            [
                Problem(
                    tuple(detail["loc"]),
                    Message(
                        "not a valid profile: {reason} (got {value!r})",
                        reason=detail["msg"],
                        value=detail["input"],
                    )
                    if detail["type"] == BOUNDS_ERROR
                    else Message("not a valid profile: {reason}", reason=detail["msg"]),
                    Message(
                        "a profile has investment_type, investment_million_yuan and site_conditions "
                        "(see docs/scenario-format.md)"
                    ),
                )
                for detail in error.errors(include_url=False)
            ],
        ) from None


def mix_profiles(process: Process) -> dict[str, ProjectProfile]:
    """The profiles of a process's ``mix`` by name: the scenario's own first, else the built-in ones."""
    builtin = builtin_profiles()
    return {name: process.profiles.get(name) or builtin[name] for name in process.mix or {}}


def applicable_process(process: Process, profile: ProjectProfile | None) -> Process:
    """The process restricted to the items that apply to the project; None keeps every item."""
    if profile is None:
        return process
    kept = {item.id for item in process.items if profile.selects(item.applies_when)}
    if len(kept) == len(process.items):
        return process
    by_id = {item.id: item for item in process.items}

    def inherited(item_id: str, seen: frozenset[str]) -> list[Prerequisite]:
        """Applicable ancestors reached through removed items."""
        result: list[Prerequisite] = []
        prerequisites = by_id[item_id].prerequisites
        groups_met = {p.one_of for p in prerequisites if p.one_of is not None and p.item in kept}
        for prerequisite in prerequisites:
            if prerequisite.item in kept:
                result.append(prerequisite)
            elif prerequisite.one_of in groups_met:
                continue  # an alternative that applies stands in for this one
            elif prerequisite.item not in seen:
                for deeper in inherited(prerequisite.item, seen | {prerequisite.item}):
                    result.append(
                        Prerequisite(
                            item=deeper.item,
                            status="assumed",
                            note=f"via {prerequisite.item} (not applicable to this project)",
                        )
                    )
        return result

    items = []
    for item in process.items:
        if item.id not in kept:
            continue
        unique: dict[str, Prerequisite] = {}
        for prerequisite in inherited(item.id, frozenset()):
            unique.setdefault(prerequisite.item, prerequisite)
        items.append(item.model_copy(update={"prerequisites": tuple(unique.values())}))
    return process.replace(items=tuple(items), profile=profile)
