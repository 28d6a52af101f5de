"""The book as a citable, machine-readable publication: fields, citation, JSON-LD, package."""

import csv
import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from frictionless import validate

from nssf_analysis import publication as site
from nssf_analysis.data import datapackage

ROOT = Path(__file__).resolve().parent.parent
GOOD = """title = "A book"
publisher = "Someone"
url = ""
source_title = "The report"
source_publisher = "The fund"
[licence.data]
covers = "the data and the book's content"
name = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
id = "CC-BY-4.0"
path = "https://creativecommons.org/licenses/by/4.0/"
[licence.code]
covers = "the code"
name = "MIT License"
id = "MIT"
path = "https://opensource.org/license/mit"
[contact]
name = "Maintainers"
email = ""
"""
#: A commit made at 01:00 in Tokyo on 4 March 2030 (3 March in UTC): its date is 4 March.
COMMIT_DATE = "2030-03-04T01:00:00+09:00"


def write(tmp_path, text, name="publication.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def epoch(monkeypatch):
    """Sources dated 1 December 2026, 12:00 UTC (``SOURCE_DATE_EPOCH``)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796126400")
    return dt.date(2026, 12, 1)


def git_repo(folder: Path, when: str = COMMIT_DATE) -> Path:
    """Make a git repository in ``folder`` with one commit dated ``when``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text("a\n", encoding="utf-8")
    env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    env |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (["init", "-q"], ["add", "a.txt"], ["commit", "-q", "-m", "one"]):
        subprocess.run(
            ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
            cwd=folder,
            env=env,
            check=True,
            capture_output=True,
        )
    return folder


def test_the_project_publication_file_is_valid():
    pub = site.publication()
    assert pub.title and pub.publisher and pub.contact_name
    assert (pub.data_licence.id, pub.code_licence.id) == ("CC-BY-4.0", "MIT")
    assert "CC BY 4.0" in pub.data_licence.name
    assert pub.data_licence.path == "https://creativecommons.org/licenses/by/4.0/"
    text = site.PUBLICATION_FILE.read_text(encoding="utf-8")
    assert "example.org" not in text and "publication_date" not in text
    assert pub.contact_email == ""  # no fake address: empty until there is one


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (('email = ""', 'email = "nobody"'), "contact.email"),
        (('title = "A book"\n', ""), "title"),
        (('url = ""', 'url = "not an address"'), "url"),
        (("[contact]", "[people]"), "[contact]"),
        (('id = "CC-BY-4.0"', 'id = "CC BY 4.0"'), "licence.data.id"),
        (("[licence.code]", "[licence.tools]"), "[licence.code]"),
        (('covers = "the code"', "covers = 3"), "licence.code.covers"),
        (('url = ""', 'url = ""\npublication_date = "2020-01-01"'), "publication_date"),
    ],
)
def test_a_bad_publication_file_names_the_file_and_the_field(tmp_path, change, named):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(site.PublicationError) as err:
        site.publication(path)
    assert str(path) in str(err.value) and named in str(err.value)
    assert "\n" not in str(err.value)


def test_the_citation_names_edition_date_version_and_no_placeholder(tmp_path, epoch):
    pub = site.publication(write(tmp_path, GOOD))
    text = site.citation(2022, "0123456789abcdef0123", pub, report=2022)
    assert text == (
        "Someone (2026). A book, 2022 edition [data set and analysis]. "
        "Version 0123456789ab. Source of the figures: The report 2022."
    )
    assert "Version" not in site.citation(2022, None, pub, report=2022)
    assert "Version unknown." in site.citation(2022, "unknown", pub, report=2022)
    for unwanted in ("[URL]", "example.org", "None", "..", "<"):
        assert unwanted not in text


def test_the_citation_and_pages_give_the_address_and_email_when_set(tmp_path, epoch):
    set_ = GOOD.replace('url = ""', 'url = "https://x.org/b"')
    set_ = set_.replace('email = ""', 'email = "someone@x.org"')
    pub = site.publication(write(tmp_path, set_, "set.toml"))
    assert " https://x.org/b. " in site.citation(2022, "abc", pub, report=2022)
    assert site.contact_text(pub) == "Maintainers <someone@x.org>"
    assert site.unset_fields(pub) == [] and site.unset_note(pub) is None
    ctx = site.index_context(2022, "abc", "book.xlsx", None, pub)
    assert ctx["url"] == "https://x.org/b" and ctx["contact_email"] == "someone@x.org"
    d = json.loads(str(ctx["json_ld"]))
    assert d["url"] == "https://x.org/b" and d["creator"]["email"] == "someone@x.org"
    assert "url = {https://x.org/b}" in ctx["bibtex"] and "UR  - https://x.org/b" in ctx["ris"]


def test_an_unset_address_and_email_are_left_out_and_named_once(tmp_path, epoch):
    pub = site.publication(write(tmp_path, GOOD))
    assert site.unset_fields(pub) == ["url", "contact email"]
    note = site.unset_note(pub)
    assert note == "note: publication.toml sets no url, contact email: the citation leaves them out"
    assert site.contact_text(pub) == "Maintainers"
    ctx = site.index_context(2022, "abc", "book.xlsx", None, pub)
    assert ctx["url"] == "" and ctx["contact_email"] == ""
    shown = json.dumps({k: str(v) for k, v in ctx.items()})
    assert "[URL]" not in shown and "example.org" not in shown and "mailto" not in shown
    d = json.loads(str(ctx["json_ld"]))
    assert "url" not in d and "email" not in d["creator"]
    assert "url =" not in ctx["bibtex"] and "UR  -" not in ctx["ris"]


def test_the_date_is_the_commit_date_of_the_sources(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    repo = git_repo(tmp_path / "repo")
    committed = subprocess.run(
        ["git", "log", "-1", "--format=%cs"], cwd=repo, capture_output=True, text=True
    ).stdout.strip()
    assert committed == "2030-03-04"
    pub = site.publication(write(tmp_path, GOOD), root=repo)
    assert pub.date == dt.date(2030, 3, 4)  # never before the commit it names
    assert pub.date.isoformat() >= committed
    # the same commit gives the same date, however often and wherever asked
    monkeypatch.setenv("TZ", "America/Adak")
    assert site.publication(write(tmp_path, GOOD), root=repo).date == pub.date
    assert site.citation(2022, "abc", pub, report=2022).startswith("Someone (2030). ")
    ctx = site.index_context(2022, "abc", "book.xlsx", None, pub)
    assert ctx["date"] == "2030-03-04"
    assert json.loads(str(ctx["json_ld"]))["datePublished"] == "2030-03-04"


def test_source_date_epoch_sets_the_date(tmp_path, epoch):
    repo = git_repo(tmp_path / "repo")
    pub = site.publication(write(tmp_path, GOOD), root=repo)
    assert pub.date == epoch  # a reproducible build says when its sources are from


def test_sources_without_a_date_give_none_and_no_made_up_one(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "plain").mkdir()
    pub = site.publication(write(tmp_path, GOOD), root=tmp_path / "plain")
    assert pub.date is None
    assert site.citation(2022, None, pub, report=2022).startswith("Someone (n.d.). ")
    ctx = site.index_context(2022, "abc", "book.xlsx", None, pub)
    assert ctx["date"] == "" and "datePublished" not in json.loads(str(ctx["json_ld"]))
    assert "sources have no date" in site.unset_note(pub)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(site.PublicationError, match="SOURCE_DATE_EPOCH"):
        site.source_date()


def test_each_years_citation_names_the_report_that_prints_its_figures():
    # the only report in seeds/ is the 2022 one: the 2021 figures are its comparison columns
    old, new = site.citation(2021, "abc"), site.citation(2022, "abc")
    assert "Report on Annual Achievements and Action Plans 2022 (comparison columns for 2021)" in (
        old
    )
    assert "2021 edition" in old and "Action Plans, 2021" not in old
    assert new.endswith("Report on Annual Achievements and Action Plans 2022.")
    assert "comparison" not in new
    assert site.figures_source(2020, report=2023).endswith("2023 (comparison columns for 2020)")
    assert site.figures_source(None).endswith("Action Plans 2022")


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
    assert d["citation"] == ctx["citation"]
    urls = {x["encodingFormat"]: x["contentUrl"] for x in d["distribution"]}
    assert urls["application/pdf"] == "nssf-annual-report-2022.pdf"
    assert urls["application/json"] == "data/datapackage.json"
    assert "data/book.xlsx" in urls.values()
    without = json.loads(str(site.index_context(2022, "abc", "book.xlsx", None)["json_ld"]))
    assert "application/pdf" not in {x["encodingFormat"] for x in without["distribution"]}


def test_the_index_shows_cc_by_for_data_and_mit_for_code():
    ctx = site.index_context(2022, "0123456789abcdef", "book.xlsx", None)
    data, code = ctx["licences"]
    assert (data.id, data.path) == ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/")
    assert "CC BY 4.0" in data.name and "data" in data.covers
    assert (code.id, code.name, code.covers) == ("MIT", "MIT License", "the code")
    assert "CC BY 4.0" in ctx["licence"] and "MIT License" in ctx["licence"]
    assert "National Social Security Fund" in ctx["licence"] and "source" in ctx["licence"]
    d = json.loads(str(ctx["json_ld"]))
    assert d["license"] == "https://creativecommons.org/licenses/by/4.0/"  # the data set's
    code_ld = next(x for x in d["isBasedOn"] if x["@type"] == "SoftwareSourceCode")
    assert code_ld["license"] == "https://opensource.org/license/mit"
    assert "Action Plans 2022" in d["creditText"]


def balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def bibtex_fields(text: str) -> tuple[str, str, dict]:
    """Parse one BibTeX entry (brace-delimited values): its type, key and fields."""
    m = re.fullmatch(r"@(\w+)\{([^,\s]+),\n(.*)\}\n", text, re.S)
    assert m, text
    fields, rest = {}, m[3]
    while rest.strip():
        f = re.match(r"\s*(\w+) = \{", rest)
        assert f, rest
        depth, i = 1, f.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(rest[i], 0)
            i += 1
        fields[f[1]] = rest[f.end() : i - 1]
        rest = rest[i:].lstrip(",\n")
    return m[1], m[2], fields


def test_bibtex_and_ris_carry_the_citation(epoch):
    kind, key, fields = bibtex_fields(site.bibtex(2021, "0123456789abcdef"))
    assert kind == "misc" and re.fullmatch(r"[a-z0-9-]+", key) and "2021" in key
    assert fields["author"] == "{nssf-analysis}" and fields["year"] == "2026"
    assert fields["title"] == "{NSSF annual report: data and analysis, 2021 edition}"
    assert fields["version"] == "0123456789ab" and fields["date"] == "2026-12-01"
    assert "Action Plans 2022 (comparison columns for 2021)" in fields["note"]
    ris = site.ris(2021, "0123456789abcdef").splitlines()
    assert ris[0] == "TY  - DATA" and ris[-1] == "ER  - "
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in ris)
    tags = dict(line.split("  - ", 1) for line in ris[:-1])
    assert tags["TI"] == "NSSF annual report: data and analysis, 2021 edition"
    assert tags["PY"] == "2026" and tags["DA"] == "2026/12/01" and tags["AU"] == "nssf-analysis"
    assert "Version 0123456789ab." in tags["N1"]
    assert "Action Plans 2022 (comparison columns for 2021)" in tags["N1"]


