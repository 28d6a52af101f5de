"""The annex directories as the book shows them: types, anchors, escaping."""

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from nssf_analysis.render import directory_view, tables


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        # names as the report prints them (Annex 6.6.1)
        ("Takeo Eye Hospital", "Eye Hospital"),
        ("Kampong Cham Provincial Referral Hospital", "Referral Hospital"),
        ("Provincial Referral Hospital of Ratanakiri", "Referral Hospital"),
        ("Chrey Health Center (Thma Koul District)", "Health Center"),
        ("Kanika Clinic and Maternity", "Clinic and Maternity"),
        ("Sovannara Polyclinic and Maternity III", "Polyclinic and Maternity"),
        ("Khemarak Angkor Polyclinic II", "Polyclinic"),
        ("Clinic RHAC – Takeo", "Clinic"),
        ("Calmette Hospital", "Hospital"),
        ("Pasteur Institute (Phnom Penh)", "Institute"),
        ("Pasteur du Camb (Battambang)", "Other"),
    ],
)
def test_facility_type_is_read_from_the_name(name, kind):
    assert directory_view.facility_type(name) == kind


class Rows(HTMLParser):
    """The rows of a directory table: (row id, classes, [cell texts])."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr":
            self.rows.append((a.get("id"), a.get("class") or "", []))
        elif tag in ("td", "th") and self.rows:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1][2].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def test_health_care_directory_lists_every_facility_under_its_province():
    html = tables.table("a6_6_1", 2022)._repr_html_()
    p = Rows()
    p.feed(html)
    entries = [r for r in p.rows if r[0] and "dir-group" not in r[1]]
    groups = [r for r in p.rows if "dir-group" in r[1]]
    # Table 38 / Annex 6.6.1: 1,501 facilities in the capital and 24 provinces
    assert len(entries) == 1501
    assert len(groups) == 25
    assert p.rows[0][2] == ["Capital/province", "Ownership", "Type", "No.", "Name"]
    takeo = [r for r in entries if r[2][-1] == "Takeo Eye Hospital"]
    assert len(takeo) == 1
    assert takeo[0][2][:3] == ["Takeo", "Private", "Eye Hospital"]
    # the entry sits in the Takeo block, whose heading has its own anchor
    i = p.rows.index(takeo[0])
    heading = [r for r in p.rows[:i] if "dir-group" in r[1]][-1]
    assert heading[0] == "a6_6_1-takeo"
    assert heading[2][0].startswith("Takeo (")
    # a link to every province's anchor above the table
    assert 'href="#a6_6_1-takeo"' in html
    # names are text cells (left-aligned), numbers are not
    assert re.search(r'<td class="dir-name">Takeo Eye Hospital</td>', html)


def test_branch_offices_directory():
    html = tables.table("a6_6_3", 2022)._repr_html_()
    p = Rows()
    p.feed(html)
    entries = [r for r in p.rows if r[0] and "dir-group" not in r[1]]
    assert len(entries) == 35  # Annex 6.6.3 lists 35 branch offices
    assert p.rows[0][2][:2] == ["Capital/province", "Office"]
    assert 'id="a6_6_3-kandal"' in html


def test_text_from_the_data_is_escaped(monkeypatch):
    evil = "<script>alert('x')</script> & Co"
    frame = pd.DataFrame(
        {
            "province": ["Takeo", "<b>Kep</b>"],
            "ownership": ["public", "private"],
            "no": ["1", "2"],
            "name": [evil, "Kep Clinic"],
        }
    )
    monkeypatch.setattr(directory_view, "load_table", lambda table_id: frame)
    html = directory_view.directory("a6_6_1", 2022).to_html()
    assert "<script>" not in html and "<b>Kep</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co" in html
    p = Rows()
    p.feed(html)
    names = [r[2][-1] for r in p.rows if r[0] and "dir-group" not in r[1]]
    assert names == [evil, "Kep Clinic"]  # shown as text
