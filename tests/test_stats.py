"""The statistics of ``07_analysis``, checked by hand on the report's figures.

The chapter's own code runs (:func:`chapter.run_cells`) and its frames are compared with
hand arithmetic and direct statsmodels/scipy calls on numbers read from the report: Table 5
and Table 22 (covered workers), Tables 10, 11, 24 and 25 (injuries), Annexes 6.1.1 and 6.1.4
(workers and reports by province).
"""

import math

import numpy as np
import pytest
from chapter import run_cells
from scipy import stats as sps
from statsmodels.stats import rates
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

Z = sps.norm.ppf(0.975)


@pytest.fixture(scope="module")
def y2022():
    return run_cells("07_analysis", 2022)


@pytest.fixture(scope="module")
def y2021():
    return run_cells("07_analysis", 2021)


def _row(rr, outcome, sector):
    return rr[(rr["outcome"] == outcome) & (rr["sector"] == sector)].iloc[0]


def test_rate_ratio_of_deaths_and_injuries_private_sector(y2022):
    rr = y2022["rr"]
    d = _row(rr, "deaths", "private sector")
    # Table 11 deaths 221 (2022) and 194 (2021); Table 5 workers 1,388,623 and 1,250,308
    assert (d["cases"], d["cases_before"]) == (221, 194)
    assert (d["workers"], d["workers_before"]) == (1_388_623, 1_250_308)
    assert d["ratio"] == pytest.approx((221 / 1_388_623) / (194 / 1_250_308))
    low, high = rates.confint_poisson_2indep(
        221, 1_388_623, 194, 1_250_308, method="score", compare="ratio"
    )
    assert (d["low"], d["high"]) == pytest.approx((low, high))
    assert d["p"] == pytest.approx(
        rates.test_poisson_2indep(221, 1_388_623, 194, 1_250_308, method="score").pvalue
    )
    assert d["p"] > 0.05  # no significant change in the fatal rate
    # Table 10: 14,742 injured in 2022, 11,403 in 2021
    inj = _row(rr, "all injuries", "private sector")
    assert inj["ratio"] == pytest.approx((14_742 / 1_388_623) / (11_403 / 1_250_308))
    assert inj["p"] < 0.001
    assert inj["rate"] == pytest.approx(14_742 / 1_388_623 * 100_000)


def test_public_sector_has_no_ratio_when_the_year_before_has_no_case(y2022):
    # Table 24: no injury in 2021, 79 in 2022; the exact conditional test of all 79
    # cases falling in 2022, given the two years' workers (Table 22)
    pub = _row(y2022["rr"], "all injuries", "public sector")
    assert pub["cases"] == 79 and pub["cases_before"] == 0 and np.isnan(pub["ratio"])
    share = pub["workers"] / (pub["workers"] + pub["workers_before"])
    assert pub["p"] == pytest.approx(min(1.0, 2 * share**79), abs=1e-12)


def test_wilson_interval_of_the_case_fatality_share(y2022):
    sh = y2022["shares"]
    row = sh[(sh["indicator"] == "or_case_fatality") & (sh["sex"] == "total")].iloc[0]
    # Table 11: 221 deaths among 12,119 + 2,402 + 221 injuries
    assert (row["numerator"], row["denominator"]) == (221, 12_119 + 2_402 + 221)
    n, p = 14_742, 221 / 14_742
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    assert (row["low"], row["high"]) == pytest.approx(
        ((centre - half) * 100, (centre + half) * 100)
    )
    assert (row["low"], row["high"]) == pytest.approx(
        tuple(100 * x for x in proportion_confint(221, n, method="wilson"))
    )


def test_severity_mix_chi_square_by_hand(y2022):
    mix = y2022["severity"]["private sector"]
    # Table 11: minor, severe, deaths
    obs = np.array([[9_447, 1_762, 194], [12_119, 2_402, 221]])
    assert mix.to_numpy().tolist() == obs.tolist()
    expected = np.outer(obs.sum(1), obs.sum(0)) / obs.sum()
    chi2 = ((obs - expected) ** 2 / expected).sum()
    assert sps.chi2_contingency(obs, correction=False).statistic == pytest.approx(chi2)
    result, why = y2022["severity_test"](mix)
    assert why == "" and result["test"].statistic == pytest.approx(chi2)
    assert result["test"].pvalue == pytest.approx(sps.chi2.sf(chi2, 2))
    assert result["v"] == pytest.approx(math.sqrt(chi2 / obs.sum()))
    # Table 25: the public sector had no case in 2021, so its mix cannot be tested
    assert y2022["severity_test"](y2022["severity"]["public sector"])[0] is None


# Annex 6.1.4 reports (khans added to Phnom Penh) and Annex 6.1.1 workers, as printed
PROVINCES = {
    "Banteay Meanchey": (134, 15_464), "Battambang": (82, 9_053),
    "Kampong Cham": (368, 33_069), "Kampong Chhnang": (1_290, 50_829),
    "Kampong Speu": (182, 140_039), "Kampong Thom": (73, 12_862), "Kampot": (61, 16_936),
    "Kandal": (868, 149_618), "Koh Kong": (81, 13_997), "Kratie": (38, 7_300),
    "Mondul Kiri": (7, 1_749), "Phnom Penh": (4_353 + 731 + 73 + 274 + 625 + 0, 715_371),
    "Preah Vihear": (7, 1_477), "Prey Veng": (67, 3_147), "Pursat": (113, 8_901),
    "Ratanak Kiri": (42, 11_011), "Siem Reap": (144, 20_340),
    "Preah Sihanouk": (1_839, 49_292), "Stung Treng": (7, 1_278),
    "Svay Rieng": (1_348, 81_335), "Takeo": (2_117, 57_491), "Otdar Meanchey": (12, 2_400),
    "Kep": (6, 1_122), "Pailin": (22, 1_431), "Tboung Khmum": (49, 8_946),
}  # fmt: skip


def test_province_model_by_hand(y2022):
    prov = y2022["provinces"]
    assert {p: (r["reports"], r["workers"]) for p, r in prov.iterrows()} == PROVINCES
    y = np.array([v[0] for v in PROVINCES.values()], float)
    e = np.array([v[1] for v in PROVINCES.values()], float)
    assert y.sum() == 15_013 and e.sum() == 1_414_458  # the annexes' printed totals
    mu = y.sum() / e.sum() * e
    assert y2022["dispersion"] == pytest.approx(((y - mu) ** 2 / mu).sum() / 24)
    assert y2022["national"] == pytest.approx(15_013 / 1_414_458)
    assert y2022["dispersion"] > y2022["DISPERSION_THRESHOLD"]  # negative binomial
    assert y2022["nb_alpha"] > 0
    model = y2022["model"]
    pp = model.loc["Phnom Penh"]
    assert pp["rate"] == pytest.approx(6_056 / 715_371 * 1000)
    assert pp["ratio"] == pytest.approx((6_056 / 715_371) / (15_013 / 1_414_458), rel=1e-5)
    # Benjamini–Hochberg over the provinces' p-values
    assert model["q"].to_numpy() == pytest.approx(multipletests(model["p"], method="fdr_bh")[1])


def test_2021_has_no_previous_year_and_no_province_model(y2021):
    # the data begin in 2021: nothing to compare with, and the annexes cover 2022 only
    assert y2021["prev"] is None
    assert y2021.get("model") is None
