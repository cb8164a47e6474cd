"""The built-in Luoyang 2017 pre-reform catalog: loading, provenance, profiles."""

from __future__ import annotations

import networkx as nx
import pytest
import yaml

from approval_model.graph import analyse, process_graph
from approval_model.problems import ScenarioError
from approval_model.profiles import applicable_process, builtin_profiles, load_profile
from approval_model.scenario import load_process
from approval_model.scenario_document import BUILTIN_DIR

BEFORE = "luoyang-2017-before"


@pytest.fixture(scope="module")
def before():
    return load_process(BEFORE)


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load((BUILTIN_DIR / f"{BEFORE}.yaml").read_text(encoding="utf-8"))


def test_catalog_has_the_plan_departments(before):
    names = {d.name for d in before.departments}
    assert len(before.departments) == 19
    for expected in ("市发展改革委", "市编办（审改办）", "市城乡规划局", "市文物局", "市消防支队"):
        assert expected in names


def test_catalog_covers_initiation_to_completion(before):
    assert [s.id for s in before.stages] == ["P_LX", "P_BJ", "P_YS"]
    graph = process_graph(before)
    assert nx.is_directed_acyclic_graph(graph)
    # everything ends in the completion filing
    assert "I40" in {node for node in graph if graph.out_degree(node) == 0}


def test_every_limit_and_material_count_has_provenance(before, raw):
    for item in before.items:
        for field in ("statutory_limit_days", "materials"):
            record = item.provenance[field]
            assert record.status in ("documented", "assumed")
            if record.status == "documented":
                assert all(source in before.sources for source in record.sources), (item.id, record.sources)
    # the loader keeps what the file says: compare with the raw YAML, number by number
    for raw_item in raw["items"]:
        item = before.item(raw_item["id"])
        assert item.statutory_limit_days == raw_item["statutory_limit_days"]["value"]
        assert item.provenance["statutory_limit_days"].status == raw_item["statutory_limit_days"]["status"]


def test_documented_numbers_match_the_facts(before):
    # spot checks against approval_catalog_facts.yaml
    assert before.item("I04").statutory_limit_days == 20
    assert before.item("I04").provenance["statutory_limit_days"].status == "documented"
    assert before.item("I05").statutory_limit_days == 10
    assert before.item("I26").statutory_limit_days == 15
    assert before.item("I26").material_count == 12
    assert before.item("I02").provenance["statutory_limit_days"].status == "assumed"


def test_conditional_items_follow_the_profile(before):
    government = applicable_process(before, load_profile("government-typical"))
    filing = applicable_process(before, load_profile("enterprise-filing-typical"))
    assert {"I01", "I02", "I03"} <= set(government.item_ids)
    assert not {"I04", "I05"} & set(government.item_ids)
    assert "I05" in filing.item_ids and not {"I01", "I02", "I03", "I04"} & set(filing.item_ids)
    assert "I17" not in government.item_ids  # no forest land
    assert load_profile("all") is None and applicable_process(before, None) is before


def test_removed_items_are_bypassed_not_dropped(before):
    filing = applicable_process(before, load_profile("enterprise-filing-typical"))
    graph = process_graph(filing)
    assert nx.is_directed_acyclic_graph(graph)
    # I08 (land-use planning permit) needed I02/I04/I05: for a filed project only I05 remains before it
    assert nx.has_path(graph, "I05", "I08")
    assert all(p in filing.item_ids for item in filing.items for p in item.prerequisite_ids)


