"""PDF from the HTML report: headless Chromium prints it (``--print-to-pdf``), nothing else.

Why Chromium, not WeasyPrint: the planner's browser and the PDF then lay the report out with the same engine,
so the HTML prints to the same pages as the PDF (the report's ``@media print`` rules and ``@page`` size serve
both); Chromium draws the inline SVG figures and the embedded web font exactly as on screen; and it adds no
Python dependency (WeasyPrint needs Pango from the system and lays out CSS its own way). The cost: a system
package (Debian ``chromium``) and about 1-2 s per PDF to start the browser. Found as ``$APPROVAL_SIM_CHROMIUM``,
else ``chromium``, ``chromium-browser``, ``google-chrome`` on the PATH. Each print uses a fresh, throw-away
profile and no network, so a report never depends on what the browser has cached or can reach.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_ENV = "APPROVAL_SIM_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 120
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
)

# user-facing messages (Chinese first, English beside), in one place for the i18n pass
TEXT = {
    "missing": (
        "无法生成 PDF：找不到 Chromium 浏览器（PDF 由无界面 Chromium 打印）。"
        " / Cannot write the PDF: headless Chromium is not installed."
    ),
    "missing_fix": (
        "解决办法 Fix: 安装 Chromium（Debian/Ubuntu: sudo apt-get install chromium），"
        f"或用环境变量 {CHROMIUM_ENV}=/path/to/chromium 指定；其他格式不受影响（--format html 仍可用浏览器打印）。"
    ),
    "bad_env": "{env}={path} 不是可执行文件 / is not an executable file",
    "failed": "Chromium 未能打印 PDF（退出码 {code}）/ Chromium failed to print the PDF (exit {code}): {detail}",
    "timeout": "Chromium 在 {seconds} 秒内未完成打印 / Chromium did not finish printing within {seconds} s",
}


class RendererMissing(RuntimeError):
    """No Chromium to print with: ``message`` says so, ``fix`` says what to install or set."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(f"{message}\n{fix}")
        self.message = message
        self.fix = fix
        self.written: list[Path] = []  # files an export wrote before it needed the renderer


class RenderFailed(RuntimeError):
    """Chromium ran but wrote no PDF."""


def find_chromium() -> Path:
    """The Chromium executable to print with, or :class:`RendererMissing` with the fix."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        path = Path(configured)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise RendererMissing(TEXT["bad_env"].format(env=CHROMIUM_ENV, path=configured), TEXT["missing_fix"])
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise RendererMissing(TEXT["missing"], TEXT["missing_fix"])


def html_to_pdf(html_file: Path, pdf_file: Path) -> Path:
    """Print ``html_file`` (a self-contained page) to ``pdf_file`` with headless Chromium; return ``pdf_file``.

    The PDF is written next to its final name first and moved into place, so a failed print never leaves a
    truncated file behind.
    """
    chromium = find_chromium()
    pdf_file = Path(pdf_file)
    pdf_file.parent.mkdir(parents=True, exist_ok=True)
    partial = pdf_file.with_name(pdf_file.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="approval-sim-chromium-") as profile:
        command = [
            str(chromium),
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={partial}",
            Path(html_file).resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            partial.unlink(missing_ok=True)
            raise RenderFailed(TEXT["timeout"].format(seconds=TIMEOUT_SECONDS)) from None
    if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        detail = "; ".join(line for line in done.stderr.splitlines()[-3:] if "dbus" not in line)
        raise RenderFailed(TEXT["failed"].format(code=done.returncode, detail=detail or "no output"))
    partial.replace(pdf_file)
    return pdf_file
