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
  rates around the national rate with 95 % and 99.8 % Poisson limits
  (:func:`funnel_limits` here, the figure in :mod:`nssf_analysis.render.stats_view`).

Every function returns a tidy, unrounded DataFrame; tables, figures and prose of the
results are in :mod:`nssf_analysis.render.stats_view` (``format_table`` rounds for
display). Inputs that do not exist for the requested year give rows whose ``note`` says
"not available: …" — never an exception in the notebook path, never a made-up number.
The caveats that apply to a result are listed in ``frame.attrs["caveats"]`` and
described by :func:`caveats`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from nssf_analysis.analysis import indicators
from nssf_analysis.analysis.changes import NOT_AVAILABLE
from nssf_analysis.analysis.changes import missing as _missing
from nssf_analysis.data.catalog import available_years, check_year, load_table

__all__ = [
    "CAVEATS",
    "DEGREES",
    "DISPERSION_THRESHOLD",
    "MODEL_COLUMNS",
    "NOT_AVAILABLE",
    "OUTCOMES",
    "PROVINCE_INDICATOR",
    "RATE_RATIO_INDICATORS",
    "SEVERITY_TABLES",
    "caveats",
    "caveats_markdown",
    "chi2_test",
    "fit_rate_model",
    "funnel_limits",
    "poisson_limit",
    "province_counts",
    "province_model",
    "rate_ratio_test",
    "rate_ratios",
    "severity_table",
    "severity_test",
    "share_intervals",
    "wilson_interval",
]

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
    null = GLM(y, ones, offset=np.log(e), family=families.Poisson()).fit()
    dispersion = float(null.pearson_chi2 / null.df_resid) if null.df_resid > 0 else np.nan
    nb_alpha = np.nan
    family = families.Poisson()
    family_name = "Poisson"
    if not _missing(dispersion) and dispersion > threshold:
        nb = NegativeBinomial(y, ones, offset=np.log(e), loglike_method="nb2")
        nb_fit = nb.fit(disp=0, maxiter=1000)
        nb_alpha = float(np.asarray(nb_fit.params)[-1])
        family = families.NegativeBinomial(alpha=nb_alpha)
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
        for name, fam in (("model", family), ("poisson", families.Poisson())):
            # one parameter per group: a saturated model, the fit is exact by design
            with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
                warnings.simplefilter("ignore", PerfectSeparationWarning)
                fits[name] = GLM(y[pos], X, offset=np.log(expected[pos]), family=fam).fit()
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
