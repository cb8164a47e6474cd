"""Fitting day counts: the discrete model against simulation, each family recovered and chosen, censoring, and
the empirical fallback. Data are drawn here with numpy, independently of the fitting code."""

from __future__ import annotations

import numpy as np
import pytest

from calibration.fitting import _INTEGRALS, Sample, _day_cdf, _fixed_integral, choose, empirical, fit_family

RNG_SEED = 20171009


def _day_counts(rng: np.random.Generator, times: np.ndarray) -> np.ndarray:
    """What a dated record shows: accepted at a uniform moment of a day, counted in whole days."""
    moment = rng.random(times.size)
    return np.floor(moment + times) - np.floor(moment)


def _lognormal(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    sigma2 = np.log1p((sd / mean) ** 2)
    return rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), n)


@pytest.mark.parametrize(
    ("family", "theta", "sampler"),
    [
        ("lognormal", np.array([np.log(6.0), np.log(0.4)]), lambda r, n: r.lognormal(np.log(6.0), 0.4, n)),
        ("exponential", np.array([np.log(3.0)]), lambda r, n: r.exponential(3.0, n)),
        ("uniform", np.array([2.5, np.log(6.0)]), lambda r, n: r.uniform(2.5, 8.5, n)),
        (
            "triangular",
            np.array([1.0, np.log(2.0), np.log(7.0)]),
            lambda r, n: r.triangular(1.0, 3.0, 10.0, n),
        ),
    ],
)
def test_the_day_count_probabilities_match_simulated_records(family, theta, sampler):
    """G(k) = P(count <= k), from each family's closed-form integrated CDF, against a million simulated counts."""
    rng = np.random.default_rng(RNG_SEED)
    counts = _day_counts(rng, sampler(rng, 1_000_000))
    k = np.arange(0, 16, dtype=float)
    simulated = np.array([(counts <= x).mean() for x in k])
    model = _day_cdf(_INTEGRALS[family](theta), k)
    assert np.max(np.abs(model - simulated)) < 0.002


def test_a_fixed_time_gives_two_neighbouring_counts():
    # 3.3 days: counted 3 when accepted before 0.7 of a day has passed, else 4
    model = _day_cdf(_fixed_integral(3.3), np.arange(0, 6, dtype=float))
    assert np.allclose(model, [0, 0, 0, 0.7, 1, 1])


CASES = [
    ("lognormal", lambda r, n: _lognormal(r, 10.0, 3.0, n), 10.0),
    ("uniform", lambda r, n: r.uniform(4.0, 12.0, n), 8.0),
    ("triangular", lambda r, n: r.triangular(2.0, 5.0, 15.0, n), 22.0 / 3),
    ("exponential", lambda r, n: r.exponential(6.0, n), 6.0),
    ("fixed", lambda r, n: np.full(n, 3.3), 3.3),
]


@pytest.mark.parametrize(("family", "sampler", "mean"), CASES)
def test_each_family_is_recovered_and_chosen(family, sampler, mean):
    rng = np.random.default_rng(RNG_SEED)
    sample = Sample.of(_day_counts(rng, sampler(rng, 4000)))
    chosen, fits = choose(sample)
    assert chosen.family == family
    assert chosen.mean == pytest.approx(mean, rel=0.03)
    assert chosen.fits and chosen.ks <= 1.358 / np.sqrt(4000)
    assert [f.aic for f in fits] == sorted(f.aic for f in fits)


def test_records_in_progress_are_censored_not_dropped():
    """Records still open at the export date: the completed ones alone are the short ones (biased low); the
    censored likelihood recovers the mean."""
    rng = np.random.default_rng(RNG_SEED)
    n = 4000
    times = _lognormal(rng, 10.0, 3.0, n)
    moment = rng.random(n)
    window = rng.uniform(0, 25, n)  # the export comes this long after acceptance
    counts = np.floor(moment + times) - np.floor(moment)
    done = moment + times < np.floor(moment + window) + 1
    passed = np.floor(moment + window) - np.floor(moment) + 1  # at least this many days
    assert (~done).sum() > 500
    naive = counts[done].mean()
    fit = fit_family("lognormal", Sample.of(counts[done], passed[~done]))
    assert naive < 9.5  # dropping open records biases the mean low
    assert fit.mean == pytest.approx(10.0, rel=0.03)


def test_a_mixture_no_family_fits_falls_back_to_empirical():
    """The simulator's default (limit x U(0.4, 1) for 95 %, x U(1.1, 1.5) overdue for 5 %) is no single family."""
    rng = np.random.default_rng(RNG_SEED)
    n = 4000
    times = 20 * np.where(rng.random(n) < 0.95, rng.uniform(0.4, 1.0, n), rng.uniform(1.1, 1.5, n))
    counts = _day_counts(rng, times)
    chosen, fits = choose(Sample.of(counts))
    assert chosen.family == "empirical"
    assert not any(f.fits for f in fits)
    assert chosen.mean == pytest.approx(counts.mean(), abs=0.1)
    assert len(chosen.parameters["values"]) == 200


def test_empirical_of_censored_records_follows_kaplan_meier():
    # 10 records: 6 completed at 1..6 days, 4 still open after 3 days: KM puts more mass above 3
    sample = Sample.of([1, 2, 3, 4, 5, 6], [3, 3, 3, 3])
    fit = empirical(sample)
    values = np.array(fit.parameters["values"])
    assert (values <= 2).mean() == pytest.approx(0.2, abs=0.01)  # KM: 1 - 0.9 x 8/9 = 0.2 by day 2
    assert (values <= 3).mean() == pytest.approx(0.4, abs=0.01)  # then 4 of the 8 left are censored: x 3/4
    assert values.max() == 6
