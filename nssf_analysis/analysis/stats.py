"""Statistical analysis beyond the report, with statsmodels.

* :func:`rate_ratios` — a year's injury, severe-injury, commuting and fatality rates
  against the year before: rate ratios with 95 % intervals and p-values
  (``test_poisson_2indep`` / ``confint_poisson_2indep``; exposure = the rate's
  denominator in each year).
* :func:`share_intervals` — Wilson intervals for every share whose numerator is a
  subset of its denominator.
* :func:`severity_test` / :func:`severity_table` — chi-square test of the severity mix
  (minor / severe / deaths) between the two years.
* :func:`province_model` — a Poisson GLM of the province occupational-risk reports with
  registered workers as exposure (log offset), switched to a negative binomial when
  overdispersed (Pearson χ²/df > 1.5), with each province's rate ratio against the
  national rate and Benjamini–Hochberg control; :func:`funnel_plot` draws the province
  rates around the national rate with 95 % and 99.8 % Poisson limits.

Every function returns a tidy, unrounded DataFrame (``format_table`` rounds for
display). Inputs that do not exist for the requested year give rows whose ``note`` says
"not available: …" — never an exception in the notebook path, never a made-up number.
The caveats that apply to a result are listed in ``frame.attrs["caveats"]`` and
described by :func:`caveats`.
"""

from __future__ import annotations

import hashlib
import math
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from matplotlib.figure import Figure
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from nssf_analysis.analysis import indicators
from nssf_analysis.data.catalog import available_years, check_year, load_table
from nssf_analysis.render import style
from nssf_analysis.render.tables import plain_table

#: Caveats, as data: id → text. Results name the ones that apply in ``attrs["caveats"]``.
CAVEATS = {
    "two_years": "The report covers two years only (the report year and the year "
    "before): a change between two single years is not a trend.",
    "census": "The counts are administrative totals, not samples. Intervals and tests "
    "treat them as Poisson or binomial outcomes of an underlying risk, the usual "
    "convention for rates; they describe chance variation, not errors of recording.",
    "covered_workers": "Rates use contribution-paid workers as the population at risk; "
    "the year-end register gives slightly different rates.",
    "head_office": "Workers are counted where their employer is registered: members "
    "registered at the head office in Phnom Penh may work in another province, and a "
    "case is reported where it is handled.",
    "one_province_year": "There is one province-year per province (the province annex "
    "exists for one report year only): province rates cannot be followed over time, "
    "and a province's level cannot be separated from chance beyond what the model's "
    "overdispersion allows for.",
    "reports": "An occupational-risk report is a notification, not a confirmed injury; "
    "one person may be reported more than once.",
    "khans": "Reports of the Phnom Penh khan branches are added to Phnom Penh, the only "
    "place their workers are counted.",
    "public_2021": "The public-sector occupational-risk tables report no case in 2021; "
    "ratios against a zero base cannot be estimated.",
}

RATE_RATIO_INDICATORS = (
    "or_injury_rate",
    "or_workplace_rate",
    "or_commuting_rate",
    "or_severe_rate",
    "or_fatal_rate",
    "pub_injury_rate",
    "pub_workplace_rate",
    "pub_commuting_rate",
    "pub_severe_rate",
    "pub_fatal_rate",
)
#: Short outcome names of the rate indicators.
OUTCOMES = {
    "injury_rate": "all injuries",
    "workplace_rate": "injuries excluding commuting",
    "commuting_rate": "commuting accidents",
    "severe_rate": "severe injuries",
    "fatal_rate": "deaths",
}
#: Degree tables of the severity test, by sector.
SEVERITY_TABLES = {"private": "t11", "public": "t25"}
DEGREES = ("minor_injuries", "severe_injuries", "deaths")
#: Overdispersion threshold (Pearson χ²/df) above which the negative binomial is used.
DISPERSION_THRESHOLD = 1.5
PROVINCE_INDICATOR = "or_reports_per_1000_province"
NOT_AVAILABLE = "not available"


def caveats(ids=None) -> pd.DataFrame:
    """Return the stated caveats as data.

    Parameters
    ----------
    ids : iterable of str, optional
        Caveat ids (default all), or a result frame whose ``attrs["caveats"]`` names them.

    Returns
    -------
    DataFrame
        Columns ``caveat`` and ``text``.
    """
    if isinstance(ids, pd.DataFrame):
        ids = ids.attrs.get("caveats", [])
    ids = list(CAVEATS) if ids is None else list(ids)
    return pd.DataFrame({"caveat": ids, "text": [CAVEATS[i] for i in ids]})


def caveats_markdown(*frames) -> str:
    """Return the caveats of one or more results as a Markdown list (each once).

    Parameters
    ----------
    *frames : DataFrame or str
        Result frames (their ``attrs["caveats"]``) or caveat ids.

    Returns
    -------
    str
        Markdown bullets.
    """
    ids: list[str] = []
    for f in frames:
        new = f.attrs.get("caveats", []) if isinstance(f, pd.DataFrame) else [f]
        ids += [i for i in new if i not in ids]
    return "\n".join(f"- {CAVEATS[i]}" for i in ids)


def _with_caveats(df: pd.DataFrame, ids) -> pd.DataFrame:
    df.attrs["caveats"] = list(ids)
    return df


def _previous_year(year: int) -> int | None:
    return year - 1 if year - 1 in available_years() else None


