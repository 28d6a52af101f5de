"""Tables, figures and prose of the statistical analysis; its API is re-exported here.

The statistics are computed in the analysis layer (:mod:`nssf_analysis.analysis.stats`);
this module shows them: :func:`format_table` (a Styler), :func:`funnel_figure` and
:func:`funnel_plot` (matplotlib figures), the ``describe_*`` Markdown prose and
:func:`methods_markdown` (the methodology section). The former flat name
``nssf_analysis.stats`` is this module, so ``stats.rate_ratios(year)`` and
``stats.format_table(frame)`` both work.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from nssf_analysis.analysis.changes import NOT_AVAILABLE
from nssf_analysis.analysis.changes import missing as _missing
from nssf_analysis.analysis.stats import *  # noqa: F403 - the API this view shows
from nssf_analysis.analysis.stats import (
    CAVEATS,
    DEGREES,
    DISPERSION_THRESHOLD,
    RATE_RATIO_INDICATORS,
    funnel_limits,
    province_model,
    severity_table,
)
from nssf_analysis.analysis.stats import __all__ as _analysis_all
from nssf_analysis.data.catalog import available_years
from nssf_analysis.render import style, tables

__all__ = [
    *_analysis_all,
    "COUNT_COLUMNS",
    "HEADINGS",
    "describe_funnel",
    "describe_province_model",
    "describe_rate_ratios",
    "describe_severity",
    "describe_shares",
    "fmt_p",
    "format_table",
    "funnel_figure",
    "funnel_plot",
    "methods_markdown",
]


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
        "<0.001", three decimals below 0.1, two above; "not available" when missing.
    """
    if _missing(p):
        return NOT_AVAILABLE
    if p < 0.001:
        return "<0.001"
    return f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def _p(p, name: str = "p") -> str:
    """Return "p < 0.001" or "p = 0.012" (or the same for a q-value) for prose."""
    text = fmt_p(p)
    return f"{name} {text[0]} {text[1:]}" if text.startswith("<") else f"{name} = {text}"


def _fmt(x, digits: int = 2) -> str:
    if _missing(x):
        return NOT_AVAILABLE
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
            out[c] = [NOT_AVAILABLE if pd.isna(v) else ("yes" if v else "no") for v in s]
        elif c in ("year", "base_year", "dof"):
            out[c] = ["" if _missing(v) else str(int(v)) for v in s]
        elif c in COUNT_COLUMNS:
            out[c] = [_fmt(v, 0) for v in s]
        elif pd.api.types.is_numeric_dtype(s):
            d = 3 if c in ("rate_ratio", "ci_low", "ci_high", "cramers_v", "nb_alpha") else digits
            out[c] = [NOT_AVAILABLE if _missing(v) else f"{v:,.{d}f}" for v in s]
        else:
            out[c] = s.astype(str).replace({"nan": "", "<NA>": ""})
    uuid = "stats-" + hashlib.sha1("|".join(map(str, df.columns)).encode()).hexdigest()[:8]
    st = tables.plain_table(out.reset_index(drop=True), uuid)
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
