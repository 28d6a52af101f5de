"""Links between the chapters and the data-quality chapter's findings.

The audit itself (rules, checks, findings, reconciliation) is
:mod:`nssf_analysis.analysis.audit`; the data-quality chapter
(``notebooks/08_data_quality.ipynb``) shows it in its own tables.  What other modules and
chapters rely on lives here:

* :func:`table_link`: the link from a finding to its table in its chapter;
* :func:`finding_anchors`: the anchors the data-quality chapter gives its findings,
  ``id="<finding_id>"`` on each and ``id="finding-<table_id>"`` on the first finding of
  each table;
* :func:`finding_link`: the link to those anchors, the one that the notes of
  :mod:`nssf_analysis.render.printed` (``FINDING_URL``) follow too.
"""

from __future__ import annotations

import pandas as pd

from nssf_analysis.analysis.audit.results import findings
from nssf_analysis.data import catalog as catalog_mod
from nssf_analysis.render.tables import chapter_of

__all__ = ["AUDIT_PAGE", "finding_anchors", "finding_link", "table_link"]

#: The data-quality chapter, where the findings are listed.
AUDIT_PAGE = "08_data_quality"


def table_link(table_id: str) -> str:
    """Return the link to a table in its chapter, e.g. ``01_occupational_risk.html#t18``.

    Parameters
    ----------
    table_id : str
        A table id of the catalog.
    """
    catalog_mod.check_id(table_id)
    section = catalog_mod.metadata(table_id)["section"]
    return f"{chapter_of(section)}.html#{table_id}"


def finding_anchors(found: pd.DataFrame) -> pd.Series:
    """Return the HTML anchors of each finding, as the data-quality chapter shows them.

    Every finding carries ``<span id="<finding_id>">``; the first finding of each table
    (in the order of ``found``: :func:`findings` lists the most serious first) also
    carries ``<span id="finding-<table_id>">``, which :func:`finding_link` and the notes
    of the printed tables link to.  A page shows each finding of ``found`` once, so each
    anchor is on it once.

    Parameters
    ----------
    found : DataFrame
        Findings with columns ``finding_id`` and ``table_id``, usually
        ``findings(year)``.

    Returns
    -------
    Series of str
        The anchors' HTML, indexed as ``found``.
    """
    first = ~found["table_id"].duplicated()
    return pd.Series(
        [
            f'<span id="{fid}"></span>' + (f'<span id="finding-{tid}"></span>' if is_first else "")
            for fid, tid, is_first in zip(
                found["finding_id"], found["table_id"], first, strict=True
            )
        ],
        index=found.index,
        dtype=object,
    )


def finding_link(table_id: str, year: int | None = None) -> str | None:
    """Return the link to a table's first finding in the data-quality chapter.

    Parameters
    ----------
    table_id : str
        A table id of the catalog.
    year : int, optional
        As in :func:`findings`.

    Returns
    -------
    str or None
        ``08_data_quality.html#finding-<table_id>`` (the anchor of
        :func:`finding_anchors`), or None when the table has no finding.
    """
    f = findings(year)
    if not (f["table_id"] == table_id).any():
        return None
    return f"{AUDIT_PAGE}.html#finding-{table_id}"