# --------------------------------------------------------------------------------------
# Rate ratios
# --------------------------------------------------------------------------------------
def rate_ratio_test(count, exposure, base_count, base_exposure, alpha: float = 0.05) -> dict:
    """Compare two Poisson rates: ratio, confidence interval and p-value.

    Parameters
    ----------
    count, exposure : float
        Events and exposure of the year compared.
    base_count, base_exposure : float
        Events and exposure of the base year.
    alpha : float
        1 − confidence level of the interval.

    Returns
    -------
    dict
        ``rate_ratio``, ``ci_low``, ``ci_high``, ``p_value``, ``method`` and ``note``.
        Score test and score interval (``statsmodels.stats.rates``) when both counts are
        positive. With a zero count the interval is not estimable: the ratio is 0 (zero
        in the year) or undefined (zero base, note "new"), and the p-value comes from the
        exact conditional test. With both counts zero nothing can be compared.
    """
    out = {
        "rate_ratio": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "p_value": np.nan,
        "method": "",
        "note": "",
    }
    values = (count, exposure, base_count, base_exposure)
    if any(_missing(v) for v in values):
        out["note"] = NOT_AVAILABLE
        return out
    if exposure <= 0 or base_exposure <= 0:
        out["note"] = "not available: zero exposure"
        return out
    if count == 0 and base_count == 0:
        out["note"] = "no events in either year"
        return out
    count, base_count = _whole(count), _whole(base_count)
    if count == 0 or base_count == 0:
        with np.errstate(divide="ignore", invalid="ignore"):  # its ratio is 0 or inf here
            res = test_poisson_2indep(
                count, exposure, base_count, base_exposure, method="exact-cond"
            )
        out.update(p_value=float(res.pvalue), method="exact-cond test")
        if base_count == 0:
            out["note"] = "new: no events in the base year; ratio not estimable"
        else:
            out.update(rate_ratio=0.0, note="no events in the year; interval not estimable")
        return out
    res = test_poisson_2indep(count, exposure, base_count, base_exposure, method="score")
    low, high = confint_poisson_2indep(
        count,
        exposure,
        base_count,
        base_exposure,
        method="score",
        compare="ratio",
        alpha=alpha,
    )
    out.update(
        rate_ratio=(count / exposure) / (base_count / base_exposure),
        ci_low=float(low),
        ci_high=float(high),
        p_value=float(res.pvalue),
        method="score test, score interval",
    )
    return out


def _whole(x):
    """Return ``x`` as int when it is a whole number (the exact tests need integers)."""
    return int(x) if float(x).is_integer() else float(x)


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def rate_ratios(year, ids=RATE_RATIO_INDICATORS, alpha: float = 0.05) -> pd.DataFrame:
    """Rate ratios of a year against the year before, for injury and fatality rates.

    Parameters
    ----------
    year : int
        The report year compared with ``year - 1``.
    ids : tuple of str
        Rate indicators (count = numerator, exposure = denominator).
    alpha : float
        1 − confidence level.

    Returns
    -------
    DataFrame
        One row per indicator: ``indicator``, ``outcome``, ``sector``, ``year``,
        ``base_year``, ``count``, ``exposure``, ``rate``, ``base_count``,
        ``base_exposure``, ``base_rate``, ``unit``, ``rate_ratio``, ``ci_low``,
        ``ci_high``, ``p_value``, ``method`` and ``note``. When ``year - 1`` has no
        data every row says so and holds no ratio.
    """
    year = check_year(year)
    base = _previous_year(year)
    cur = indicators.compute(year, ids)
    cur = cur[cur["sex"] == "total"].set_index("indicator")
    prev = None
    if base is not None:
        prev = indicators.compute(base, ids)
        prev = prev[prev["sex"] == "total"].set_index("indicator")
    rows = []
    for iid in ids:
        ind = indicators.get(iid)
        c = cur.loc[iid]
        row = {
            "indicator": iid,
            "outcome": OUTCOMES[iid.split("_", 1)[1]],
            "sector": ind.group,
            "year": year,
            "base_year": base if base is not None else year - 1,
            "count": c["numerator"],
            "exposure": c["denominator"],
            "rate": c["value"],
            "base_count": np.nan,
            "base_exposure": np.nan,
            "base_rate": np.nan,
            "unit": ind.unit,
        }
        if prev is None:
            res = rate_ratio_test(np.nan, np.nan, np.nan, np.nan, alpha)
            res["note"] = f"{NOT_AVAILABLE}: no {year - 1} data"
        else:
            p = prev.loc[iid]
            row.update(
                base_count=p["numerator"], base_exposure=p["denominator"], base_rate=p["value"]
            )
            res = rate_ratio_test(
                row["count"], row["exposure"], row["base_count"], row["base_exposure"], alpha
            )
        rows.append({**row, **res})
    return _with_caveats(pd.DataFrame(rows), ["two_years", "census", "covered_workers"])


# --------------------------------------------------------------------------------------
# Shares
# --------------------------------------------------------------------------------------
def wilson_interval(count, n, alpha: float = 0.05) -> tuple[float, float]:
    """Return the Wilson interval of a proportion ``count / n`` (as fractions).

    Parameters
    ----------
    count, n : float
        Successes and trials; ``n`` must be positive.
    alpha : float
        1 − confidence level.

    Returns
    -------
    tuple of float
        (low, high); (nan, nan) when ``n`` is zero or missing.
    """
    if _missing(count) or _missing(n) or n <= 0:
        return (np.nan, np.nan)
    low, high = proportion_confint(count, n, alpha=alpha, method="wilson")
    return float(low), float(high)


