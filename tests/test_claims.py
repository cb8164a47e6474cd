"""Claims of plans 2-5: transcription, computed reductions checked by hand, consistency, targets, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from approval_model.claims import (
    DEFAULT_TOLERANCE,
    check_claim,
    check_claims,
    computed_reduction,
    is_consistent,
    load_claims,
    meets_target,
    parse_share,
    summarize,
)
from approval_sim.cli import app

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "luoyang-2017-fangguanfu-plan.zh.txt"
runner = CliRunner()


def by_id(claim_id: str):
    return check_claim(next(c for c in load_claims() if c.id == claim_id))


# ---- computed reductions, by hand ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim_id", "expected"),
    [
        ("p4-elec-time-residential", 15 / 22),  # 22 -> 7 working days: 15 of 22 saved = 68.18 %
        ("p4-elec-time-other-low", 11 / 29),  # 29 -> 18: 37.93 %
        ("p4-elec-time-hv-single", 21 / 59),  # 59 -> 38: 35.59 %
        ("p4-elec-time-hv-dual", 31 / 84),  # 84 -> 53: 36.90 %
        ("p4-water-time", 15 / 45),  # 45 -> 30: exactly one third
        ("p4-water-steps", 7 / 17),  # 17 -> 10 steps: 41.18 %
        ("p4-gas-materials", 4 / 11),  # 11 -> 7 documents: 36.36 %
        ("p4-elec-materials-high", 3 / 8),  # 8 -> 5: 37.5 %
        ("p3-t28-time", 13 / 20),  # 20 -> 7 working days: 65 %
        ("p3-t10-steps", 2 / 3),  # 3 visits -> 1
        ("p3-t01-time", 1.0),  # 15 working days -> on the spot
        ("p3-t11-materials", 1.0),  # written evidence -> 不再报送
        ("p2-35-certificates", 34 / 35),
    ],
)
def test_computed_reduction_matches_hand_calculation(claim_id, expected):
    assert by_id(claim_id).computed_reduction == pytest.approx(expected, abs=1e-12)


def test_computed_reduction_unknowns():
    assert computed_reduction(None, 20) is None  # gas: "<= 20 working days", no before
    assert computed_reduction(None, 0) is None  # nothing known about before
    assert computed_reduction(None, 0, before_nonzero=True) == 1.0
    assert computed_reduction(10, None) is None
    assert computed_reduction(0, 0) is None


# ---- consistency and targets --------------------------------------------------------------------


def test_residential_electricity_one_third_is_flagged():
    check = by_id("p4-elec-time-residential")
    assert check.claim.stated_reduction == pytest.approx(1 / 3)
    assert check.consistent is False
    assert check.discrepancy == pytest.approx(15 / 22 - 1 / 3)  # +34.8 pp: the figures give far more
    assert check.meets_target is True  # the section 二 target is only ">= 30 %"


def test_consistent_claims_pass():
    assert by_id("p3-t28-time").consistent is True  # 20 -> 7 stated 65 %
    assert by_id("p3-t23-steps").consistent is True  # 4 -> 2 visits stated 50 %
    assert by_id("p4-elec-repair-urban").consistent is True  # 60 -> 45 minutes stated 1/4


def test_visits_three_to_one_is_not_thirty_percent():
    check = by_id("p3-t10-steps")
    assert check.consistent is False
    assert check.discrepancy == pytest.approx(2 / 3 - 0.3)


def test_unquantified_claims_are_not_judged():
    check = by_id("p3-t02-time")  # 时间压缩 70 % with no figures
    assert check.claim.stated_reduction == pytest.approx(0.7)
    assert (check.computed_reduction, check.consistent, check.meets_target) == (None, None, None)


def test_tolerance_boundary():
    assert DEFAULT_TOLERANCE == 0.01
    assert is_consistent(0.33, 0.34) is True  # exactly one point apart
    assert is_consistent(0.33, 0.3401) is False
    assert is_consistent(0.65, 0.6401) is True
    assert is_consistent(None, 0.5) is None
    assert is_consistent(0.33, 0.3793, tolerance=0.05) is True
    with pytest.raises(ValueError):
        is_consistent(0.3, 0.3, tolerance=-0.01)


def test_meets_target_boundary():
    assert meets_target(0.30, 0.30) is True
    assert meets_target(0.2999, 0.30) is False
    assert meets_target(None, 0.30) is None
    assert meets_target(0.5, None) is None


def test_gas_target_cannot_be_checked_without_before():
    check = by_id("p4-gas-time")
    assert check.claim.target == pytest.approx(0.30)
    assert check.meets_target is None


def test_parse_share():
    assert parse_share("65%") == pytest.approx(0.65)
    assert parse_share("65％") == pytest.approx(0.65)
    assert parse_share("1/3") == pytest.approx(1 / 3)
    assert parse_share(0.25) == 0.25
    assert parse_share(None) is None
    for bad in ("abc", "150%", "1/0", True):
        with pytest.raises(ValueError):
            parse_share(bad)


def test_summary_counts_and_inconsistent_claims():
    summary = summarize(check_claims(load_claims()))
    assert summary["claims"] == len(load_claims()) == 61
    assert summary["checked"] == 15
    assert summary["inconsistent_ids"] == [
        "p3-t10-steps",
        "p3-t22-time",
        "p4-elec-time-residential",
        "p4-elec-time-other-low",
        "p4-elec-time-hv-single",
        "p4-elec-time-hv-dual",
    ]
    assert summary["target_missed"] == 0


def test_tolerance_changes_the_verdict():
    loose = {c.claim.id: c.consistent for c in check_claims(load_claims(), tolerance=0.05)}
    assert loose["p4-elec-time-other-low"] is True  # 37.9 % vs 1/3 within 5 pp
    assert loose["p4-elec-time-residential"] is False


# ---- the data ----------------------------------------------------------------------------------


def test_claim_data_is_complete():
    claims = load_claims()
    assert len({c.id for c in claims}) == len(claims)
    assert {c.plan for c in claims} == {2, 3, 4}
    tax_rows = {int(m[1]) for c in claims if (m := re.match(r"附件 第(\d+)项", c.section))}
    assert tax_rows == set(range(1, 31))  # every row of the 30-measure table
    for c in claims:
        if c.stated_reduction is not None:
            assert c.stated_text, c.id


def test_every_quoted_phrase_is_in_the_source_text():
    source = re.sub(r"\s+", "", REFERENCE.read_text(encoding="utf-8"))
    table_lines = {
        int(line.split("\t")[0]): re.sub(r"\s+", "", line)
        for line in REFERENCE.read_text(encoding="utf-8").splitlines()
        if re.match(r"^\d+\t", line)
    }
    for c in load_claims():
        phrases = [*c.wording, c.before_text, c.after_text, c.target_wording]
        for phrase in filter(None, phrases):
            assert re.sub(r"\s+", "", phrase) in source, (c.id, phrase)
        if (m := re.match(r"附件 第(\d+)项", c.section)) is not None:
            row = table_lines[int(m[1])]
            for phrase in filter(None, [c.subject, *phrases]):
                assert re.sub(r"\s+", "", phrase) in row, (c.id, phrase)


def test_load_claims_reports_the_bad_entry(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text(
        "claims:\n  - {id: x1, plan: 4, section: s, subject: s, measure: time, unit: working_days,"
        " before: 10, after: 5, stated_reduction: 'half', wording: [w]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"claim x1: stated_reduction"):
        load_claims(path)
    path.write_text("claims: [\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read claims"):
        load_claims(path)


# ---- CLI ----------------------------------------------------------------------------------------


def test_claims_json_fields():
    result = runner.invoke(app, ["claims", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert isinstance(payload, list) and len(payload) == 61
    required = {
        "plan",
        "subject",
        "unit",
        "before",
        "after",
        "stated_reduction",
        "computed_reduction",
        "consistent",
        "meets_target",
    }
    for entry in payload:
        assert required <= entry.keys()
    residential = next(e for e in payload if e["id"] == "p4-elec-time-residential")
    assert residential["before"] == 22 and residential["after"] == 7
    assert residential["stated_reduction"] == pytest.approx(0.3333)
    assert residential["computed_reduction"] == pytest.approx(0.6818)
    assert residential["consistent"] is False and residential["meets_target"] is True
    complaint = next(e for e in payload if e["id"] == "p4-elec-complaint")
    assert complaint["stated_reduction"] is None and complaint["consistent"] is None


def test_claims_plan_filter_and_text():
    result = runner.invoke(app, ["claims", "--plan", "4", "--json"])
    assert result.exit_code == 0
    assert {e["plan"] for e in json.loads(result.stdout)} == {4}
    text = runner.invoke(app, ["claims", "--plan", "4"], env={"COLUMNS": "200"})
    assert text.exit_code == 0
    assert "p4-elec-time-residential" in text.stdout and "NO +34.8pp" in text.stdout
    assert "4 inconsistent" in text.stdout


def test_claims_plan_5_has_nothing_to_check():
    assert json.loads(runner.invoke(app, ["claims", "--plan", "5", "--json"]).stdout) == []
    assert "states no before/after figures" in runner.invoke(app, ["claims", "--plan", "5"]).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "1"], "approval-sim analyze"),
        (["--plan", "7"], "2, 3, 4 or 5"),
        (["--tolerance", "-1"], "--tolerance"),
    ],
)
def test_claims_bad_options_exit_2(args, message):
    result = runner.invoke(app, ["claims", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr
