"""Statistical helpers checked against direct statsmodels/scipy calls and hand arithmetic."""

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from matplotlib.figure import Figure
from scipy import stats as sps
from statsmodels.stats import rates
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from nssf_analysis import stats
from nssf_analysis.exceptions import YearNotAvailableError

ROOT = Path(__file__).resolve().parent.parent
Z = sps.norm.ppf(0.975)


# -- rate ratios ------------------------------------------------------------------------
def test_rate_ratio_small_example_matches_statsmodels():
    r = stats.rate_ratio_test(30, 1000, 20, 1200)
    assert r["rate_ratio"] == pytest.approx((30 / 1000) / (20 / 1200))  # = 1.8
    low, high = rates.confint_poisson_2indep(30, 1000, 20, 1200, method="score", compare="ratio")
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((low, high))
    assert r["p_value"] == pytest.approx(
        rates.test_poisson_2indep(30, 1000, 20, 1200, method="score").pvalue
    )
    assert r["ci_low"] < 1.8 < r["ci_high"] and r["note"] == ""


def test_rate_ratio_zero_counts():
    new = stats.rate_ratio_test(10, 1000, 0, 1000)
    assert np.isnan(new["rate_ratio"]) and np.isnan(new["ci_low"])
    assert new["note"].startswith("new")
    # exact conditional test: 10 of 10 events in the first of two equal exposures
    assert new["p_value"] == pytest.approx(2 * 0.5**10)
    gone = stats.rate_ratio_test(0, 1000, 10, 1000)
    assert gone["rate_ratio"] == 0 and np.isnan(gone["ci_high"])
    none = stats.rate_ratio_test(0, 1000, 0, 1000)
    assert none["note"] == "no events in either year" and np.isnan(none["p_value"])
    missing = stats.rate_ratio_test(5, 1000, np.nan, np.nan)
    assert missing["note"] == "not available" and np.isnan(missing["rate_ratio"])


def test_rate_ratios_2022_deaths():
    rr = stats.rate_ratios(2022).set_index("indicator")
    d = rr.loc["or_fatal_rate"]
    # Table 11 deaths 221 (2022) and 194 (2021); Table 5 covered workers
    assert d["rate_ratio"] == pytest.approx((221 / 1_388_623) / (194 / 1_250_308))
    low, high = rates.confint_poisson_2indep(
        221, 1_388_623, 194, 1_250_308, method="score", compare="ratio"
    )
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((low, high))
    assert d["p_value"] > 0.05  # no significant change in the fatal rate
    inj = rr.loc["or_injury_rate"]
    assert inj["rate_ratio"] == pytest.approx((14_742 / 1_388_623) / (11_403 / 1_250_308))
    assert inj["p_value"] < 0.001
    sev = rr.loc["or_severe_rate"]
    assert sev["count"] == 2402 and sev["base_count"] == 1762
    assert rr.loc["pub_injury_rate", "note"].startswith("new")
    assert set(rr["base_year"]) == {2021}


def test_rate_ratios_2021_not_available():
    rr = stats.rate_ratios(2021)
    assert rr["rate_ratio"].isna().all() and rr["p_value"].isna().all()
    assert (rr["note"] == "not available: no 2020 data").all()
    assert rr["count"].notna().all()  # the 2021 counts themselves are there
    text = stats.describe_rate_ratios(rr)
    assert "no data for 2020" in text


def test_rate_ratios_unknown_year():
    with pytest.raises(YearNotAvailableError):
        stats.rate_ratios(2019)


# -- Wilson intervals --------------------------------------------------------------------
def test_wilson_interval_by_hand_and_statsmodels():
    count, n = 1, 25
    p = count / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    low, high = stats.wilson_interval(count, n)
    assert (low, high) == pytest.approx((centre - half, centre + half))
    assert (low, high) == pytest.approx(proportion_confint(1, 25, method="wilson"))
    assert all(np.isnan(stats.wilson_interval(0, 0)))


def test_share_intervals_case_fatality():
    sh = stats.share_intervals(2022)
    row = sh[(sh.indicator == "or_case_fatality") & (sh.sex == "total")].iloc[0]
    assert row["count"] == 221 and row["n"] == 12_119 + 2_402 + 221
    low, high = proportion_confint(221, 14_742, method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low * 100, high * 100))
    assert row["ci_low"] < row["share"] < row["ci_high"]
    # public sector 2021: no case, no interval, and the reason given
    sh21 = stats.share_intervals(2021)
    pub = sh21[(sh21.indicator == "pub_case_fatality") & (sh21.sex == "total")].iloc[0]
    assert np.isnan(pub["ci_low"]) and pub["note"] == "denominator is zero"


# -- chi-square ------------------------------------------------------------------------
def test_chi2_small_table_by_hand():
    obs = np.array([[10, 20, 30], [20, 20, 20]])
    rows, cols, n = obs.sum(1), obs.sum(0), obs.sum()
    expected = np.outer(rows, cols) / n
    chi2 = ((obs - expected) ** 2 / expected).sum()
    r = stats.chi2_test(obs)
    assert r["chi2"] == pytest.approx(chi2)
    assert r["dof"] == 2
    assert r["p_value"] == pytest.approx(sps.chi2.sf(chi2, 2))
    assert r["cramers_v"] == pytest.approx(math.sqrt(chi2 / (n * 1)))


def test_chi2_with_a_zero_row_is_not_testable():
    r = stats.chi2_test([[0, 0, 0], [16, 53, 10]])
    assert np.isnan(r["chi2"]) and r["note"].startswith("not testable")


def test_severity_test_2022():
    res = stats.severity_test(2022).set_index("sector")
    # Table 11: minor, severe, deaths in 2021 and 2022
    obs = [[9447, 1762, 194], [12_119, 2_402, 221]]
    direct = sps.chi2_contingency(obs, correction=False)
    assert res.loc["private", "chi2"] == pytest.approx(direct.statistic)
    assert res.loc["private", "p_value"] == pytest.approx(direct.pvalue)
    assert res.loc["private", "n"] == sum(map(sum, obs))
    assert res.loc["public", "note"].startswith("not testable")  # Table 25: 2021 all zero
    table = stats.severity_table(2022)
    s22 = table[table.year == 2022].set_index("degree")["share"]
    assert s22["deaths"] == pytest.approx(221 / 14_742 * 100)
    assert "Shares:" in stats.describe_severity(res.reset_index())


def test_severity_test_2021_not_available():
    res = stats.severity_test(2021)
    assert res["chi2"].isna().all()
    assert (res["note"] == "not available: no 2020 data").all()


# -- rate model ------------------------------------------------------------------------
@pytest.fixture
def tiny_poisson():
    # pooled rate 100 / 8,000; expected 12.5, 12.5, 25, 50
    return pd.DataFrame(
        {"group": list("ABCD"), "count": [12, 13, 25, 50], "exposure": [1000, 1000, 2000, 4000]}
    )


def test_fit_rate_model_poisson_by_hand(tiny_poisson):
    m = stats.fit_rate_model(tiny_poisson).set_index("group")
    expected = np.array([12.5, 12.5, 25, 50])
    obs = np.array([12, 13, 25, 50])
    pearson = ((obs - expected) ** 2 / expected).sum() / 3  # df = 4 groups - 1
    assert m["dispersion"].iloc[0] == pytest.approx(pearson)
    assert (m["family"] == "Poisson").all() and m["nb_alpha"].isna().all()
    assert m["national_rate"].iloc[0] == pytest.approx(100 / 8000)
    # saturated Poisson GLM: RR = O/E, Wald SE of log RR = 1/sqrt(O)
    assert m.loc["A", "rate_ratio"] == pytest.approx(12 / 12.5)
    # (IRLS stops within its tolerance, hence rel=1e-5)
    low = 12 / 12.5 * math.exp(-Z / math.sqrt(12))
    high = 12 / 12.5 * math.exp(Z / math.sqrt(12))
    assert m.loc["A", "ci_low"] == pytest.approx(low, rel=1e-5)
    assert m.loc["A", "ci_high"] == pytest.approx(high, rel=1e-5)
    assert m.loc["C", "rate_ratio"] == pytest.approx(1.0)
    assert m.loc["C", "p_value"] == pytest.approx(1.0)


# the direct saturated GLMs warn (zero residual df, perfect fit); that is expected
SATURATED = pytest.mark.filterwarnings(
    "ignore::RuntimeWarning", "ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning"
)


@SATURATED
def test_fit_rate_model_matches_direct_glm(tiny_poisson):
    d = tiny_poisson
    e = d["exposure"].to_numpy(float)
    y = d["count"].to_numpy(float)
    offset = np.log(y.sum() / e.sum() * e)
    direct = sm.GLM(y, np.eye(4), offset=offset, family=sm.families.Poisson()).fit()
    m = stats.fit_rate_model(d)
    assert m["rate_ratio"].to_numpy() == pytest.approx(np.exp(direct.params))
    assert m["p_value"].to_numpy() == pytest.approx(direct.pvalues)
    q = multipletests(direct.pvalues, method="fdr_bh")[1]
    assert m["q_value"].to_numpy() == pytest.approx(q)


@SATURATED
def test_fit_rate_model_switches_to_negative_binomial():
    d = pd.DataFrame({"group": list("ABCDE"), "count": [5, 40, 30, 200, 8], "exposure": [1000] * 5})
    m = stats.fit_rate_model(d)
    y = d["count"].to_numpy(float)
    e = d["exposure"].to_numpy(float)
    mu = y.sum() / e.sum() * e
    assert m["dispersion"].iloc[0] == pytest.approx(((y - mu) ** 2 / mu).sum() / 4)
    assert m["dispersion"].iloc[0] > stats.DISPERSION_THRESHOLD
    assert (m["family"] == "negative binomial").all()
    nb = sm.NegativeBinomial(y, np.ones((5, 1)), offset=np.log(e)).fit(disp=0, maxiter=1000)
    alpha = nb.params[-1]
    assert m["nb_alpha"].iloc[0] == pytest.approx(alpha, rel=1e-4)
    direct = sm.GLM(
        y, np.eye(5), offset=np.log(mu), family=sm.families.NegativeBinomial(alpha=alpha)
    ).fit()
    assert m["rate_ratio"].to_numpy() == pytest.approx(np.exp(direct.params))
    # NB2 Wald SE of a log rate ratio: sqrt(1/mu + alpha) at the fitted mean (= O)
    assert direct.bse == pytest.approx(np.sqrt(1 / y + alpha), rel=1e-4)
    ci = np.exp(direct.conf_int())
    assert m["ci_low"].to_numpy() == pytest.approx(ci[:, 0], rel=1e-4)
    # the Poisson comparison flags more groups than the overdispersed model
    assert m["flagged_poisson"].sum() >= m["flagged"].sum()


def test_benjamini_hochberg_by_hand():
    # three groups; BH q-values: p sorted p(1) <= p(2) <= p(3), q(i) = min_j>=i p(j) m / j
    p = np.array([0.01, 0.04, 0.03])
    reject, q, _, _ = multipletests(p, method="fdr_bh")
    assert q == pytest.approx([0.03, 0.04, 0.04])
    assert reject.all()


def test_fit_rate_model_zero_count_group():
    d = pd.DataFrame({"group": list("ABC"), "count": [0, 12, 30], "exposure": [500, 1000, 2000]})
    m = stats.fit_rate_model(d).set_index("group")
    assert m.loc["A", "rate_ratio"] == 0 and np.isnan(m.loc["A", "p_value"])
    assert "not in the log-linear model" in m.loc["A", "note"]
    assert m.loc["B", "rate_ratio"] == pytest.approx(12 / (42 / 3500 * 1000))


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


def test_province_model_2022():
    m = stats.province_model(2022)
    assert len(m) == 25 and set(m["group"]) == set(PROVINCES)
    y = np.array([PROVINCES[g][0] for g in m["group"]], float)
    e = np.array([PROVINCES[g][1] for g in m["group"]], float)
    assert y.sum() == 15_013 and e.sum() == 1_414_458  # the annexes' printed totals
    mu = y.sum() / e.sum() * e
    dispersion = ((y - mu) ** 2 / mu).sum() / 24
    assert m["dispersion"].iloc[0] == pytest.approx(dispersion)
    assert m["national_rate"].iloc[0] == pytest.approx(15_013 / 1_414_458 * 1000)
    assert (m["family"] == "negative binomial").all()  # dispersion far above 1.5
    pp = m.set_index("group").loc["Phnom Penh"]
    assert pp["rate"] == pytest.approx(6056 / 715_371 * 1000)
    assert pp["rate_ratio"] == pytest.approx((6056 / 715_371) / (15_013 / 1_414_458))
    assert m.attrs["caveats"] and set(m.attrs["caveats"]) <= set(stats.CAVEATS)
    text = stats.describe_province_model(m)
    assert "negative binomial" in text and "Benjamini–Hochberg" in text


def test_province_model_2021_not_available():
    m = stats.province_model(2021)
    assert len(m) == 1 and m["family"].iloc[0] == ""
    assert m["note"].iloc[0].startswith("not available") and "2022 only" in m["note"].iloc[0]
    assert m["rate_ratio"].isna().all()
    assert stats.funnel_plot(2021) is None
    assert "cannot be fitted for 2021" in stats.describe_province_model(m)
    assert "No funnel plot for 2021" in stats.describe_funnel(m)