def share_intervals(year, alpha: float = 0.05, totals_only: bool = True) -> pd.DataFrame:
    """Wilson intervals for every share indicator whose numerator is part of its base.

    Parameters
    ----------
    year : int
        Report year.
    alpha : float
        1 − confidence level.
    totals_only : bool
        Keep only the national/sector rows (not the province rows).

    Returns
    -------
    DataFrame
        ``indicator``, ``title``, ``group``, ``sex``, ``year``, ``count``, ``n``,
        ``share`` (percent), ``ci_low``, ``ci_high`` (percent), ``method``, ``note``.
    """
    year = check_year(year)
    ids = [i.id for i in indicators.INDICATORS if i.proportion]
    df = indicators.compute(year, ids)
    if totals_only:
        df = df[df["dimension"].isin(["sector", "total"])]
    rows = []
    for _, r in df.iterrows():
        low, high = wilson_interval(r["numerator"], r["denominator"], alpha)
        rows.append(
            {
                "indicator": r["indicator"],
                "title": r["title"],
                "group": r["group"],
                "sex": r["sex"],
                "year": year,
                "count": r["numerator"],
                "n": r["denominator"],
                "share": r["value"],
                "ci_low": low * 100,
                "ci_high": high * 100,
                "method": "wilson" if not _missing(low) else "",
                "note": r["note"],
            }
        )
    return _with_caveats(pd.DataFrame(rows), ["census"])


# --------------------------------------------------------------------------------------
# Severity mix
# --------------------------------------------------------------------------------------
def severity_table(year, sector: str = "private") -> pd.DataFrame:
    """Return the minor injuries, severe injuries and deaths of a year and the year before.

    Parameters
    ----------
    year : int
        Report year.
    sector : str
        ``"private"`` (Table 11) or ``"public"`` (Table 25).

    Returns
    -------
    DataFrame
        ``sector``, ``year``, ``degree``, ``count``, ``share`` (percent of the year) and
        ``expected`` (under independence of year and degree; NaN when not testable).
        Only the years with data are present.
    """
    year = check_year(year)
    df = load_table(SEVERITY_TABLES[sector])
    base = _previous_year(year)
    years = [y for y in (base, year) if y is not None and y in set(df["year"])]
    d = df[df["year"].isin(years) & (df["sex"] == "total") & df["degree"].isin(DEGREES)]
    table = (
        d.pivot_table(index="year", columns="degree", values="value", aggfunc="sum")
        .reindex(index=years, columns=list(DEGREES))
        .astype(float)
    )
    expected = _expected(table.to_numpy())
    rows = []
    for i, y in enumerate(years):
        total = table.loc[y].sum()
        for j, deg in enumerate(DEGREES):
            rows.append(
                {
                    "sector": sector,
                    "year": y,
                    "degree": deg,
                    "count": table.loc[y, deg],
                    "share": table.loc[y, deg] / total * 100 if total else np.nan,
                    "expected": expected[i, j] if expected is not None else np.nan,
                }
            )
    return pd.DataFrame(rows)


def _expected(obs: np.ndarray):
    if obs.shape[0] < 2 or (obs.sum(axis=1) == 0).any() or (obs.sum(axis=0) == 0).any():
        return None
    return sps.contingency.expected_freq(obs)


def chi2_test(observed) -> dict:
    """Chi-square test of independence of a contingency table (rows × columns).

    Parameters
    ----------
    observed : array-like
        Counts, e.g. years × degrees.

    Returns
    -------
    dict
        ``chi2``, ``dof``, ``p_value``, ``n``, ``cramers_v``, ``min_expected`` and
        ``note`` ("" or why the test cannot be made: a row or column of zeros).
    """
    obs = np.asarray(observed, dtype=float)
    out = {
        "chi2": np.nan,
        "dof": np.nan,
        "p_value": np.nan,
        "n": float(obs.sum()),
        "cramers_v": np.nan,
        "min_expected": np.nan,
        "note": "",
    }
    if _expected(obs) is None:
        out["note"] = "not testable: a year or a degree has no case"
        return out
    res = sps.chi2_contingency(obs, correction=False)
    k = min(obs.shape) - 1
    out.update(
        chi2=float(res.statistic),
        dof=int(res.dof),
        p_value=float(res.pvalue),
        cramers_v=math.sqrt(res.statistic / (obs.sum() * k)),
        min_expected=float(res.expected_freq.min()),
    )
    if out["min_expected"] < 5:
        out["note"] = "some expected counts are below 5: the chi-square approximation is rough"
    return out


def severity_test(year) -> pd.DataFrame:
    """Chi-square test of the severity mix (minor / severe / deaths) by year, per sector.

    Parameters
    ----------
    year : int
        Report year, compared with ``year - 1``.

    Returns
    -------
    DataFrame
        One row per sector: ``sector``, ``year``, ``base_year``, ``chi2``, ``dof``,
        ``p_value``, ``n``, ``cramers_v``, ``min_expected`` and ``note``.
    """
    year = check_year(year)
    base = _previous_year(year)
    rows = []
    for sector in SEVERITY_TABLES:
        row = {"sector": sector, "year": year, "base_year": year - 1}
        if base is None:
            res = chi2_test(np.zeros((1, 3)))
            res.update(n=np.nan, note=f"{NOT_AVAILABLE}: no {year - 1} data")
        else:
            t = severity_table(year, sector)
            obs = t.pivot(index="year", columns="degree", values="count")
            res = chi2_test(obs.reindex(columns=list(DEGREES)).to_numpy())
        rows.append({**row, **res})
    ids = ["two_years", "census"] + (["public_2021"] if base == 2021 else [])
    return _with_caveats(pd.DataFrame(rows), ids)


# --------------------------------------------------------------------------------------
# Province model
# --------------------------------------------------------------------------------------
MODEL_COLUMNS = [
    "group",
    "count",
    "exposure",
    "rate",
    "expected",
    "rate_ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "q_value",
    "flagged",
    "direction",
    "p_value_poisson",
    "q_value_poisson",
    "flagged_poisson",
    "family",
    "dispersion",
    "nb_alpha",
    "national_rate",
    "note",
]


def fit_rate_model(
    frame: pd.DataFrame,
    count: str = "count",
    exposure: str = "exposure",
    group: str = "group",
    alpha: float = 0.05,
    threshold: float = DISPERSION_THRESHOLD,
    per: float = 1.0,
) -> pd.DataFrame:
    """Each group's rate against the pooled rate: GLM with a log offset and BH control.

    1. The pooled (national) rate is Σ count / Σ exposure — the intercept of a Poisson
       GLM ``count ~ 1`` with offset ``log(exposure)``. Its Pearson χ² / df measures how
       much the groups vary around it beyond Poisson chance (the *dispersion*).
    2. When the dispersion exceeds ``threshold`` the family is a negative binomial
       (NB2) whose α is estimated by maximum likelihood on the same intercept-only model
       (``statsmodels`` ``NegativeBinomial``); otherwise Poisson.
    3. A GLM of that family with one indicator per group, no intercept and offset
       ``log(expected)`` (expected = pooled rate × exposure) gives each group's log rate
       ratio against the pooled rate, its Wald 95 % interval and p-value; the p-values
       are adjusted by Benjamini–Hochberg (``multipletests(method="fdr_bh")``). The
       same p-values under Poisson are given for comparison.

    Groups with a zero count cannot enter the log-linear model; they are returned
    with a rate ratio of 0 and a note.

    Parameters
    ----------
    frame : DataFrame
        One row per group.
    count, exposure, group : str
        Column names.
    alpha : float
        Level of the intervals and of the false discovery rate.
    threshold : float
        Dispersion above which the negative binomial is used.
    per : float
        Multiplier of the rates reported (e.g. 1000 for per 1,000).

    Returns
    -------
    DataFrame
        One row per group, columns :data:`MODEL_COLUMNS`; ``family``, ``dispersion``,
        ``nb_alpha`` and ``national_rate`` repeat the model-level results.
    """
    d = frame[[group, count, exposure]].copy()
    d.columns = ["group", "count", "exposure"]
    d = d[d["exposure"] > 0].reset_index(drop=True)
    y = d["count"].to_numpy(dtype=float)
    e = d["exposure"].to_numpy(dtype=float)
    national = y.sum() / e.sum()
    ones = np.ones((len(d), 1))
    null = sm.GLM(y, ones, offset=np.log(e), family=sm.families.Poisson()).fit()
    dispersion = float(null.pearson_chi2 / null.df_resid) if null.df_resid > 0 else np.nan
    nb_alpha = np.nan
    family = sm.families.Poisson()
    family_name = "Poisson"
    if not _missing(dispersion) and dispersion > threshold:
        nb = sm.NegativeBinomial(y, ones, offset=np.log(e), loglike_method="nb2")
        nb_fit = nb.fit(disp=0, maxiter=1000)
        nb_alpha = float(np.asarray(nb_fit.params)[-1])
        family = sm.families.NegativeBinomial(alpha=nb_alpha)
        family_name = "negative binomial"
    expected = national * e
    pos = y > 0
    out = pd.DataFrame(
        {
            "group": d["group"],
            "count": y,
            "exposure": e,
            "rate": y / e * per,
            "expected": expected,
        }
    )
    for col in MODEL_COLUMNS[5:15]:
        out[col] = pd.array([pd.NA] * len(out), dtype="boolean") if "flagged" in col else np.nan
    out["note"] = ""
    if pos.sum() > 0:
        X = np.eye(len(d))[:, pos][pos]
        fits = {}
        for name, fam in (("model", family), ("poisson", sm.families.Poisson())):
            # one parameter per group: a saturated model, the fit is exact by design
            with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
                warnings.simplefilter("ignore", PerfectSeparationWarning)
                fits[name] = sm.GLM(y[pos], X, offset=np.log(expected[pos]), family=fam).fit()
        fit = fits["model"]
        ci = np.asarray(fit.conf_int(alpha=alpha))
        out.loc[pos, "rate_ratio"] = np.exp(np.asarray(fit.params))
        out.loc[pos, "ci_low"] = np.exp(ci[:, 0])
        out.loc[pos, "ci_high"] = np.exp(ci[:, 1])
        for suffix, f in (("", fit), ("_poisson", fits["poisson"])):
            p = np.asarray(f.pvalues)
            reject, q, _, _ = multipletests(p, alpha=alpha, method="fdr_bh")
            out.loc[pos, f"p_value{suffix}"] = p
            out.loc[pos, f"q_value{suffix}"] = q
            out.loc[pos, f"flagged{suffix}"] = reject
    out.loc[~pos, "rate_ratio"] = 0.0
    out.loc[~pos, "note"] = "no event: not in the log-linear model"
    out["direction"] = np.where(out["rate_ratio"] > 1, "above", "below")
    out["family"] = family_name
    out["dispersion"] = dispersion
    out["nb_alpha"] = nb_alpha
    out["national_rate"] = national * per
    return out[MODEL_COLUMNS]


def province_counts(year) -> pd.DataFrame:
    """Return the province occupational-risk reports and registered workers of a year.

    Parameters
    ----------
    year : int
        Report year.

    Returns
    -------
    DataFrame
        ``group`` (province, khans added to Phnom Penh), ``count`` (reports, Annex
        6.1.4), ``exposure`` (registered workers, Annex 6.1.1); empty when the annex
        tables have no data for the year.
    """
    year = check_year(year)
    df = indicators.compute(year, [PROVINCE_INDICATOR])
    d = df[(df["dimension"] == "province") & (df["sex"] == "total")]
    return pd.DataFrame(
        {
            "group": d["group"].to_numpy(),
            "count": d["numerator"].to_numpy(dtype=float),
            "exposure": d["denominator"].to_numpy(dtype=float),
        }
    )


