"""Rules as families: every rule's policy source and defaults come from rules/data/policy.yaml, and the one audit
helper derives an entry's sources and status from the parameter entry it rests on."""

from __future__ import annotations

import yaml

from approval_model.scenario import load_process
from rules.engine import Sourced, audit_entry
from rules.measures import FAMILIES
from rules.policy import POLICY_FILE
from rules.rulebook import apply_rule, known_rules, parse_params, spec


def test_every_rule_cites_a_policy_source_of_the_policy_file():
    sources = set(yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))["sources"].values())
    for name in known_rules():
        assert spec(name).source in sources, name


def test_every_rule_belongs_to_a_family_module():
    modules = {family.__name__ for family in FAMILIES}
    assert {spec(name).function.__module__ for name in known_rules()} == modules
    assert len(known_rules()) >= 24


def test_defaults_are_the_policy_files():
    policy = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))["defaults"]
    compress = parse_params("compress_time_limits", {})
    assert (compress.factor, compress.key_factor) == (2 / 3, 0.5)  # Xinyang's rule, as the file says
    government = parse_params("merge_government_early_approvals", {"threshold_million_yuan": 30})
    expected = policy["merge_government_early_approvals"]
    assert list(government.items) == expected["items"] and government.name == expected["name"]
    assert (
        parse_params("joint_acceptance", {"items": ["A", "B"], "department": "D"}).new_id
        == policy["joint_acceptance"]["new_id"]
    )


def test_audit_entry_takes_sources_and_status_from_its_basis():
    documented = Sourced(sources=("S1", "S2"))
    entry = audit_entry("r", "cancelled", "POLICY", documented, items=["I01"], note="why")
    assert (entry.rule, entry.action, entry.items, entry.note) == ("r", "cancelled", ("I01",), "why")
    assert entry.source == "POLICY; S1; S2" and entry.status == "documented"
    assumed = audit_entry("r", "cancelled", "POLICY", Sourced())
    assert (assumed.source, assumed.status) == ("POLICY", "assumed")
    told = audit_entry("r", "limit_compressed", "POLICY", documented, status="assumed")
    assert told.status == "assumed" and told.source == "POLICY; S1; S2"
    plain = audit_entry("r", "handled_online", "POLICY", status="documented")
    assert (plain.source, plain.status) == ("POLICY", "documented")


def test_a_rules_audit_cites_the_family_source_then_the_entrys():
    process = load_process("luoyang-2017-before")
    item = process.items[-1]
    _, audit = apply_rule(
        process, "cancel_unnecessary_materials", {"items": [{"item": item.id, "count": 1, "sources": ["X9"]}]}
    )
    (entry,) = audit
    assert (
        entry.source == f"{spec('cancel_unnecessary_materials').source}; X9" and entry.status == "documented"
    )