# -- funnel ------------------------------------------------------------------------
def test_funnel_limits():
    lim = stats.funnel_limits(0.01, [10_000], levels=(0.95,)).iloc[0]
    # mu = 100 expected events; Poisson quantiles by hand from scipy's cdf/ppf
    mu = 100
    r = sps.poisson.ppf(0.975, mu)  # 120
    f_r, f_r1 = sps.poisson.cdf(r, mu), sps.poisson.cdf(r - 1, mu)
    upper = r - (f_r - 0.975) / (f_r - f_r1)
    assert r == 120 and 119 < upper < 120
    assert lim["upper"] * 10_000 == pytest.approx(upper)
    # close to the normal approximation 100 +/- 1.96 * 10 events
    assert lim["lower"] * 10_000 == pytest.approx(100 - Z * 10, abs=0.5)
    assert lim["upper"] * 10_000 == pytest.approx(100 + Z * 10, abs=0.5)
    both = stats.funnel_limits(0.01, [100, 10_000])
    wide = both[both.level == 0.998].reset_index(drop=True)
    narrow = both[both.level == 0.95].reset_index(drop=True)
    assert (wide["upper"] > narrow["upper"]).all() and (wide["lower"] <= narrow["lower"]).all()
    width = wide["upper"] - wide["lower"]
    assert width[0] > width[1]  # the funnel narrows as exposure grows
    assert (both["lower"] >= 0).all()


def test_funnel_figure():
    fig = stats.funnel_plot(2022)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    points = sum(len(c.get_offsets()) for c in ax.collections)
    assert points == 25
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "95% Poisson limits" in labels and "99.8% Poisson limits" in labels
    assert len(ax.lines) == 1 + 4  # national rate + two limits at two levels
    names = {t.get_text() for t in ax.texts}
    assert {"Preah Sihanouk", "Takeo", "Kampong Speu"} <= names  # extremes are named


# -- caveats and display -------------------------------------------------------------
def test_caveats_as_data():
    c = stats.caveats()
    assert list(c.columns) == ["caveat", "text"] and len(c) == len(stats.CAVEATS)
    rr = stats.rate_ratios(2022)
    assert "two_years" in rr.attrs["caveats"]
    assert list(stats.caveats(rr)["caveat"]) == rr.attrs["caveats"]
    md = stats.caveats_markdown(rr, stats.province_model(2022))
    assert md.count("- ") >= 5 and "head office" in md


def test_format_table_rounds_for_display_only():
    rr = stats.rate_ratios(2022)
    styled = stats.format_table(rr, ["outcome", "count", "rate_ratio", "p_value"])
    heading = r'<th id="T_stats-[0-9a-f]+_level0_col\d+"[^>]*>([^<]*)</th>'
    headings = re.findall(heading, styled.to_html())
    assert headings == ["Outcome", "Count", "Rate ratio", "p-value"]
    t = styled.data
    assert t.loc[0, "count"] == "14,742"
    assert t.loc[0, "p_value"] == "<0.001"
    assert re.fullmatch(r"\d\.\d{3}", t.loc[0, "rate_ratio"])
    assert rr["rate_ratio"].iloc[0] != float(t.loc[0, "rate_ratio"])  # data unrounded
    assert stats.fmt_p(0.0456) == "0.046" and stats.fmt_p(0.5) == "0.50"
    assert stats.fmt_p(np.nan) == "not available"


# -- the notebook ------------------------------------------------------------------------
def test_notebook_structure():
    nb = nbformat.read(ROOT / "notebooks" / "07_analysis.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert code[0].source == "year: int = 2022  # report year: one of the years with data"
    assert "year = check_year(year)" in code[1].source
    assert "setup()" in code[2].source
    assert nb.metadata.kernelspec.name == "nssf-analysis"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert not any("def " in c.source for c in code)
    for c in nb.cells:
        if c.cell_type == "markdown":
            prose = re.sub(r"`[^`]*`", "", c.source)  # code names may contain digits
            assert not re.search(r"\d", prose), c.source


def test_methods_markdown_lists_methods_and_caveats():
    text = stats.methods_markdown()
    assert text.startswith("## Statistical methods")
    for word in ("test_poisson_2indep", "wilson", "chi2_contingency", "fdr_bh", "99.8%"):
        assert word in text
    for caveat in stats.CAVEATS.values():
        assert caveat in text


def test_input_years_of_the_province_indicator():
    from nssf_analysis import indicators

    assert indicators.input_years("or_reports_per_1000_province") == [2022]
    assert indicators.input_years("or_fatal_rate") == [2021, 2022]