def province_model(year, alpha: float = 0.05) -> pd.DataFrame:
    """Province rates of occupational-risk reports against the national rate (GLM).

    Parameters
    ----------
    year : int
        Report year (the province annex tables exist for one year only).
    alpha : float
        Level of the intervals and of the false discovery rate.

    Returns
    -------
    DataFrame
        :func:`fit_rate_model` of the province counts, rates per 1,000 registered
        workers, plus ``year``; one row with a "not available" note when the year has
        no province data.
    """
    year = check_year(year)
    ids = ["census", "reports", "khans", "head_office", "one_province_year"]
    counts = province_counts(year)
    if counts.empty:
        years = indicators.input_years(PROVINCE_INDICATOR)
        out = pd.DataFrame([{c: np.nan for c in MODEL_COLUMNS}])
        out["group"] = "Cambodia"
        out["family"] = ""
        out["note"] = (
            f"{NOT_AVAILABLE}: the province annex tables (Annex 6.1.4, Annex 6.1.1) have "
            f"data for {', '.join(map(str, years))} only"
        )
        out.insert(0, "year", year)
        return _with_caveats(out, ids)
    out = fit_rate_model(counts, alpha=alpha, per=1000)
    out.insert(0, "year", year)
    return _with_caveats(out, ids)


# --------------------------------------------------------------------------------------
# Funnel plot
# --------------------------------------------------------------------------------------
def poisson_limit(p: float, mu):
    """Return the interpolated ``p`` quantile of a Poisson(``mu``) count.

    The quantile ``r`` of the Poisson distribution is made continuous by
    interpolation, ``r − (F(r) − p) / (F(r) − F(r − 1))`` (Spiegelhalter's funnel-plot
    method), so that control limits are smooth curves.

    Parameters
    ----------
    p : float
        Probability, e.g. 0.975.
    mu : float or array-like
        Expected counts (positive).

    Returns
    -------
    ndarray
        The interpolated quantiles.
    """
    mu = np.asarray(mu, dtype=float)
    r = sps.poisson.ppf(p, mu)
    f_r = sps.poisson.cdf(r, mu)
    f_below = sps.poisson.cdf(r - 1, mu)
    return r - (f_r - p) / (f_r - f_below)


def funnel_limits(rate: float, exposures, levels=(0.95, 0.998)) -> pd.DataFrame:
    """Poisson control limits of a rate around ``rate`` for a range of exposures.

    For the expected count μ = rate × exposure, the limits at level ``1 − a`` are the
    interpolated ``a/2`` and ``1 − a/2`` quantiles of a Poisson(μ) count
    (:func:`poisson_limit`), divided by the exposure.

    Parameters
    ----------
    rate : float
        Target rate (events per unit of exposure).
    exposures : array-like
        Exposures at which to compute the limits.
    levels : tuple of float
        Coverage levels, e.g. 0.95 and 0.998.

    Returns
    -------
    DataFrame
        ``exposure``, ``level``, ``lower``, ``upper`` (rates, same scale as ``rate``).
    """
    e = np.asarray(exposures, dtype=float)
    mu = rate * e
    rows = []
    for level in levels:
        a = 1 - level
        lower = np.maximum(poisson_limit(a / 2, mu), 0) / e
        upper = poisson_limit(1 - a / 2, mu) / e
        rows.append(pd.DataFrame({"exposure": e, "level": level, "lower": lower, "upper": upper}))
    return pd.concat(rows, ignore_index=True)


def funnel_figure(
    model: pd.DataFrame, per: float = 1000, title: str = "", label_extremes: int = 3
) -> Figure:
    """Draw a funnel plot of group rates from a :func:`fit_rate_model` result.

    Parameters
    ----------
    model : DataFrame
        Result of :func:`fit_rate_model` / :func:`province_model` (rates per ``per``).
    per : float
        Multiplier of the rates in ``model``.
    title : str
        Figure title.
    label_extremes : int
        Also name this many groups with the highest and with the lowest rates.

    Returns
    -------
    Figure
        Rates against exposure (log scale), the national rate, 95 % and 99.8 % Poisson
        limits; groups flagged after Benjamini–Hochberg are drawn as diamonds and named.
    """
    style.setup()
    national = float(model["national_rate"].iloc[0]) / per
    e = model["exposure"].to_numpy(dtype=float)
    rates = model["rate"].to_numpy(dtype=float)
    grid = np.geomspace(e.min() * 0.8, e.max() * 1.25, 200)
    lim = funnel_limits(national, grid)
    fig = Figure(figsize=style.FIGSIZE, dpi=style.DPI)
    ax = fig.subplots()
    ax.axhline(national * per, color=style.PALETTE[7], lw=1, label="national rate")
    for level, color, ls in ((0.95, style.PALETTE[1], "--"), (0.998, style.PALETTE[5], ":")):
        ll = lim[lim["level"] == level]
        name = "95%" if level == 0.95 else "99.8%"
        ax.plot(ll["exposure"], ll["lower"] * per, color=color, ls=ls, lw=1)
        ax.plot(
            ll["exposure"],
            ll["upper"] * per,
            color=color,
            ls=ls,
            lw=1,
            label=f"{name} Poisson limits",
        )
    flagged = model["flagged"].fillna(False).astype(bool).to_numpy()
    ax.scatter(
        e[~flagged], rates[~flagged], color=style.PALETTE[0], s=22, zorder=3, label="province"
    )
    if flagged.any():
        ax.scatter(
            e[flagged],
            rates[flagged],
            color=style.PALETTE[5],
            s=30,
            zorder=4,
            marker="D",
            label="stands out (Benjamini–Hochberg)",
        )
    order = np.argsort(rates)
    named = set(np.flatnonzero(flagged))
    if label_extremes:
        named |= set(order[:label_extremes]) | set(order[-label_extremes:])
    # alternate above/below in order of rate so that close neighbours do not overlap
    for k, i in enumerate(sorted(named, key=lambda j: rates[j])):
        ax.annotate(
            str(model["group"].iloc[i]),
            (e[i], rates[i]),
            textcoords="offset points",
            xytext=(5, 4 if k % 2 == 0 else -11),
            fontsize=8,
        )
    ax.set_xscale("log")
    ax.set_xlabel("Registered workers (log scale)")
    ax.set_ylabel(f"Reports per {per:,.0f} workers")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def funnel_plot(year) -> Figure | None:
    """Funnel plot of the province occupational-risk report rates of a year.

    Parameters
    ----------
    year : int
        Report year.

    Returns
    -------
    Figure or None
        The figure, or None when the province tables have no data for the year (the
        prose of :func:`describe_funnel` says so).
    """
    model = province_model(year)
    if model["family"].iloc[0] == "":
        return None
    return funnel_figure(
        model,
        title=f"Occupational-risk reports per 1,000 registered workers by province, {year}",
    )


# --------------------------------------------------------------------------------------
# Display and prose
# --------------------------------------------------------------------------------------
def fmt_p(p) -> str:
    """Format a p-value for display.

    Parameters
    ----------
    p : float
        The p-value.

    Returns
    -------
    str
        "<0.001", three decimals below 0.1, two above; "n/a" when missing.
    """
    if _missing(p):
        return "n/a"
    if p < 0.001:
        return "<0.001"
    return f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def _p(p, name: str = "p") -> str:
    """Return "p < 0.001" or "p = 0.012" (or the same for a q-value) for prose."""
    text = fmt_p(p)
    return f"{name} {text[0]} {text[1:]}" if text.startswith("<") else f"{name} = {text}"


def _fmt(x, digits: int = 2) -> str:
    if _missing(x):
        return "n/a"
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    x = float(x)
    if x == int(x):
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


#: Columns holding counts (formatted without decimals).
COUNT_COLUMNS = {"count", "n", "exposure", "base_count", "base_exposure"}
#: Column headings of :func:`format_table` (the frame keeps the result's column names).
HEADINGS = {
    "indicator": "Indicator",
    "outcome": "Outcome",
    "sector": "Sector",
    "title": "Indicator",
    "group": "Group",
    "sex": "Sex",
    "year": "Year",
    "base_year": "Previous year",
    "count": "Count",
    "n": "Out of",
    "exposure": "Exposure",
    "rate": "Rate",
    "base_count": "Previous count",
    "base_exposure": "Previous exposure",
    "base_rate": "Previous rate",
    "unit": "Unit",
    "rate_ratio": "Rate ratio",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "share": "Share (%)",
    "p_value": "p-value",
    "q_value": "q-value (BH)",
    "flagged": "Stands out",
    "flagged_poisson": "Stands out (Poisson)",
    "p_value_poisson": "p-value (Poisson)",
    "q_value_poisson": "q-value (Poisson)",
    "chi2": "Chi-square",
    "dof": "Degrees of freedom",
    "cramers_v": "Cramér's V",
    "min_expected": "Smallest expected count",
    "expected": "Expected",
    "direction": "Direction",
    "family": "Model",
    "dispersion": "Dispersion",
    "nb_alpha": "NB alpha",
    "national_rate": "National rate",
    "method": "Method",
    "note": "Note",
}


def format_table(frame: pd.DataFrame, columns=None, digits: int = 2):
    """Return a display table: p- and q-values formatted, other numbers rounded.

    Parameters
    ----------
    frame : DataFrame
        A result of this module.
    columns : list of str, optional
        Columns to keep, in order.
    digits : int
        Decimals of non-integer numbers (ratios get 3).

    Returns
    -------
    pandas.io.formats.style.Styler
        Of a frame of strings (``.data``, with the result's column names), for display
        only: headings from :data:`HEADINGS`, no index, text left and numbers right; its
        id is derived from the column names.
    """
    df = frame[columns] if columns is not None else frame
    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        s = df[c]
        if c.startswith(("p_value", "q_value")):
            out[c] = [fmt_p(v) for v in s]
        elif c.startswith("flagged"):
            out[c] = ["n/a" if pd.isna(v) else ("yes" if v else "no") for v in s]
        elif c in ("year", "base_year", "dof"):
            out[c] = ["" if _missing(v) else str(int(v)) for v in s]
        elif c in COUNT_COLUMNS:
            out[c] = [_fmt(v, 0) for v in s]
        elif pd.api.types.is_numeric_dtype(s):
            d = 3 if c in ("rate_ratio", "ci_low", "ci_high", "cramers_v", "nb_alpha") else digits
            out[c] = ["n/a" if _missing(v) else f"{v:,.{d}f}" for v in s]
        else:
            out[c] = s.astype(str).replace({"nan": "", "<NA>": ""})
    uuid = "stats-" + hashlib.sha1("|".join(map(str, df.columns)).encode()).hexdigest()[:8]
    st = plain_table(out.reset_index(drop=True), uuid)
    return st.relabel_index([HEADINGS.get(c, c) for c in out.columns], axis="columns")


def _ci(r, digits=3) -> str:
    return (
        f"{r['rate_ratio']:.{digits}f} (95% CI {r['ci_low']:.{digits}f}–{r['ci_high']:.{digits}f})"
    )


def describe_rate_ratios(rr: pd.DataFrame) -> str:
    """Return Markdown prose on a :func:`rate_ratios` result (numbers from the frame).

    Parameters
    ----------
    rr : DataFrame
        Result of :func:`rate_ratios`.

    Returns
    -------
    str
        One bullet per outcome with rates, ratio, interval and p-value, or what could
        not be computed and why.
    """
    year, base = int(rr["year"].iloc[0]), int(rr["base_year"].iloc[0])
    if rr["note"].str.startswith(NOT_AVAILABLE).all():
        return (
            f"Rate ratios compare {year} with {base}, but there is no data for {base} "
            f"(available years: {', '.join(map(str, available_years()))}). The {year} "
            f"rates themselves are in the indicator tables above."
        )
    lines = [
        f"Rates in {year} against {base} (exposure: the rate's denominator in each year; "
        f"{rr['unit'].iloc[0]}):",
        "",
    ]
    for _, r in rr.iterrows():
        head = f"- **{r['outcome'].capitalize()}, {r['sector']}**: {_fmt(r['rate'])} "
        head += f"({_fmt(r['count'])} cases) against {_fmt(r['base_rate'])} "
        head += f"({_fmt(r['base_count'])})"
        if not _missing(r["ci_low"]):
            sig = "a significant" if r["p_value"] < 0.05 else "no significant"
            word = "rise" if r["rate_ratio"] > 1 else "fall"
            lines.append(
                f"{head}: rate ratio {_ci(r)}, {_p(r['p_value'])} — {sig} {word} at the 5% level."
            )
        else:
            extra = f", {_p(r['p_value'])} ({r['method']})" if r["method"] else ""
            lines.append(f"{head}: {r['note']}{extra}.")
    return "\n".join(lines)


