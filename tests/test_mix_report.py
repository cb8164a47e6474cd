"""A project mix in the reports: ``run compare`` on a mix scenario stores the result per profile, and ``export``
states the mix and shows each profile's headline figure (briefing, HTML report, Excel overview, CSV).

End to end through the CLI (the Prefect flow on the session's test server, the results database, the export).
Independent expectation: each profile's before/after means recomputed here from that profile simulated alone
(``simulations.mix``: its own compiled process, the same replication seeds) on exactly the projects the mix gave
it (``assign``); and the mix as a whole as the projects' mean, which with one replication is each profile's
share of the projects drawn times its mean.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from approval_sim.cli import app
from flows import work
from flows.store import repository
from flows.store.database import get_engine
from simulations.compare import common_mix, compiled_side
from simulations.mix import assign
from simulations.runner import run_replication_modes
from simulations.sampling import replication_seeds
from tests.test_mix import MIXED  # mix: {enterprise-filing-typical: 60, 备案类小项目: 10, ...: 20, ...: 10}

pytestmark = pytest.mark.usefixtures("prefect_server")

runner = CliRunner()

SHARES = {"enterprise-filing-typical": 0.6, "备案类小项目": 0.1, "enterprise-approval-typical": 0.2,
          "government-typical": 0.1}  # fmt: skip
CHINESE = {"enterprise-filing-typical": "备案类企业投资项目", "备案类小项目": "备案类小项目",
           "enterprise-approval-typical": "核准类企业投资项目", "government-typical": "一般政府投资项目"}  # fmt: skip
PROJECTS, REPLICATIONS, SEED = 400, 2, 11


def alone_means(mixed: Path, projects: int, replications: int, seed: int) -> dict[str, tuple[float, float]]:
    """(before, after) mean days of each profile: the profile simulated alone, on the projects the mix gave it."""
    spec = work.PairSpec(
        str(mixed), "luoyang-2017-after", projects=projects, replications=replications, seed=seed
    )
    before, after = spec.processes()
    declaring = common_mix(before, after)
    sides = {"serial": compiled_side(before, declaring), "parallel": compiled_side(after, declaring)}
    means: dict[str, list[list[float]]] = {name: [[], []] for name in SHARES}
    for replication_seed in replication_seeds(seed, replications):
        for column, (mode, mix) in enumerate(sides.items()):
            who = assign(mix, replication_seed, 0, projects)
            for g, name in enumerate(mix.profiles):
                days = run_replication_modes(mix.parts[g], [mode], projects, replication_seed)[mode]
                means[name][column].append(float(days.end_to_end_days[who == g].mean()))
    return {name: (float(np.mean(b)), float(np.mean(a))) for name, (b, a) in means.items()}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mix-report")
    mixed = folder / "mixed.yaml"
    mixed.write_text(MIXED, encoding="utf-8")
    url = f"sqlite:///{folder / 'runs.db'}"
    args = ["run", "compare", str(mixed), "luoyang-2017-after", "-n", str(PROJECTS), "-r", str(REPLICATIONS),
            "--seed", str(SEED), "--no-robustness", "--database", url, "--json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    run_id = json.loads(result.stdout)["run_id"]
    out = folder / "out"
    exported = runner.invoke(
        app, ["export", str(run_id), "--format", "html,xlsx,csv", "--out", str(out), "--database", url]
    )
    assert exported.exit_code == 0, exported.output
    run = repository.get_run(get_engine(url), run_id)
    return run, out, alone_means(mixed, PROJECTS, REPLICATIONS, SEED)


def test_run_compare_stores_each_profiles_headline(stored):
    run, _, alone = stored
    profiles = run["payload"]["profiles"]
    assert run["payload"]["mix"] == pytest.approx(SHARES)
    assert set(profiles) == set(SHARES)
    for name, (before, after) in alone.items():
        row = profiles[name]
        assert row["share"] == pytest.approx(SHARES[name])
        assert row["baseline_mean_days"] == pytest.approx(before, abs=1e-3)
        assert row["reform_mean_days"] == pytest.approx(after, abs=1e-3)
        assert row["reduction"]["mean"] == pytest.approx(1 - after / before, abs=0.01)
    assert sum(r["projects_drawn"] for r in profiles.values()) == PROJECTS * REPLICATIONS
    # the stored run names the mix, not one profile
    assert run["profile"].startswith("mix: ")


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def test_the_briefing_states_the_mix_and_each_profiles_result(stored):
    run, out, alone = stored
    page = (out / f"run-{run['id']}-report.html").read_text(encoding="utf-8")
    mix_words = (
        "项目组合：备案类企业投资项目 60%、核准类企业投资项目 20%、一般政府投资项目 10%、备案类小项目 10%"
    )
    header = text_of(page[page.index('class="brief-header"') : page.index('id="verdict"')])
    assert mix_words in header
    conclusion = text_of(page[page.index('id="brief-conclusion"') : page.index('id="brief-profiles"')])
    assert f"项目画像为 {mix_words}" in conclusion
    section = page[page.index('id="brief-profiles"') : page.index('id="brief-targets"')]
    said = text_of(section)
    assert "按串联改并联口径" in said and "办理时间按法定时限推算" in said  # its framing and limit basis
    rows = [text_of(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S)][1:]
    assert len(rows) == len(SHARES) + 1
    for name, (before, after) in alone.items():
        row = next(r for r in rows if r.strip().startswith(CHINESE[name] + " "))
        assert f" {SHARES[name]:.0%} " in row
        assert f" {before:.1f} " in row and f" {after:.1f} " in row
        shown = float(re.search(r"(\d+\.\d)% （", row)[1]) / 100  # the reduction (mean of the replications')
        assert shown == pytest.approx(1 - after / before, abs=0.01)
    whole = rows[-1]
    assert whole.strip().startswith("组合（整体）") and f"{run['reduction_mean']:.1%}" in whole
    assert "Per profile (serial-to-parallel, handling on statutory limits)" in said


def test_the_excel_overview_names_the_mix_and_lists_each_profile(stored):
    run, out, alone = stored
    sheet = load_workbook(out / f"run-{run['id']}.xlsx")["概览"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    profile_row = next(r for r in rows if r[0] == "项目画像")
    assert profile_row[1].startswith("项目组合：备案类企业投资项目 60%")
    assert profile_row[2].startswith("project mix: enterprise-filing-typical 60%")
    start = next(i for i, r in enumerate(rows) if r[0] == "分项目画像结果（Result per project profile）")
    header = rows[start + 1]
    assert header[:6] == [
        "项目画像",
        "画像编码",
        "占比",
        "模拟项目数",
        "改革前平均（工作日）",
        "改革后平均（工作日）",
    ]
    block = {r[1]: r for r in rows[start + 2 : start + 2 + len(SHARES) + 1]}
    for name, (before, after) in alone.items():
        assert block[name][2] == pytest.approx(SHARES[name])
        assert block[name][4] == pytest.approx(before, abs=1e-3)
        assert block[name][5] == pytest.approx(after, abs=1e-3)
    whole = block["mix"]
    assert whole[3] == PROJECTS * REPLICATIONS
    assert whole[6] == pytest.approx(run["reduction_mean"])
    with (out / f"run-{run['id']}-profiles.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert {r["画像编码"] for r in csv.DictReader(handle)} == {*SHARES, "mix"}


def test_one_replication_the_mix_is_the_shares_drawn_times_the_profiles(tmp_path):
    """With one replication the mixed mean is exactly sum(projects drawn / projects x profile mean), both sides."""
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(MIXED, encoding="utf-8")
    spec = work.PairSpec(str(mixed), "luoyang-2017-after", projects=300, replications=1, seed=5,
                         robustness_samples=None)  # fmt: skip
    comparison = work.assemble_comparison(spec, [work.run_pair_replications(spec, (0,))])
    payload = work.comparison_outcome(comparison, *spec.processes()).payload
    for side, key in (("baseline", "baseline_mean_days"), ("reform", "reform_mean_days")):
        drawn = payload[side]["profiles"]
        weighted = sum(drawn[n]["projects_drawn"] / 300 * payload["profiles"][n][key] for n in drawn)
        assert weighted == pytest.approx(payload[side]["mean_days"], abs=1e-3)


def test_a_simulated_mix_lists_each_profiles_time(tmp_path):
    from exports.briefing import briefing_html
    from exports.run_tables import build_tables
    from flows.store.records import RunStart
    from simulations.runner import simulate

    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(MIXED, encoding="utf-8")
    process = work.PairSpec(str(mixed), None).processes()[0]
    single = simulate(process, mode="parallel", projects=300, replications=2, seed=3)
    engine = get_engine(f"sqlite:///{tmp_path / 'runs.db'}")
    run_id = repository.start_run(engine, RunStart(kind="simulate", scenario="mixed", mode="parallel",
                                                   profile=work.profile_label(process, None)))  # fmt: skip
    repository.complete_run(engine, run_id, work.simulation_outcome(single, process))
    run = repository.get_run(engine, run_id)
    table = next(t for t in build_tables(run) if t.key == "profiles")
    by_code = {row[1]: row for row in table.rows}
    for name, summary in single.summary()["profiles"].items():
        assert by_code[name][2] == pytest.approx(SHARES[name])
        assert by_code[name][4] == pytest.approx(summary["mean_days"])
    assert sum(row[3] for row in table.rows) == 600  # 300 projects x 2 replications, each in one profile
    brief = text_of(briefing_html(run))
    assert "各类项目的结果" in brief and "项目组合：备案类企业投资项目 60%" in brief
