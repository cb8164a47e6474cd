"""CLI commands of this area, registered on the main app by approval_sim.cli (keep imports inside commands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