def describe_shares(sh: pd.DataFrame, ids=None) -> str:
    """Return Markdown prose on selected Wilson intervals of :func:`share_intervals`.

    Parameters
    ----------
    sh : DataFrame
        Result of :func:`share_intervals`.
    ids : list of str, optional
        Indicators to describe (default: all rows with an interval).

    Returns
    -------
    str
        One bullet per share: value, count / n and the 95 % interval.
    """
    d = sh if ids is None else sh[sh["indicator"].isin(ids)]
    year = int(sh["year"].iloc[0])
    lines = [f"Shares in {year} with 95% Wilson intervals:", ""]
    for _, r in d.iterrows():
        who = " (females)" if r["sex"] == "female" and "Female" not in r["title"] else ""
        if _missing(r["ci_low"]):
            lines.append(f"- {r['title']}{who}: {r['note'] or 'no interval'}.")
            continue
        lines.append(
            f"- {r['title']}{who}: {r['share']:.2f}% ({_fmt(r['count'])} / "
            f"{_fmt(r['n'])}), 95% CI {r['ci_low']:.2f}–{r['ci_high']:.2f}%."
        )
    return "\n".join(lines)


def describe_severity(test: pd.DataFrame, tables: dict | None = None) -> str:
    """Return Markdown prose on a :func:`severity_test` result.

    Parameters
    ----------
    test : DataFrame
        Result of :func:`severity_test`.
    tables : dict, optional
        Sector → :func:`severity_table` result, to quote the shares of each degree
        (default: computed for the sectors that could be tested).

    Returns
    -------
    str
        One paragraph per sector.
    """
    out = []
    if tables is None:
        tables = {
            r["sector"]: severity_table(int(r["year"]), r["sector"])
            for _, r in test.iterrows()
            if not _missing(r["chi2"])
        }
    for _, r in test.iterrows():
        head = f"**{r['sector'].capitalize()} sector, {r['year']} against {r['base_year']}**"
        if _missing(r["chi2"]):
            out.append(f"{head}: {r['note']}.")
            continue
        sig = "differs significantly" if r["p_value"] < 0.05 else "does not differ significantly"
        text = (
            f"{head}: the mix of minor injuries, severe injuries and deaths {sig} between "
            f"the years (χ² = {r['chi2']:.2f}, {int(r['dof'])} df, {_p(r['p_value'])}, "
            f"n = {_fmt(r['n'])}; Cramér's V = {r['cramers_v']:.3f}"
        )
        text += f"; {r['note']})." if r["note"] else ")."
        if tables and r["sector"] in tables:
            t = tables[r["sector"]]
            parts = []
            for deg in DEGREES:
                s = t[t["degree"] == deg].set_index("year")["share"]
                parts.append(
                    f"{deg.replace('_', ' ')} {s.get(r['base_year'], np.nan):.2f}% → "
                    f"{s.get(r['year'], np.nan):.2f}%"
                )
            text += " Shares: " + "; ".join(parts) + "."
        out.append(text)
    return "\n\n".join(out)


def describe_province_model(model: pd.DataFrame) -> str:
    """Return Markdown prose on a :func:`province_model` result.

    Parameters
    ----------
    model : DataFrame
        Result of :func:`province_model`.

    Returns
    -------
    str
        The national rate, the dispersion and the family chosen (and why), the
        provinces flagged after Benjamini–Hochberg, and the Poisson comparison.
    """
    if model["family"].iloc[0] == "":
        reason = str(model["note"].iloc[0]).removeprefix(f"{NOT_AVAILABLE}: ")
        return f"The province model cannot be fitted for {model['year'].iloc[0]}: {reason}."
    r0 = model.iloc[0]
    n = len(model)
    disp = r0["dispersion"]
    if r0["family"] == "negative binomial":
        fam = (
            f"The Pearson χ²/df of the Poisson model around the national rate is "
            f"{disp:,.1f}, above {DISPERSION_THRESHOLD}: the provinces vary far more than "
            f"Poisson chance allows, so the model is a **negative binomial** (NB2, "
            f"α = {r0['nb_alpha']:.3f}, estimated by maximum likelihood)."
        )
    else:
        fam = (
            f"The Pearson χ²/df of the Poisson model is {disp:,.2f}, not above "
            f"{DISPERSION_THRESHOLD}: the model stays **Poisson**."
        )
    flagged = model[model["flagged"].fillna(False).astype(bool)]
    if flagged.empty:
        flag_text = (
            "After Benjamini–Hochberg control of the false discovery rate at 5%, **no "
            "province stands out** from the national rate."
        )
    else:
        flag_text = (
            "After Benjamini–Hochberg control at 5%, these provinces stand out: "
            + (
                "; ".join(
                    f"{r['group']} ({r['direction']}: rate {r['rate']:.2f}, {_ci(r, 2)}, "
                    f"{_p(r['q_value'], 'q')})"
                    for _, r in flagged.iterrows()
                )
            )
            + "."
        )
    top = model.sort_values("p_value").iloc[0]
    best = (
        f" The smallest p-value is {top['group']}'s ({top['direction']} the national rate: "
        f"rate {top['rate']:.2f}, rate ratio {_ci(top, 2)}, {_p(top['p_value'])}, "
        f"{_p(top['q_value'], 'q')})."
    )
    n_pois = int(model["flagged_poisson"].fillna(False).astype(bool).sum())
    pois = (
        f" Under a plain Poisson model {n_pois} of {n} provinces would be flagged — the "
        "overdispersion shows that Poisson chance alone is the wrong yardstick."
        if r0["family"] == "negative binomial"
        else ""
    )
    return (
        f"National rate: {r0['national_rate']:.2f} reports per 1,000 registered workers "
        f"({_fmt(model['count'].sum())} reports, {_fmt(model['exposure'].sum())} workers, "
        f"{n} provinces). {fam} {flag_text}{best}{pois}"
    )


