"""``approval-sim export``: formats, the files it names, refusals with exit status 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner


@pytest.fixture(scope="module")
def cli():
    import typer

    from approval_sim import export_cli

    app = typer.Typer()
    app.command("noop")(lambda: None)  # a second command keeps 'export' a subcommand
    export_cli.register(app, typer.Typer())
    return app


def test_cli_exports(store, cli, tmp_path):
    url, runs = store
    result = CliRunner().invoke(
        cli,
        [
            "export",
            str(runs["compare"]["id"]),
            "--format",
            "xlsx",
            "--format",
            "csv",
            "--out",
            str(tmp_path),
            "--database",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"run-{runs['compare']['id']}.xlsx").exists()
    assert (tmp_path / f"run-{runs['compare']['id']}-items.csv").exists()
    assert not list(tmp_path.glob("*.png"))
    assert str(tmp_path / f"run-{runs['compare']['id']}.xlsx") in result.stdout


def test_cli_png_means_png_and_svg(store, cli, tmp_path, monkeypatch):
    url, runs = store
    monkeypatch.setenv("APPROVAL_SIM_DATABASE_URL", url)
    result = CliRunner().invoke(
        cli, ["export", str(runs["simulate"]["id"]), "--format", "png", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert {p.suffix for p in tmp_path.iterdir()} == {".png", ".svg"}
    assert "no sensitivity rows" in result.stderr


def test_cli_unknown_run_and_format(store, cli, tmp_path):
    url, _ = store
    result = CliRunner().invoke(cli, ["export", "9999", "--out", str(tmp_path), "--database", url])
    assert result.exit_code == 2
    assert "no run with id 9999" in result.stderr and "Traceback" not in result.output
    result = CliRunner().invoke(
        cli, ["export", "1", "--format", "docx", "--out", str(tmp_path), "--database", url]
    )
    assert result.exit_code == 2
    assert "unknown export format 'docx'" in result.stderr and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_cli_wired_into_main_app():
    from approval_sim.cli import app

    result = CliRunner().invoke(app, ["export", "--help"])
    assert result.exit_code == 0 and "--format" in result.output
