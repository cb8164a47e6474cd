"""The model beside published reform figures (``approval-sim validate``, docs/validation.md).

Three parts, one job each:

- data (:mod:`validation.reported`, ``data/rows.yaml``): what each source reported, with its sources, and how the
  model measures the same thing — every figure, text and source is data, none is in the code;
- measurement (:mod:`validation.measure`): the kinds of measurement a row may name (static analysis of a
  scenario's limits, Monte Carlo with a fixed seed, item and material counts, ...);
- rows and rendering (:mod:`validation.rows`, :mod:`validation.render`): the gap, the verdict, the Markdown page.

It imports the domain, the rules (to load scenarios) and the simulations; no Prefect, no database.
"""

from validation.measure import CONSTRUCTION_PERMIT, Measure, longest_path_to, upstream_process
from validation.render import diff_summary, render_markdown
from validation.rows import Row, validation_rows

__all__ = [
    "CONSTRUCTION_PERMIT",
    "Measure",
    "Row",
    "diff_summary",
    "longest_path_to",
    "render_markdown",
    "upstream_process",
    "validation_rows",
]
