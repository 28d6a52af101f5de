"""The annex directories (6.6.1, 6.6.2, 6.6.3) as tables a reader can search and sort.

A directory is one HTML table: a row per facility or branch office, grouped under a
heading row per capital/province (each with its own anchor,
``<table_id>-<province-slug>``), every entry with an anchor of its own
(``<table_id>-<n>``, numbered in report order).  Above it, links to every
capital/province.  The book's script ``assets/directory.js`` adds a filter (name,
capital/province, ownership, type) and sortable columns; without it the table is
complete and in report order, on screen and in print.

The type of a health facility is read from its name, the way the report names them
(:data:`TYPE_RULES`): the first rule whose words occur in the name gives the type,
so "Kampong Cham Provincial Referral Hospital" is a *Referral Hospital* and "Kanika
Clinic and Maternity" a *Clinic and Maternity*; a name that matches no rule (the
Pasteur Institute's branches, for example) is *Other*.

Every string from the data reaches the page escaped (Jinja autoescape).
"""

from __future__ import annotations

import re

import jinja2
import pandas as pd
from markupsafe import Markup

from nssf_analysis.data.catalog import catalog, load_table

__all__ = [
    "DIRECTORY_COLUMNS",
    "DirectoryView",
    "FACILITY_DIRECTORIES",
    "FILTER_COLUMNS",
    "OTHER_TYPE",
    "TYPE_RULES",
    "directory",
    "directory_frame",
    "display_frame",
    "facility_type",
    "province_anchor",
    "slug",
]

#: Columns of each directory's tidy table that are shown, after the capital/province.
DIRECTORY_COLUMNS = {
    "a6_6_1": ["ownership", "no", "name"],
    "a6_6_2": ["ownership", "no", "name"],
    "a6_6_3": ["office", "address", "mobile_numbers", "landline_numbers"],
}
#: Directories of health facilities (they get a type column).
FACILITY_DIRECTORIES = ("a6_6_1", "a6_6_2")
#: How a facility's type is read from its name: the first of these words that occurs in
#: the name (whole words, any case) is its type.  More specific words come first.
TYPE_RULES = (
    "Referral Hospital",
    "Health Center",
    "Eye Hospital",
    "Eye Clinic",
    "Polyclinic and Maternity",
    "Clinic and Maternity",
    "Polyclinic",
    "Clinic",
    "Hospital",
    "Institute",
)
#: Type of a facility whose name matches no rule.
OTHER_TYPE = "Other"
#: Columns a reader can filter by (with a list of values); the name has a text box.
FILTER_COLUMNS = ("Capital/province", "Ownership", "Type")

_RULES = tuple(
    (re.compile(r"\b" + r"\s+".join(map(re.escape, words.split())) + r"\b", re.I), words)
    for words in TYPE_RULES
)

_TEMPLATE = """\
<div class="nssf-table nssf-directory" id="{{ id }}" data-directory="{{ id }}">
<nav class="dir-places" aria-label="{{ label }}: capital/provinces">{{ places_label }}: \
{% for g in groups %}<a href="#{{ g.anchor }}">{{ g.name }}</a> ({{ g.count }})\
{% if not loop.last %} · {% endif %}{% endfor %}</nav>
<table class="nssf-report-table nssf-directory-table">
<caption><span class="nssf-table-label">{{ label }}:</span> \
<span class="nssf-table-title">{{ title }}</span></caption>
<thead>
<tr>{% for c in columns %}<th scope="col" class="{{ c.css }}">{{ c.name }}</th>{% endfor %}</tr>
</thead>
<tbody>
{% for g in groups %}\
<tr class="dir-group" id="{{ g.anchor }}"><th scope="rowgroup" colspan="{{ columns | length }}">\
{{ g.name }} <span class="dir-group-count">({{ g.count }})</span></th></tr>
{% for r in g.rows %}<tr id="{{ r.id }}">\
{% for v in r.cells %}<td class="{{ columns[loop.index0].css }}">{{ v }}</td>{% endfor %}</tr>
{% endfor %}\
{% endfor %}\
</tbody>
</table>
<div class="nssf-table-notes">{{ notes }}</div>
</div>
"""
_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_PAGE = _ENV.from_string(_TEMPLATE)


def facility_type(name: str) -> str:
    """Return the type of a health facility read from its name (see :data:`TYPE_RULES`).

    Parameters
    ----------
    name : str
        The facility's name as printed, e.g. ``"Takeo Eye Hospital"``.

    Returns
    -------
    str
        ``"Eye Hospital"`` for that example; :data:`OTHER_TYPE` when no rule matches.
    """
    for pattern, kind in _RULES:
        if pattern.search(str(name)):
            return kind
    return OTHER_TYPE


