"""Prefect's settings known without importing Prefect (1.4 s), when only the environment configures it.

Importing ``prefect.settings`` imports all of ``prefect``. A command that needs a temporary server starts it
before that import when it can be sure what Prefect would be told: no ``.env``, ``prefect.toml`` or
``[tool.prefect]`` in the working directory, and no Prefect profile setting anything but the ephemeral
default. Otherwise ``quick_settings()`` returns None and the caller asks Prefect itself. The session checks
the answer again once Prefect is imported, so a wrong guess here costs time, never correctness.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

TRUE = {"1", "true", "yes", "on"}
BENIGN_PROFILE_KEYS = {"PREFECT_SERVER_EPHEMERAL_ENABLED", "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE"}


@dataclass(frozen=True)
class QuickSettings:
    api_url: str | None
    api_key: str | None
    database_url: str
    ephemeral_enabled: bool


def _home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def _profile_is_default() -> bool:
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or _home() / "profiles.toml").expanduser()
    if not path.exists():  # Prefect's packaged profiles: only "ephemeral" (the default) sets nothing else
        return os.environ.get("PREFECT_PROFILE", "ephemeral") == "ephemeral"
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    values = profiles.get("profiles", {}).get(active, {})
    return isinstance(values, dict) and all(
        key in BENIGN_PROFILE_KEYS and str(value).lower() in TRUE for key, value in values.items()
    )


def _working_directory_is_silent() -> bool:
    cwd = Path.cwd()
    if (cwd / "prefect.toml").exists():
        return False
    for name, marker in ((".env", "PREFECT_"), ("pyproject.toml", "tool.prefect")):
        try:
            if marker in (cwd / name).read_text(encoding="utf-8", errors="replace"):
                return False
        except OSError:
            continue
    return True


def quick_settings() -> QuickSettings | None:
    """The settings that decide which server to use, or None when only Prefect can tell."""
    if not (_profile_is_default() and _working_directory_is_silent()):
        return None
    env = os.environ
    ephemeral = env.get("PREFECT_SERVER_EPHEMERAL_ENABLED") or env.get("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE")
    database = env.get("PREFECT_SERVER_DATABASE_CONNECTION_URL") or env.get(
        "PREFECT_API_DATABASE_CONNECTION_URL"
    )
    return QuickSettings(
        api_url=env.get("PREFECT_API_URL") or None,
        api_key=env.get("PREFECT_API_KEY") or None,
        database_url=database or f"sqlite+aiosqlite:///{_home() / 'prefect.db'}",
        ephemeral_enabled=ephemeral is None or ephemeral.lower() in TRUE,
    )
