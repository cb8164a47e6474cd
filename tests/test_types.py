"""The type checker runs with the suite: `mypy` over every package, configured in pyproject.toml ([tool.mypy]).

So `uv run pytest` (the README's test command, which CI runs) fails on a type error, and every
`# type: ignore` left in the code must still be needed (warn_unused_ignores). Run it alone with `uv run mypy`.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_error_in_the_packages():
    # the cache lives outside the repository (the suite writes nothing into it) and is reused between runs
    cache = (
        Path(tempfile.gettempdir()) / f"approval-sim-mypy-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:12]}"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout
