"""A scenario's own named profiles (`profiles:`): chosen by `profile:` and `--profile`, checked like any key."""

from __future__ import annotations

import pytest

from approval_model.problems import ScenarioError
from approval_model.scenario import load_process
from rules.loading import for_profile

SCENARIO = """\
name: own-profiles
departments: [{id: d, name: 部门}]
stages: [{id: s, name: 阶段}]
items:
  - {id: G1, name: 政府项目事项, department: d, stage: s, statutory_limit_days: 10,
     applies_when: {investment_types: [government]}}
  - {id: F1, name: 备案事项, department: d, stage: s, statutory_limit_days: 5,
     applies_when: {investment_types: [enterprise_filing]}}
  - {id: B1, name: 大项目事项, department: d, stage: s, statutory_limit_days: 7,
     applies_when: {min_investment_million_yuan: 100}}
profiles:
  备案类小项目: {investment_type: enterprise_filing, investment_million_yuan: 20}
  政府大项目: {investment_type: government, investment_million_yuan: 500}
profile: 备案类小项目
"""


def test_profile_names_one_of_the_scenarios_own_profiles(tmp_path):
    path = tmp_path / "own.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    process = load_process(path)
    assert process.profile.name == "备案类小项目"
    assert [i.id for i in for_profile(process, None).items] == ["F1"]
    assert [i.id for i in for_profile(process, "政府大项目").items] == ["G1", "B1"]
    assert for_profile(process, "enterprise-filing-typical").profile.investment_type == "enterprise_filing"


def test_an_unknown_profile_names_the_scenarios_own_ones_too(tmp_path):
    path = tmp_path / "own.yaml"
    path.write_text(SCENARIO.replace("profile: 备案类小项目", "profile: 备案类项目"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="did you mean '备案类小项目'"):
        load_process(path)
    path.write_text(SCENARIO, encoding="utf-8")
    with pytest.raises(ScenarioError, match="备案类小项目, 政府大项目, government-typical"):
        for_profile(load_process(path), "政府小项目")


def test_a_profile_entry_is_checked_like_a_profile(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        SCENARIO.replace("investment_million_yuan: 500}", "investment_million_yuan: -5, size: big}"),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_process(path)
    text = str(caught.value)
    assert "profiles.政府大项目.investment_million_yuan" in text and "0 to 10,000,000 million yuan" in text
    assert "unknown key 'size'" in text and "allowed keys: name, investment_type" in text
