"""The briefing's section on a project mix (各类项目的结果): each profile's own result in the headline framing
and limit basis (before, after, reduction with its 95% CI, verdict on the target), then the mix as a whole.
The per-profile figures are the stored payload's ``profiles`` (``simulations.compare.Framing.profiles``)."""

from __future__ import annotations

from typing import Any

from exports.briefing_facts import (
    _e,
    _headline_framing,
    basis_of,
    days,
    framing_name,
    framing_of,
    payload,
    pct,
    section,
    target_pct,
)
from exports.briefing_text import BASIS_ENGLISH, LINES, TEXT, VERDICT_WORDS
from exports.vocabulary import PROFILE_NAMES, handling_basis, mix_order, run_mix, share_text


def profile_lines(run: dict[str, Any]) -> str:
    """A project mix: each profile's own result (its share, before, after, reduction and verdict in the headline
    framing), then the mix as a whole; the framing and the limit basis said above the table."""
    mix = run_mix(run)
    rows = payload(run).get("profiles") or {}
    if not mix or not rows:
        return ""
    names = [n for n in mix_order(mix) if n in rows]
    basis = basis_of(run)
    basis_word = handling_basis(run, basis, "情景自身的时限口径")[0]
    shares = "、".join(f"{PROFILE_NAMES.get(n, n)} {share_text(mix[n])}" for n in names)
    if run.get("reduction_mean") is None:  # a single simulation of the mix
        head = "".join(f"<th>{_e(h)}</th>" for h in LINES["profile_single_headers"])
        body = "".join(
            f'<tr><td class="wrap">{_e(PROFILE_NAMES.get(n, n))}</td><td class="num">{share_text(mix[n])}</td>'
            f'<td class="num">{rows[n].get("projects_drawn") or 0:,}</td>'
            f'<td class="num">{days(rows[n].get("mean_days"))}</td><td class="num">{days(rows[n].get("p90_days"))}</td></tr>'
            for n in names
        )
        intro = TEXT["profiles_single_intro"].format(mix=shares, basis=basis_word)
        english = TEXT["profiles_single_english"].format(
            basis=BASIS_ENGLISH.get(basis or "", basis or "unrecorded limits"),
            parts="; ".join(f"{n} {share_text(mix[n])}: {days(rows[n].get('mean_days'))} wd" for n in names),
        )
    else:
        target = target_pct(run.get("target"))
        head = "".join(f"<th>{_e(h.format(target=target))}</th>" for h in LINES["profile_headers"])
        cells = []
        for n in names:
            row = rows[n]
            reduction = row.get("reduction") or {}
            low, high = (reduction.get("ci95") or [None, None])[:2]
            verdict = row.get("verdict")
            cells.append(
                f'<tr><td class="wrap">{_e(PROFILE_NAMES.get(n, n))}</td><td class="num">{share_text(mix[n])}</td>'
                f'<td class="num">{row.get("projects_drawn") or 0:,}</td>'
                f'<td class="num">{days(row.get("baseline_mean_days"))}</td>'
                f'<td class="num">{days(row.get("reform_mean_days"))}</td>'
                f'<td class="num"><b>{pct(reduction.get("mean"))}</b>（{pct(low)}–{pct(high)}）</td>'
                f"<td>{_e(VERDICT_WORDS.get(verdict, verdict) if verdict else TEXT['profile_no_projects'])}</td></tr>"
            )
        headline = _headline_framing(run) or {}
        cells.append(
            f'<tr class="whole"><td><b>{_e(TEXT["profile_whole"])}</b></td><td class="num">100%</td>'
            f'<td class="num">{sum(r.get("projects_drawn") or 0 for r in rows.values()):,}</td>'
            f'<td class="num">{days(headline.get("baseline_mean_days"))}</td>'
            f'<td class="num">{days(headline.get("reform_mean_days"))}</td>'
            f'<td class="num"><b>{pct(run.get("reduction_mean"))}</b>'
            f"（{pct(run.get('reduction_ci_low'))}–{pct(run.get('reduction_ci_high'))}）</td>"
            f"<td>{_e(VERDICT_WORDS.get(run.get('verdict') or '', run.get('verdict') or ''))}</td></tr>"
        )
        body = "".join(cells)
        framing = framing_of(run)
        intro = TEXT["profiles_intro"].format(mix=shares, framing=framing_name(framing), basis=basis_word)
        english = TEXT["profiles_english"].format(
            framing=framing or "?",
            basis=BASIS_ENGLISH.get(basis or "", basis or "unrecorded limits"),
            parts="; ".join(
                f"{n} {share_text(mix[n])}: {days(rows[n].get('baseline_mean_days'))} → "
                f"{days(rows[n].get('reform_mean_days'))} wd, {pct((rows[n].get('reduction') or {}).get('mean'))} shorter"
                for n in names
            ),
        )
    return section(
        "profiles",
        f'<p>{_e(intro)}</p><table class="brief-table profiles"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        f'</table><p class="english">{_e(english)}</p>',
    )
