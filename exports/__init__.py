"""Exports planners hand on: Excel, CSV, plots and a self-contained HTML report, from a stored run.

``export_run(run, formats, out_dir)`` takes a run as returned by ``flows.store.repository.get_run`` and
writes the requested formats; it needs no database and no Prefect. Formats:

- ``xlsx``: ``run-<id>.xlsx`` with sheets 概览, 事项, 部门 (and 敏感性 when the run has one);
- ``csv``: one UTF-8 (with BOM) file per table, ``run-<id>-<table>.csv``;
- ``png`` / ``svg``: the figures, ``run-<id>-<figure>.png`` / ``.svg``;
- ``html``: ``run-<id>-report.html``, one self-contained file: the briefing (汇报版), then figures and tables;
- ``pdf``: ``run-<id>-report.pdf``, the same report printed by headless Chromium (:mod:`exports.pdf`).

What a run has no data for (e.g. no sensitivity rows) is left out; ``missing(run)`` says what and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from exports.pdf import RendererMissing
from messages import Message

__all__ = ["FORMATS", "RendererMissing", "expand_formats", "export_run", "missing"]

FORMATS = ("xlsx", "csv", "png", "svg", "html", "pdf")
CHOICES = "xlsx, csv, png, html, pdf, all"


def expand_formats(requested: Iterable[str]) -> set[str]:
    """Formats from user words: ``all``, and ``png`` meaning the plots as PNG and SVG; unknown -> ValueError."""
    chosen: set[str] = set()
    for word in requested:
        for part in str(word).split(","):
            name = part.strip().lower()
            if not name:
                continue
            if name == "all":
                chosen.update(FORMATS)
            elif name == "png":
                chosen.update(("png", "svg"))
            elif name in FORMATS:
                chosen.add(name)
            else:
                raise ValueError(
                    Message(
                        "unknown export format {name!r}; choose from {choices}",
                        name=part.strip(),
                        choices=CHOICES,
                    )
                )
    if not chosen:
        raise ValueError(Message("no export format given; choose from {choices}", choices=CHOICES))
    return chosen


def missing(run: dict[str, Any]) -> list[str]:
    from exports.run_tables import missing as what_is_missing

    return what_is_missing(run)


def export_run(run: dict[str, Any], formats: set[str], out_dir: Path) -> list[Path]:
    """Write the requested formats of a stored run into ``out_dir``; return the files written, in order."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(
            Message(
                "unknown export format(s) {unknown}; choose from {choices}",
                unknown=", ".join(sorted(unknown)),
                choices=", ".join(FORMATS),
            )
        )
    from exports.run_tables import build_tables

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = f"run-{run['id']}"
    tables = build_tables(run)
    written: list[Path] = []
    if "xlsx" in formats:
        from exports.excel import write_workbook

        written.append(
            write_workbook(tables, out_dir / f"{prefix}.xlsx", title=f"approval-sim run {run['id']}")
        )
    if "csv" in formats:
        from exports.csv_files import write_csv_files

        written += write_csv_files(tables, out_dir, prefix)
    plots = []
    if formats & {"png", "svg", "html", "pdf"}:
        from exports.plots import render

        plots = render(run, svg=bool(formats & {"svg", "html", "pdf"}))
    for plot in plots:
        if "png" in formats:
            path = out_dir / f"{prefix}-{plot.key}.png"
            path.write_bytes(plot.png)
            written.append(path)
        if "svg" in formats and plot.svg is not None:
            from exports.fonts import svg_with_font

            path = out_dir / f"{prefix}-{plot.key}.svg"
            path.write_bytes(svg_with_font(plot.svg))
            written.append(path)
    if formats & {"html", "pdf"}:
        from exports.html import report_html

        page = report_html(run, tables, plots)
        path = out_dir / f"{prefix}-report.html"
        if "html" in formats:
            path.write_text(page, encoding="utf-8")
            written.append(path)
        if "pdf" in formats:
            try:
                written.append(print_pdf(page, out_dir / f"{prefix}-report.pdf"))
            except RendererMissing as error:
                error.written = list(written)  # what is on disk: the command lists it before the error
                raise
    return written


def print_pdf(page: str, pdf_file: Path) -> Path:
    """Print a self-contained report page to PDF (the page goes through a temporary file, so an HTML report
    already in the folder is never touched). No renderer: :class:`RendererMissing`."""
    import tempfile

    from exports.pdf import html_to_pdf

    with tempfile.TemporaryDirectory(prefix="approval-sim-report-") as folder:
        source = Path(folder) / pdf_file.with_suffix(".html").name
        source.write_text(page, encoding="utf-8")
        return html_to_pdf(source, pdf_file)
