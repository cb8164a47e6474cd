"""JSON words (verdicts, limit bases, framings, modes, statuses, run kinds) as the user reads them.

Chinese from the product's one vocabulary, ``exports.vocabulary`` (the exports use the same words); English shows
the JSON word itself, which is what English scripts and docs quote. JSON keeps the word, always.
"""

from __future__ import annotations

from exports.vocabulary import (
    BASIS_NAMES,
    FRAMING_NAMES,
    KIND_NAMES,
    MODE_NAMES,
    ROBUSTNESS_NAMES,
    STAGE_NAMES,
    STATUS_NAMES,
    VERDICT_NAMES,
)
from messages import language

__all__ = ["assumption", "basis", "stage", "framing", "mode", "robustness", "run_kind", "status", "verdict"]


def _word(names: dict[str, str], value: str | None) -> str:
    if value is None:
        return ""
    return names.get(value, value) if language() == "zh" else value


def verdict(value: str | None) -> str:
    """holds / fails / inconclusive of a comparison's confidence interval: 达标 / 未达标 / 尚无定论."""
    return _word(VERDICT_NAMES, value)


def robustness(value: str | None) -> str:
    """holds / fails / depends over the modelling assumptions: 达标 / 未达标 / 视假设而定."""
    return _word(ROBUSTNESS_NAMES, value)


def basis(value: str | None) -> str:
    return _word(BASIS_NAMES, value)


def framing(value: str | None) -> str:
    return _word(FRAMING_NAMES, value)


def mode(value: str | None) -> str:
    return _word(MODE_NAMES, value)


def status(value: str | None) -> str:
    return _word(STATUS_NAMES, value)


def run_kind(value: str | None) -> str:
    return _word(KIND_NAMES, value)


def assumption(key: str | None, *, with_key: bool = True) -> str:
    """A modelling assumption of the robustness analysis by its Chinese label (approval_model/data/
    assumptions.yaml), followed by its key (which docs, scenarios and JSON quote) unless ``with_key`` is
    False; English shows the key."""
    if key is None:
        return ""
    if language() != "zh":
        return key
    from approval_model.assumptions import builtin_assumptions

    known = builtin_assumptions().get(key)
    if known is None:
        return key
    return f"{known.label}（{key}）" if with_key else known.label


def stage(value: str | None) -> str:
    """A built-in stage id by its name (P_LX: 立项阶段, S1: 立项用地规划许可阶段, ...); others as they are."""
    return _word(STAGE_NAMES, value)