def test_bibtex_and_ris_escape_every_field(tmp_path, epoch):
    nasty = GOOD.replace('"A book"', '"A {book} 50% & $x_1^2$ #1 ~ \\\\end}"')
    nasty = nasty.replace('"Someone"', '"Some}one\\nTY  - JOUR"')
    nasty = nasty.replace('url = ""', 'url = "https://x.org/a{b}c%20d#e"')
    pub = site.publication(write(tmp_path, nasty, "nasty.toml"))
    text = site.bibtex(2022, "abc", pub, report=2022)
    assert balanced(text)
    _, key, fields = bibtex_fields(text)
    assert re.fullmatch(r"[a-z0-9-]+", key)
    assert all(balanced(v) for v in fields.values())
    assert "\\&" in fields["title"] and "\\%" in fields["title"] and "\\$" in fields["title"]
    assert "\\_" in fields["title"] and "\\#" in fields["title"]
    assert "\\textbackslash{}end" in fields["title"] and "\n" not in fields["author"]
    assert fields["url"] == "https://x.org/a%7Bb%7Dc%20d#e"
    lines = site.ris(2022, "abc", pub, report=2022).splitlines()
    assert [line[:2] for line in lines].count("TY") == 1  # no line made by a field's text
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)


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
        citation=site.citation(2022, "0123456789abcdef"),
        source=site.figures_source(None),
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
    assert package["name"] == "nssf-annual-report-2022" and package["version"] == "0123456789ab"


def test_the_data_package_gives_both_licences_the_source_and_the_citation(data_copy):
    _, package = data_copy
    licences = {x["name"]: x for x in package["licenses"]}
    assert set(licences) == {"CC-BY-4.0", "MIT"}
    assert licences["CC-BY-4.0"]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "CC BY 4.0" in licences["CC-BY-4.0"]["title"]
    assert "data" in licences["CC-BY-4.0"]["title"] and "code" in licences["MIT"]["title"]
    assert licences["MIT"]["path"] == "https://opensource.org/license/mit"
    assert package["citation"] == site.citation(2022, "0123456789abcdef")
    assert "Version 0123456789ab." in package["citation"]
    assert package["sources"][0]["title"].endswith("Action Plans 2022")
    t01 = next(r for r in package["resources"] if r["path"] == "tidy/t01.csv")
    assert "Action Plans 2022, Table 1" in t01["sources"][0]["title"]
    text = json.dumps(package)
    assert "example.org" not in text and "[URL]" not in text
    assert "email" not in package["contributors"][0] and "homepage" not in package
    assert package["created"] == site.publication().date.isoformat() + "T00:00:00Z"


def test_a_set_contact_email_and_address_go_into_the_data_package(data_copy, tmp_path):
    data = data_copy[0]
    pub = dataclasses.replace(
        site.publication(), contact_email="someone@x.org", url="https://x.org/b"
    )
    package = datapackage.write_datapackage(
        tmp_path / "datapackage.json", data, 2022, "abc", publication=pub
    )
    assert package["contributors"][0]["email"] == "someone@x.org"
    assert package["homepage"] == "https://x.org/b"


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
