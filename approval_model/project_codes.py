"""The national project code (投资项目统一代码) and the project type its type segment names.

Layout ``YYYY-RRRRRR-II-TT-NNNNNN`` (year, region, industry, type, serial) as :mod:`approval_model.supervision_records`
reads it; the type segment's meaning is in ``data/project_types.yaml``. Both are ASSUMED (remembered, not
confirmed against the NDRC code rules), and say so where they are used.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

__all__ = ["DEFAULT_REGION", "project_code", "project_type", "type_code", "type_names"]

FILE = Path(__file__).parent / "data" / "project_types.yaml"
UNKNOWN_TYPE = "00"
DEFAULT_REGION = "410300"  # 洛阳市 (the administrative division code; a simulated project's region)
MAX_SERIAL = 999_999  # six digits
_CODE = re.compile(r"^\d{4}-\d{6}-\d{2}-(\d{2})-\d{6}$")


@cache
def type_names() -> dict[str, str]:
    """Type segment ('01') -> investment type ('government')."""
    raw = yaml.safe_load(FILE.read_text(encoding="utf-8"))["types"]
    return {str(code): str(kind) for code, kind in raw.items()}


def project_type(code: str) -> str:
    """The type segment of a project code ('??' when the code has another layout)."""
    match = _CODE.match(code)
    return match[1] if match else "??"


def type_code(investment_type: str | None) -> str:
    """The type segment of an investment type ('00' when unknown, e.g. a process analysed for every item)."""
    for code, kind in type_names().items():
        if kind == investment_type:
            return code
    return UNKNOWN_TYPE


def project_code(
    year: int, serial: int, type_segment: str, region: str = DEFAULT_REGION, industry: str = "00"
) -> str:
    """``2017-410300-00-01-000001``: a code of the layout the records reader accepts."""
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"a project code's serial has six digits (1 to {MAX_SERIAL:,}), got {serial:,}")
    return f"{year:04d}-{region}-{industry}-{type_segment}-{serial:06d}"