def test_bypass_keeps_transitive_order():
    from approval_model.models import Process, ProjectProfile

    process = Process.model_validate(
        {
            "name": "t",
            "departments": [{"id": "d", "name": "部门"}],
            "stages": [{"id": "S", "name": "阶段"}],
            "items": [
                {"id": "A", "name": "a", "department": "d", "stage": "S", "statutory_limit_days": 5},
                {
                    "id": "B",
                    "name": "b",
                    "department": "d",
                    "stage": "S",
                    "statutory_limit_days": 5,
                    "prerequisites": ["A"],
                    "applies_when": {"any_site_conditions": ["forest_land"]},
                },
                {
                    "id": "C",
                    "name": "c",
                    "department": "d",
                    "stage": "S",
                    "statutory_limit_days": 5,
                    "prerequisites": ["B"],
                },
            ],
        }
    )
    reduced = applicable_process(process, ProjectProfile(investment_type="government"))
    assert reduced.item_ids == ("A", "C") and reduced.item("C").prerequisite_ids == ("A",)
    assert "via B" in (reduced.item("C").prerequisites[0].note or "")
    kept = applicable_process(
        process, ProjectProfile(investment_type="government", site_conditions=("forest_land",))
    )
    assert kept.item_ids == ("A", "B", "C")


def test_investment_thresholds():
    from approval_model.models import Applicability, ProjectProfile

    small = ProjectProfile(investment_type="government", investment_million_yuan=8)
    large = ProjectProfile(investment_type="government", investment_million_yuan=50)
    rule = Applicability(investment_types=("government",), min_investment_million_yuan=50)
    assert not small.selects(rule) and large.selects(rule)
    assert small.selects(Applicability(max_investment_million_yuan=10)) and not large.selects(
        Applicability(max_investment_million_yuan=10)
    )


def test_builtin_profiles_use_known_site_conditions():
    """Every site condition of a built-in profile selects or deselects some item of some built-in catalog."""
    from approval_model.scenario_document import builtin_names
    from rules.loading import load

    vocabulary = set()
    for name in builtin_names():
        for item in load(name).items:
            rule = item.applies_when
            vocabulary |= set(rule.any_site_conditions or ()) | set(rule.excluded_site_conditions or ())
    for profile in builtin_profiles().values():
        unknown = set(profile.site_conditions) - vocabulary - {"ftz"}
        assert not unknown, (profile.name, unknown)


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(ScenarioError, match="did you mean 'government-typical'"):
        load_profile("government-typcal")


def test_analysis_of_the_builtin_catalog_is_consistent(before):
    process = applicable_process(before, load_profile("government-typical"))
    result = analyse(process)
    assert result.serial_days == sum(item.statutory_limit_days for item in process.items)
    assert result.parallel_days < result.serial_days
    assert result.critical_path[-1] == "I40"


def test_alternative_prerequisites_do_not_pass_on_their_own_prerequisites(before):
    """A filed project's land-use planning permit waits for its filing (I05), not for what the government
    feasibility study (I02, an alternative that does not apply) would have waited for."""
    filing = applicable_process(before, load_profile("enterprise-filing-typical"))
    graph = process_graph(filing)
    assert "I05" in filing.item("I08").prerequisite_ids
    assert "I14" not in nx.ancestors(graph, "I08")  # soil-and-water plan gated I02, not I05
    government = applicable_process(before, load_profile("government-typical"))
    assert "I14" in nx.ancestors(process_graph(government), "I08")


def test_one_of_group_with_no_member_applying_is_bypassed():
    from approval_model.models import Process, ProjectProfile

    def item(ident, prerequisites=(), **extra):
        return {
            "id": ident,
            "name": ident,
            "department": "d",
            "stage": "S",
            "statutory_limit_days": 5,
            "prerequisites": list(prerequisites),
            **extra,
        }

    process = Process.model_validate(
        {
            "name": "t",
            "departments": [{"id": "d", "name": "部门"}],
            "stages": [{"id": "S", "name": "阶段"}],
            "items": [
                item("P"),
                item("A", ["P"], applies_when={"investment_types": ["government"]}),
                item("B", applies_when={"investment_types": ["enterprise_filing"]}),
                item("X", [{"item": "A", "one_of": "approval"}, {"item": "B", "one_of": "approval"}]),
            ],
        }
    )
    filing = applicable_process(process, ProjectProfile(investment_type="enterprise_filing"))
    assert filing.item("X").prerequisite_ids == ("B",)  # A's own prerequisite P is not inherited
    approval = applicable_process(process, ProjectProfile(investment_type="enterprise_approval"))
    assert approval.item("X").prerequisite_ids == ("P",)  # no alternative applies: ordering through A is kept
