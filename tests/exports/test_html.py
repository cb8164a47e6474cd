"""The HTML report: self-contained, in order (briefing, then appendix), printable, and as rendered by headless
Chromium (set ``APPROVAL_SIM_SCREENSHOT_DIR`` to keep the screenshot; the suite writes nothing into the
repository)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.exports.files import CHROMIUM, png_size


def test_html_is_self_contained(compare_export):
    run, files = compare_export
    page = files[f"run-{run['id']}-report.html"].read_text(encoding="utf-8")
    assert (
        page.startswith("<!DOCTYPE html>")
        and '<html lang="zh-CN">' in page
        and '<meta charset="utf-8">' in page
    )
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", page)
    assert page.count("<figure ") == page.count("<svg ") == 4  # figures inline as SVG, text kept as text
    assert "data:image/png" not in page and "<!DOCTYPE svg" not in page
    assert 'src: url("data:font/woff;base64,' in page
    # the briefing first (verdict, conclusion ... caveats), then the appendix: figures, then tables
    order = [
        'id="verdict"', 'id="brief-conclusion"', 'id="brief-targets"', 'id="brief-robustness"',
        'id="brief-clocks"', 'id="brief-bottlenecks"', 'id="brief-method"', 'id="brief-caveats"',
        'id="appendix-title"', 'id="figures"', 'id="tables"',
    ]  # fmt: skip
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "压缩目标达成" in page and "holds" in page and "目标 20%" in page
    # no internal notes about what the run lacks (those are the command's to say)
    assert "无敏感性结果" not in page and "note:" not in page
    # print stylesheet: A4 pages, no scroll boxes, repeated table headers, the appendix on a new page
    css = page[page.index("@media print") :]
    assert "overflow: visible; max-height: none" in css and "display: table-header-group" in css
    assert "#appendix-title { break-before: page" in css and "@page { size: A4" in page


def run_chromium(*arguments: str, user_data: Path) -> subprocess.CompletedProcess:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={user_data}", *arguments,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


CHECK_SCRIPT = """
<script>
window.addEventListener("load", function () {
  var figures = Array.prototype.slice.call(document.querySelectorAll("figure svg"));
  var result = {
    images: figures.length,
    loaded: figures.filter(function (f) { var b = f.getBoundingClientRect(); return b.width > 300 && b.height > 100; }).length,
    verdict: (document.getElementById("verdict") || {}).innerText || "",
    verdictHeight: (document.getElementById("verdict") || {offsetHeight: 0}).offsetHeight,
    font: document.fonts.check('16px "Report CJK"', "审批")
  };
  var out = document.createElement("pre");
  out.id = "export-check";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>
"""


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium not installed (apt-get install chromium; .ci/run does this)",
)
def test_html_in_headless_chromium(compare_export, tmp_path):
    run, files = compare_export
    report = files[f"run-{run['id']}-report.html"]
    probe = tmp_path / "probe.html"
    probe.write_text(
        report.read_text(encoding="utf-8").replace("</body>", CHECK_SCRIPT + "</body>"), encoding="utf-8"
    )
    dumped = run_chromium(
        "--virtual-time-budget=5000", "--dump-dom", probe.as_uri(), user_data=tmp_path / "profile-1"
    )
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    match = re.search(r'<pre id="export-check">(.*?)</pre>', dumped.stdout, re.S)
    assert match, "the check script did not run: " + dumped.stdout[-500:]
    result = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert result["images"] == 4 and result["loaded"] == 4
    assert "达标" in result["verdict"] and "holds" in result["verdict"] and "%" in result["verdict"]
    assert result["verdictHeight"] > 80
    assert result["font"] is True

    screenshot = tmp_path / "report-screenshot.png"
    shot = run_chromium(
        f"--screenshot={screenshot}", "--window-size=1366,900", "--virtual-time-budget=5000", "--hide-scrollbars",
        report.as_uri(), user_data=tmp_path / "profile-2",
    )  # fmt: skip
    assert shot.returncode == 0 and screenshot.exists(), shot.stderr[-2000:]
    assert png_size(screenshot) == (1366, 900)
    keep = os.environ.get("APPROVAL_SIM_SCREENSHOT_DIR")
    if keep:  # a reviewer's copy, outside the tree unless asked for
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot, Path(keep) / "report-screenshot.png")
