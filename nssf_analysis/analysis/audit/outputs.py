"""The audit's files (``outputs/audit``) and the command ``nssf-report audit``."""

from __future__ import annotations

import json
from pathlib import Path

from nssf_analysis import paths
from nssf_analysis.analysis.audit.reconciliation import reconcile
from nssf_analysis.analysis.audit.results import run, summary
from nssf_analysis.analysis.audit.rules import CLASSES

__all__ = ["run_cli", "write_outputs"]


def write_outputs(out: Path | str | None = None) -> dict:
    """Write the findings, the summary, the reconciliation and the conventions.

    The files are ``findings.csv``, ``findings.json``, ``summary.csv``,
    ``reconciliation.csv`` and ``conventions.csv``.

    Parameters
    ----------
    out : Path or str, optional
        Output folder (default ``outputs/audit``).

    Returns
    -------
    dict
        The paths written, by name.
    """
    out = Path(out) if out else paths.outputs_dir() / "audit"
    out.mkdir(parents=True, exist_ok=True)
    res = run()
    written = {}
    f = res.findings
    written["findings.csv"] = out / "findings.csv"
    f.to_csv(written["findings.csv"], index=False, lineterminator="\n")
    written["findings.json"] = out / "findings.json"
    records = json.loads(f.to_json(orient="records"))
    written["findings.json"].write_text(
        json.dumps(
            {"report_year": res.report_year, "findings": records}, indent=1, ensure_ascii=False
        )
        + "\n",
        encoding="utf-8",
    )
    for name, df in (
        ("summary.csv", summary()),
        ("reconciliation.csv", reconcile()),
        ("conventions.csv", res.conventions),
    ):
        written[name] = out / name
        df.to_csv(written[name], index=False, lineterminator="\n")
    return written


def run_cli(args) -> int:
    """Run the audit for ``nssf-report audit [--out DIR]``; print the counts.

    Parameters
    ----------
    args : argparse.Namespace
        ``args.out``: output folder, or None for ``outputs/audit``.

    Returns
    -------
    int
        0.
    """
    out = Path(args.out) if getattr(args, "out", None) else paths.outputs_dir() / "audit"
    written = write_outputs(out)
    res = run()
    s = summary()
    total = s[s["rule"] == "all"].iloc[0]
    classes = ", ".join(f"{c} {int(total[c])}" for c in CLASSES)
    print(
        f"audit of the {res.report_year} report: {int(total['checks'])} checks, "
        f"{int(total['ok'])} ok, {int(total['findings'])} findings ({classes})"
    )
    shown = s[(s["checks"] > 0) & (s["rule"] != "all")]
    print(shown.drop(columns=["group"]).to_string(index=False))
    rec = reconcile()
    print(
        f"reconciliation: {len(rec)} headline formulas, "
        + ", ".join(f"{k} {v}" for k, v in rec["status"].value_counts().sort_index().items())
    )
    print(f"written: {', '.join(sorted(written))} -> {out}")
    return 0
