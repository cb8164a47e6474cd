"""Keep the Chinese catalog in step with the code: ``uv run python -m tools.message_catalog``.

A developer's tool (Babel is a dev dependency; nothing imports this at run time, and it lives outside the
``messages`` package, which stays a leaf of the standard library). It does what
``pybabel extract`` / ``update`` / ``compile`` do, in one step and with one addition:

1. extract every marked string from the packages (``_``, ``N_``, ``pgettext``, ``Message``), plus the help of
   every CLI command (its docstring, which click shows as help and the extractor cannot see as a call);
2. merge them into ``messages/locale/zh_CN/LC_MESSAGES/approval_sim.po``: new strings arrive with an empty
   translation (write the Chinese there), strings no longer used are dropped;
3. compile the ``.mo`` beside it (committed: the installed command reads it, no build step).

``--check`` changes nothing and exits 1 while a string lacks Chinese, the catalog holds unused strings or
the ``.mo`` is stale (tests/test_messages.py asserts the same).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from messages import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[1]
# every package whose strings users read (tests and benchmarks speak to developers)
PACKAGES = (
    "approval_model",
    "approval_sim",
    "rules",
    "simulations",
    "flows",
    "exports",
    "validation",
    "workbooks",
    "readers",
    "messages",
)
KEYWORDS: dict[str, Any] = {**DEFAULT_KEYWORDS, "Message": None}
PO_FILE = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO_FILE = PO_FILE.with_suffix(".mo")

Key = tuple[str, str | None]  # (msgid, context)


@dataclass(frozen=True)
class Found:
    msgid: str
    context: str | None
    place: str  # file:line, or 'command NAME' for a command's help


def extracted() -> Iterator[Found]:
    """Every marked string in the packages and every command's help, where it is."""
    for package in PACKAGES:
        folder = ROOT / package
        for filename, line, message, _comments, context in extract_from_dir(
            folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            text = message if isinstance(message, str) else message[0]
            if text:
                yield Found(text, context, f"{package}/{filename}:{line}")
    yield from command_helps()


def command_helps() -> Iterator[Found]:
    """The help click shows for each command and group (from docstrings or ``help=``), walking the CLI."""
    import typer.main

    from approval_sim.cli import app

    def walk(command: Any, path: str) -> Iterator[Found]:
        if command.help:
            yield Found(command.help, None, f"command {path or '(main)'}")
        for name in sorted(getattr(command, "commands", {})):
            yield from walk(command.commands[name], f"{path} {name}".strip())

    yield from walk(typer.main.get_command(app), "")


def template() -> Catalog:
    catalog = Catalog(domain=DOMAIN, project="approval-sim", charset="utf-8")
    for found in extracted():
        where, line = _location(found.place)
        catalog.add(found.msgid, locations=[(where, line or 0)], context=found.context)
    return catalog


def _location(place: str) -> tuple[str, int | None]:
    where, _, line = place.rpartition(":")
    return (where, int(line)) if line.isdigit() else (place, None)


def read_catalog(path: Path = PO_FILE) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale="zh_CN", domain=DOMAIN)


def update() -> Catalog:
    """Merge the extracted strings into the .po (keeping translations), write it and compile the .mo."""
    catalog = read_catalog() if PO_FILE.exists() else Catalog(locale="zh_CN", domain=DOMAIN)
    catalog.update(template(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    PO_FILE.parent.mkdir(parents=True, exist_ok=True)
    with PO_FILE.open("wb") as handle:
        write_po(handle, catalog, width=110, sort_output=False, omit_header=False, ignore_obsolete=True)
    compile_mo(catalog)
    return catalog


def compile_mo(catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    MO_FILE.write_bytes(buffer.getvalue())


def translations(catalog: Catalog) -> dict[Key, str]:
    """(msgid, context) -> Chinese, for every entry with a translation that is not fuzzy."""
    return {
        (str(m.id), m.context): str(m.string)
        for m in catalog
        if m.id and m.string and not m.fuzzy and isinstance(m.id, str)
    }


def compiled() -> dict[Key, str]:
    """What the committed .mo holds."""
    with MO_FILE.open("rb") as handle:
        return translations(read_mo(handle))


def problems() -> list[str]:
    """Everything that makes the catalog disagree with the code (empty when in step)."""
    used: dict[Key, str] = {}
    for found in extracted():
        used.setdefault((found.msgid, found.context), found.place)
    catalog = read_catalog()
    listed = {(str(m.id), m.context) for m in catalog if m.id}
    done = translations(catalog)
    wrong = [
        f"no Chinese for {msgid!r} ({place})"
        for (msgid, ctx), place in used.items()
        if (msgid, ctx) not in done
    ]
    wrong += [f"unused catalog entry {msgid!r}" for msgid, _ctx in sorted(listed - set(used), key=str)]
    if compiled() != done:
        wrong.append(f"{MO_FILE.name} is stale: run 'uv run python -m tools.message_catalog'")
    return wrong


def main(argv: list[str]) -> int:
    if "--check" in argv:
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    catalog = update()
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{PO_FILE.relative_to(ROOT)}: {len(catalog)} strings, {len(missing)} without Chinese")
    for msgid in missing:
        print(f"  {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
