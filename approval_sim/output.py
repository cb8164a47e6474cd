"""What every command prints the same way: JSON on stdout (``--json``)."""

from __future__ import annotations

import json
import sys


def print_json(payload: object) -> None:
    """One JSON document on stdout: Chinese kept readable, dates and other objects as text."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
