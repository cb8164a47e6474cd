"""A figure says what produced its handling times: the limits (法定 / 承诺 x a fraction), or the items' own
``handling_days`` distributions (declared, or written by ``calibrate``). JSON ``handling_own_items`` counts the
latter; simulate's and compare's text and the exports' basis wording say it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from approval_sim.cli import app
from exports.briefing import method_section
from exports.html import _time_note
from exports.overview import basis_rows
from exports.vocabulary import handling_basis

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
KNOWN = ROOT / "examples" / "calibration" / "known-distributions.yaml"  # A, B, C: all declare handling_days
RUN = ["-n", "60", "-r", "2"]


@pytest.fixture(scope="module")
def one_of_three(tmp_path_factory) -> Path:
    """known-distributions with B and C stripped of their handling_days: 1 of 3 items (A) declares its own."""
    data = yaml.safe_load(KNOWN.read_text(encoding="utf-8"))
    for item in data["items"]:
        if item["id"] != "A":
            del item["handling_days"]
    path = tmp_path_factory.mktemp("handling") / "one-of-three.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def simulate_json(scenario: str) -> dict:
    result = runner.invoke(app, ["simulate", scenario, *RUN, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def words(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())  # rich wraps the header line


def test_json_counts_the_items_with_their_own_handling(one_of_three):
    plain = simulate_json("luoyang-2017-before")
    assert (
        plain["handling_own_items"] == 0 and plain["limit_basis"] == "statutory"
    )  # the built-in declares none
    one = simulate_json(str(one_of_three))
    assert (one["handling_own_items"], len(one["items"])) == (1, 3)  # A only, counted by hand
    every = simulate_json(str(KNOWN))
    assert (every["handling_own_items"], len(every["items"])) == (3, 3)
    assert every["limit_basis"] == "statutory"  # still the basis overdue is measured on


def test_simulate_text_says_where_handling_comes_from(one_of_three, zh):
    del zh
    assert "办理时间按法定时限推算" in "".join(words(["simulate", *RUN]).split())
    assert "3个事项中1个的办理时间取自其自身的用时分布，其余按法定时限推算" in "".join(
        words(["simulate", str(one_of_three), *RUN]).split()
    )
    text = "".join(words(["simulate", str(KNOWN), *RUN]).split())
    assert "办理时间取自各事项自身的用时分布（校准或声明）" in text and "法定时限推算" not in text
    assert "handling scaled to statutory limits" in words(["--lang", "en", "simulate", *RUN])
    assert "handling from own distributions for 1 of 3 items, the rest scaled to statutory limits" in words(
        ["--lang", "en", "simulate", str(one_of_three), *RUN]
    )
    english = words(["--lang", "en", "simulate", str(KNOWN), *RUN])
    assert "handling from the items' own distributions (calibrated or declared)" in english
    assert "scaled to" not in english


def test_compare_counts_and_says_it_per_side(one_of_three, zh):
    del zh
    args = ["compare", str(one_of_three), str(KNOWN), *RUN, "--no-robustness"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["baseline"]["handling_own_items"] == 1 and summary["reform"]["handling_own_items"] == 3
    assert (
        "基准：3个事项中1个的办理时间取自其自身的用时分布，其余按法定时限推算；改革：办理时间取自各事项自身的用时分布（校准或声明）"
        in "".join(words(args).split())  # rich wraps the line: compared without spaces
    )
    assert (
        "baseline: handling from own distributions for 1 of 3 items, the rest scaled to statutory limits; "
        "reform: handling from the items' own distributions (calibrated or declared)"
    ) in words(["--lang", "en", *args])
    same = ["compare", str(KNOWN), str(KNOWN), *RUN, "--no-robustness", "--framing", "parallel-to-parallel"]
    said = words(["--lang", "en", *same])
    assert "seed 0; handling from the items' own distributions (calibrated or declared)" in said
    assert "baseline:" not in said  # both sides alike: said once


def run_of(payload: dict) -> dict:
    return {"kind": "simulate", "limit_basis": "statutory", "payload": payload}


def test_exports_say_it_in_the_basis_wording(one_of_three):
    """The overview's 时限口径 row, the HTML footer and the briefing's "办理时间按…推算" read the stored payload."""
    plain = run_of(simulate_json("luoyang-2017-before"))
    assert (
        basis_rows(plain)[0][2] == "办理时间按法定时限推算 (handling scaled to statutory limits)"
    )  # as before
    assert handling_basis(plain, "statutory", "?")[0] == "法定时限"
    assert handling_basis(run_of({"items": {}}), "statutory", "?")[0] == "法定时限"  # a run stored before
    one = run_of(simulate_json(str(one_of_three)))
    note = basis_rows(one)[0][2]
    assert note.startswith("办理时间按各事项自身的用时分布（3 个事项中的 1 个；其余事项按法定时限）推算")
    assert "handling from own distributions for 1 of 3 items, the rest scaled to statutory limits" in note
    every = run_of(simulate_json(str(KNOWN)))
    assert basis_rows(every)[0][1] == "法定时限"  # the limit basis itself (overdue is measured on it)
    assert "办理时间按各事项自身的用时分布（校准或声明）推算" in _time_note(every)
    assert "(handling from the items' own distributions (calibrated or declared))" in _time_note(every)
    default_line = "办理时间按法定时限推算：按时办结的事项用时在时限的一定比例之间随机"
    assert default_line in method_section(plain)  # the briefing's method, as before
    method = method_section(every)
    assert "办理时间按各事项自身的用时分布（校准或声明）推算：有自身用时分布" in method
    assert "按时办结的事项用时在时限的一定比例之间随机" not in method
    compare = {
        "kind": "compare",
        "limit_basis": "statutory",
        "payload": {"baseline": one["payload"], "reform": plain["payload"]},
    }
    zh, en = handling_basis(compare, "statutory", "?")
    m = len(plain["payload"]["items"])  # the built-in's items, none with its own handling
    assert (
        zh == f"各事项自身的用时分布（基准 3 个事项中的 1 个、改革 {m} 个事项中的 0 个；其余事项按法定时限）"
    )
    assert (
        en
        == f"handling from own distributions for baseline 1 of 3, reform 0 of {m} items, the rest scaled to statutory limits"
    )
