"""The book as a citable, machine-readable publication: fields, citation, JSON-LD, package."""

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from frictionless import validate

from nssf_analysis import publication as site
from nssf_analysis.data import datapackage

ROOT = Path(__file__).resolve().parent.parent
GOOD = """title = "A book"
publisher = "Someone"
publication_date = "2026-12-01"
url = ""
source_title = "The report"
source_publisher = "The fund"
[licence]
name = "MIT License"
id = "MIT"
path = "https://opensource.org/license/mit"
statement = "Free to use."
[contact]
name = "Maintainers"
email = "someone@example.org"
"""


def write(tmp_path, text, name="publication.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_the_project_publication_file_is_valid():
    pub = site.publication()
    assert pub.title and pub.licence_name and "@" in pub.contact_email
    assert pub.publication_date.year >= 2000


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            ('publication_date = "2026-12-01"', 'publication_date = "1 December"'),
            "publication_date",
        ),
        (('email = "someone@example.org"', 'email = "nobody"'), "contact.email"),
        (('title = "A book"\n', ""), "title"),
        (('url = ""', 'url = "not an address"'), "url"),
        (("[contact]", "[people]"), "[contact]"),
        (
            ('publication_date = "2026-12-01"', 'publication_date = "2026-02-30"'),
            "publication_date",
        ),
        (('statement = "Free to use."', "statement = 3"), "licence.statement"),
    ],
)
def test_a_bad_publication_file_names_the_file_and_the_field(tmp_path, change, named):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(site.PublicationError) as err:
        site.publication(path)
    assert str(path) in str(err.value) and named in str(err.value)
    assert "\n" not in str(err.value)


def test_the_citation_names_edition_year_version_and_address(tmp_path):
    pub = site.publication(write(tmp_path, GOOD))
    text = site.citation(2022, "0123456789abcdef0123", pub)
    assert text == (
        "Someone (2026). A book, 2022 edition [data set and analysis]. "
        "Version 0123456789ab. [URL]. Data: The report, 2022."
    )
    assert "Version" not in site.citation(2022, None, pub)
    assert "Version unknown." in site.citation(2022, "unknown", pub)
    with_url = site.publication(
        write(tmp_path, GOOD.replace('url = ""', 'url = "https://x.org/b"'), "url.toml")
    )
    assert " https://x.org/b. " in site.citation(2022, None, with_url)


def test_json_ld_cannot_end_its_script_element():
    data = {"name": "</script><script>alert(1)</script> <!-- & -->"}
    text = str(site.json_ld(data))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data


def test_the_index_page_gets_every_field_it_shows_and_a_schema_org_dataset():
    ctx = site.index_context(2022, "0123456789abcdef", "book.xlsx", "nssf-annual-report-2022.pdf")
    template = ROOT / "nssf_analysis/book/templates/book/index.html.j2"
    assert set(re.findall(r"site\.(\w+)", template.read_text(encoding="utf-8"))) <= set(ctx)
    assert ctx["edition"] == "2022 edition" and ctx["datapackage"] == "data/datapackage.json"
    assert ctx["citation"] == site.citation(2022, "0123456789abcdef")
    d = json.loads(str(ctx["json_ld"]))
    assert d["@context"] == "https://schema.org/" and d["@type"] == "Dataset"
    assert d["temporalCoverage"] == "2022" and d["version"] == "0123456789ab"
    assert d["license"].startswith("https://")
    urls = {x["encodingFormat"]: x["contentUrl"] for x in d["distribution"]}
    assert urls["application/pdf"] == "nssf-annual-report-2022.pdf"
    assert urls["application/json"] == "data/datapackage.json"
    assert "data/book.xlsx" in urls.values()
    without = json.loads(str(site.index_context(2022, "abc", "book.xlsx", None)["json_ld"]))
    assert "application/pdf" not in {x["encodingFormat"] for x in without["distribution"]}


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "", "12"], "integer"),
        (["1.5", "2", ""], "number"),
        (["096 615 6168", "1"], "string"),
        (["", ""], "string"),
        (["2008-2021"], "string"),
    ],
)
def test_column_types_are_read_from_the_values(values, kind):
    assert datapackage.infer_type(values) == kind


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory):
    target = tmp_path_factory.mktemp("dp") / "data"
    shutil.copytree(ROOT / "data", target)
    package = datapackage.write_datapackage(
        target / "datapackage.json",
        target,
        2022,
        "0123456789abcdef",
        publication=site.publication(),
    )
    return target, package


def test_the_data_package_describes_every_csv_and_validates(data_copy):
    data_copy, package = data_copy
    paths = {r["path"] for r in package["resources"]}
    csvs = {p.relative_to(data_copy).as_posix() for p in data_copy.rglob("*.csv")}
    assert paths == csvs
    t01 = next(r for r in package["resources"] if r["path"] == "tidy/t01.csv")
    fields = {f["name"]: f for f in t01["schema"]["fields"]}
    assert fields["value"]["type"] == "number"
    assert fields["year"]["type"] == "integer" and fields["year"]["unit"] == "year"
    assert fields["sex"]["description"] == "total (all persons) or female."
    assert "Registered Enterprises" in t01["title"]
    raw = next(r for r in package["resources"] if r["path"] == "raw/t01.csv")
    assert {f["type"] for f in raw["schema"]["fields"] if f["name"] != "line"} == {"string"}
    report = validate(str(data_copy / "datapackage.json"))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "note"])[:5]
    pub = site.publication()
    assert package["licenses"] == [
        {"name": pub.licence_id, "path": pub.licence_path, "title": pub.licence_name}
    ]
    assert package["name"] == "nssf-annual-report-2022" and package["version"] == "0123456789ab"
    assert package["contributors"][0]["email"] == pub.contact_email


def test_a_value_of_the_wrong_type_fails_validation(data_copy, tmp_path):
    bad = tmp_path / "data"
    shutil.copytree(data_copy[0], bad)
    path = bad / "tidy" / "t01.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    year = rows[0].index("year")
    rows[1][year] = "twenty"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    report = validate(str(bad / "datapackage.json"))
    assert not report.valid
    assert report.flatten(["fieldName", "type"]) == [["year", "type-error"]]
    assert [t.name for t in report.tasks if not t.valid] == ["tidy-t01"]