def slug(text: str) -> str:
    """Return ``text`` as an anchor fragment: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "x"


def province_anchor(table_id: str, province: str) -> str:
    """Return the anchor of a capital/province in a directory, e.g. ``a6_6_1-takeo``."""
    return f"{table_id}-{slug(province)}"


def directory_frame(table_id: str) -> pd.DataFrame:
    """Return a directory (facilities or branch offices) indexed by province.

    Parameters
    ----------
    table_id : str
        ``a6_6_1``, ``a6_6_2`` or ``a6_6_3``.
    """
    df = load_table(table_id).copy()
    if table_id == "a6_6_3":
        df["province"] = df["branch"].where(df["group"] != "phnom_penh", "Phnom Penh")
        df["office"] = df["office"].where(df["office"] != "", df["branch"] + " Branch Office")
    cols = DIRECTORY_COLUMNS[table_id]
    out = df[["province", *cols]].copy()
    out.columns = ["Capital/province"] + [c.replace("_", " ").capitalize() for c in cols]
    if "Ownership" in out.columns:
        out["Ownership"] = out["Ownership"].str.capitalize()
    return out.set_index("Capital/province")


def display_frame(table_id: str) -> pd.DataFrame:
    """Return a directory as the book shows it: one row per entry, every cell a string.

    Facility directories get the columns Capital/province, Ownership, Type, No. and
    Name; the branch offices Capital/province, Office, Address, Mobile numbers and
    Landline numbers.  Rows are in report order.

    Parameters
    ----------
    table_id : str
        ``a6_6_1``, ``a6_6_2`` or ``a6_6_3``.
    """
    frame = directory_frame(table_id).reset_index()
    if table_id in FACILITY_DIRECTORIES:
        frame.insert(2, "Type", frame["Name"].map(facility_type))
        frame = frame.rename(columns={"No": "No."})
    return frame.fillna("").astype(str)


def _notes(table_id: str, n_entries: int, n_places: int) -> Markup:
    info = catalog().set_index("table_id").loc[table_id].to_dict()
    parts = []
    if info.get("source"):
        parts.append(Markup("Source: {}.").format(info["source"]))
    if info.get("notes"):
        parts.append(Markup("Note: {}.").format(info["notes"]))
    parts.append(Markup("{:,} entries in {} places.").format(n_entries, n_places))
    if table_id in FACILITY_DIRECTORIES:
        parts.append(
            Markup(
                "Type: read from the facility's name as the report prints it (Referral "
                "Hospital, Health Center, Eye Hospital, Clinic and Maternity, Polyclinic, "
                "Clinic, Hospital …; Other where the name says none)."
            )
        )
    return Markup("<br>").join(parts)


class DirectoryView:
    """A directory rendered for the book; displays as HTML in a notebook.

    Attributes
    ----------
    table_id : str
        The directory.
    data : DataFrame
        What it shows (:func:`display_frame`).
    """

    def __init__(self, table_id: str):
        self.table_id = table_id
        self.data = display_frame(table_id)

    def to_html(self) -> str:
        """Return the directory's HTML (see the module docstring)."""
        info = catalog().set_index("table_id").loc[self.table_id].to_dict()
        frame = self.data
        numeric = {"No."}
        columns = [
            {"name": c, "css": "num" if c in numeric else ("dir-" + slug(c))} for c in frame.columns
        ]
        groups: list[dict] = []
        n = 0
        for province, rows in frame.groupby("Capital/province", sort=False):
            entries = []
            for cells in rows.itertuples(index=False):
                n += 1
                entries.append({"id": f"{self.table_id}-{n}", "cells": list(cells)})
            groups.append(
                {
                    "name": province,
                    "anchor": province_anchor(self.table_id, province),
                    "count": len(entries),
                    "rows": entries,
                }
            )
        return _PAGE.render(
            id=self.table_id,
            label=info["label"],
            title=info["title"],
            columns=columns,
            groups=groups,
            notes=_notes(self.table_id, len(frame), len(groups)),
            places_label="Capital/provinces",
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        info = catalog().set_index("table_id").loc[self.table_id]
        return f"{info['label']}: {info['title']} ({len(self.data):,} entries)"


def directory(table_id: str, year: int) -> DirectoryView:
    """Return a directory for the book, grouped per capital/province.

    Parameters
    ----------
    table_id : str
        ``a6_6_1``, ``a6_6_2`` or ``a6_6_3``.
    year : int
        The year shown (the directories list the report year's facilities).
    """
    return DirectoryView(table_id)