def describe_funnel(model: pd.DataFrame) -> str:
    """Return Markdown prose explaining the funnel plot of a :func:`province_model`.

    Parameters
    ----------
    model : DataFrame
        Result of :func:`province_model`.

    Returns
    -------
    str
        How many provinces lie outside the 95 % and 99.8 % Poisson limits, and how to
        read that given the model's dispersion.
    """
    if model["family"].iloc[0] == "":
        reason = str(model["note"].iloc[0]).removeprefix(f"{NOT_AVAILABLE}: ")
        return f"No funnel plot for {model['year'].iloc[0]}: {reason}."
    national = float(model["national_rate"].iloc[0]) / 1000
    counts = {}
    for level in (0.95, 0.998):
        outside = 0
        for _, r in model.iterrows():
            lim = funnel_limits(national, [r["exposure"]], (level,)).iloc[0]
            rate = r["rate"] / 1000
            outside += int(rate < lim["lower"] or rate > lim["upper"])
        counts[level] = outside
    n = len(model)
    text = (
        f"Each dot is a province: its rate of reports per 1,000 registered workers against "
        f"its number of registered workers (log scale). The horizontal line is the national "
        f"rate ({model['national_rate'].iloc[0]:.2f}); the funnels are the 95% and 99.8% "
        f"Poisson limits. {counts[0.95]} of {n} provinces lie outside the 95% limits and "
        f"{counts[0.998]} outside the 99.8% limits, where chance alone would put about "
        f"{0.05 * n:.1f} and {0.002 * n:.2f} if every province shared the national rate."
    )
    if model["family"].iloc[0] == "negative binomial":
        text += (
            f" With a dispersion of {model['dispersion'].iloc[0]:,.1f} the Poisson limits "
            f"are too narrow to single out provinces; the negative binomial model above "
            f"allows for the extra variation."
        )
    n_flag = int(model["flagged"].fillna(False).astype(bool).sum())
    text += (
        f" The {n_flag} province(s) that stand out after Benjamini–Hochberg control are "
        f"drawn as diamonds."
        if n_flag
        else " No province stands out after Benjamini–Hochberg control, so no point is "
        "drawn as a diamond."
    )
    order = model.sort_values("rate")
    text += (
        f" The three highest rates ({', '.join(order['group'].iloc[-3:][::-1])}) and the "
        f"three lowest ({', '.join(order['group'].iloc[:3])}) are named."
    )
    return text


def methods_markdown() -> str:
    """Return a Markdown section describing the statistical methods and the caveats.

    Returns
    -------
    str
        Rate ratios, Wilson intervals, the chi-square test, the province GLM (family
        choice, Benjamini–Hochberg) and the funnel plot, then every caveat of
        :data:`CAVEATS`; meant for the book's methodology page, after
        :func:`nssf_analysis.indicators.methodology_markdown`.
    """
    rates = ", ".join(f"`{i}`" for i in RATE_RATIO_INDICATORS)
    lines = [
        "## Statistical methods",
        "",
        "- **Rate ratios** (`stats.rate_ratios`): each rate of the report year against the "
        f"year before ({rates}); count = the rate's numerator, exposure = its denominator in "
        "each year. Score test (`statsmodels.stats.rates.test_poisson_2indep`) and score "
        "interval (`confint_poisson_2indep`, ratio). With a zero count in one year the "
        "interval is not estimable; the p-value then comes from the exact conditional test.",
        "- **Shares** (`stats.share_intervals`): Wilson intervals "
        '(`proportion_confint(method="wilson")`) for every share whose numerator is a '
        "subset of its denominator.",
        "- **Severity mix** (`stats.severity_test`): chi-square test of independence of year "
        "and degree (minor injuries, severe injuries, deaths; `scipy.stats.chi2_contingency` "
        "without continuity correction), with Cramér's V.",
        "- **Province model** (`stats.province_model`): the province occupational-risk "
        "reports (Annex 6.1.4, khans added to Phnom Penh) with registered workers (Annex "
        "6.1.1) as exposure. The Pearson χ²/df of an intercept-only Poisson GLM with offset "
        "log(workers) measures overdispersion; above "
        f"{DISPERSION_THRESHOLD} the family is a negative binomial (NB2, α by maximum "
        "likelihood). A GLM of that family with one parameter per province and offset "
        "log(national rate × workers) gives each province's rate ratio against the national "
        "rate with a Wald 95% interval; p-values are adjusted by Benjamini–Hochberg "
        '(`multipletests(method="fdr_bh")`) and provinces with q < 0.05 stand out. The '
        "Poisson p-values are shown for comparison.",
        "- **Funnel plot** (`stats.funnel_plot`): province rates against registered workers "
        "with the national rate and 95% and 99.8% Poisson limits (interpolated Poisson "
        "quantiles of the expected count).",
        "",
        "### Caveats",
        "",
        *(f"- {text}" for text in CAVEATS.values()),
    ]
    return "\n".join(lines) + "\n"
