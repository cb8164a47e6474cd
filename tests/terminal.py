"""What a terminal of a given width shows: every line fits, nothing cut to an ellipsis."""

from __future__ import annotations

from rich.cells import cell_len


def fits(text: str, width: int = 80) -> None:
    for line in text.splitlines():
        assert cell_len(line) <= width, line
    assert "…" not in text  # nothing cut to an ellipsis
