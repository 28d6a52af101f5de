"""A sentence of the prose the edition no longer prints, end to end.

The facts of the prose are found by the sentence that states them (``facts.toml``). An
edition that drops Table 21 together with the sentence that states its 2022 row loses
those facts as it loses the table: they are reported missing (``data/facts_missing.csv``,
named in ``metadata.json``), ``nssf-report extract`` names them, ``--strict`` fails on
them, and the chapter leaves out what needs them. A sentence that is still printed but
no longer fits its declaration stays an error naming ``facts.toml``. Expected values are
those of seeds/nssf_annual_report_2022.txt and nssf_analysis/data/facts.toml; every
extraction goes to a temporary folder.
"""

import json
import tomllib

import pandas as pd
import pytest
from test_editions import base_lines, renumber, span

from nssf_analysis.cli import main
from nssf_analysis.data import catalog as catalog_mod
from nssf_analysis.data.facts import (
    FACT_SPECS,
    FACTS_PATH,
    FactNotPrinted,
    apply_spec,
    find_facts,
)
from nssf_analysis.data.pipeline import write_data
from nssf_analysis.exceptions import ExtractionError

#: Report line 479, the sentence of A.2.1 that states what Table 21 prints for 2022
#: (its row "2022  35  257,644  107,650", line 486).
REGISTRATION = (
    "Since the implementation of Occupational Risk Scheme for public employees until the "
    "year of 2022, NSSF has registered 35 institutions consisting of 257,644 members "
    "(107,650 females)."
)
#: Its facts in facts.toml: section "A.2.1", anchor "^Since the implementation", the
#: numbers a21_registered_institutions and the pair a21_members.
DROPPED = ["a21_registered_institutions", "a21_members_total", "a21_members_female"]
ANCHOR = "^Since the implementation"


def declared_facts() -> list[str]:
    """Every fact id facts.toml declares (a pair is two facts: _total and _female)."""
    doc = tomllib.loads(FACTS_PATH.read_text(encoding="utf-8"))
    ids = []
    for sentence in doc["sentence"]:
        for n in sentence["numbers"]:
            ids += [f"{n['pair']}_total", f"{n['pair']}_female"] if "pair" in n else [n["id"]]
    return ids


def without_table_21() -> list[str]:
    """The 2022 report without Table 21 and the sentence before it; tables renumbered."""
    lines = base_lines()
    at = lines.index(REGISTRATION)
    a, b = span(lines, 21)  # "Table 21: …" (line 481) to its "Source:" line (488)
    assert at < a and not "".join(lines[at + 1 : a]).strip()  # only blank lines between
    return renumber(lines[:at] + lines[b:])


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------------------
# End to end: extraction, the summary, --strict, validation, the chapter
# --------------------------------------------------------------------------------------


def test_the_table_and_the_facts_of_its_sentence_are_reported_missing(edition):
    data = edition(without_table_21())
    info = write_data()
    summary = read(data / "edition.csv").set_index("table_id")
    assert summary.loc["t21", "status"] == "missing"
    assert summary.loc["t22", "label"] == "Table 21"
    missing = read(data / "facts_missing.csv")
    assert list(missing.columns) == ["fact_id", "section", "heading", "anchor", "reason"]
    assert list(missing["fact_id"]) == DROPPED
    assert set(missing["section"]) == set(missing["heading"]) == {"A.2.1"}
    assert set(missing["anchor"]) == {ANCHOR}
    assert set(missing["reason"]) == {"sentence not printed"}
    assert list(info["facts_missing"]["fact_id"]) == DROPPED
    meta = json.loads((data / "metadata.json").read_text(encoding="utf-8"))
    assert meta["facts_missing"] == "facts_missing.csv"
    assert "facts_missing.csv" in (data / "SHA256SUMS").read_text(encoding="utf-8")
    # the reading API: the facts are not there, and are named as missing
    facts = catalog_mod.load_facts().set_index("fact_id")["value"]
    assert not set(DROPPED) & set(facts.index)
    assert set(facts.index) == set(declared_facts()) - set(DROPPED)
    assert list(catalog_mod.load_facts_missing()["fact_id"]) == DROPPED
    # the next sentence of A.2.1 is still read (line 492): "there are 35 contributory and
    # contribution-paid institutions consisting of 229,413 members (108,113 females) …
    # with a total contribution income of 4.69 billion Riels"
    assert facts["a21_contribution_paid_institutions"] == 35
    assert facts["a21_contribution_paid_members_total"] == 229_413
    assert facts["a21_contribution_paid_members_female"] == 108_113
    assert facts["a21_contribution_income"] == 4.69
    assert main(["validate"]) == 0


def test_the_summary_names_the_missing_facts_and_strict_fails(edition, capsys):
    data = edition(without_table_21())
    assert main(["extract", "--quiet", "--strict"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "missing: t21 (Table 21)" in err
    assert (
        "facts missing: a21_registered_institutions, a21_members_total, a21_members_female "
        "(section A.2.1)" in err
    )
    assert not data.exists()  # failed before anything was written
    assert main(["extract", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "missing    t21 (Table 21): Number of Registered Institutions and Members" in out
    found = len(declared_facts()) - len(DROPPED)
    assert f"facts: {found} found, 3 missing" in out
    assert (
        "  missing    a21_registered_institutions, a21_members_total, a21_members_female "
        f"(section A.2.1): sentence not printed: /{ANCHOR}/ under heading A.2.1" in out
    )


def test_the_2022_report_lacks_no_fact(edition, capsys):
    data = edition(base_lines())
    assert main(["extract", "--quiet", "--strict"]) == 0
    assert f"facts: {len(declared_facts())} found, 0 missing" in capsys.readouterr().out
    assert not (data / "facts_missing.csv").exists()
    meta = json.loads((data / "metadata.json").read_text(encoding="utf-8"))
    assert "facts_missing" not in meta
    assert catalog_mod.load_facts_missing().empty


def test_validation_accepts_a_reported_fact_only(edition, capsys):
    data = edition(without_table_21())
    write_data()
    path = data / "facts_missing.csv"
    reported = read(path)

    def report(frame: pd.DataFrame) -> str:
        """Write ``frame`` as the missing facts; return what validation says on stderr."""
        frame.to_csv(path, index=False)
        status = main(["validate"])
        return capsys.readouterr().err if status else ""

    # a fact neither in facts.csv nor reported missing
    err = report(reported.iloc[:2])
    assert "facts.csv, column 'fact_id': rule 'complete' broken: no row for fact " in err
    assert "a21_members_female (section A.2.1)" in err
    # a fact that facts.toml does not declare, or that facts.csv has
    err = report(reported.replace({"fact_id": {"a21_members_female": "a21_nothing"}}))
    assert "facts_missing.csv, row 3, column 'fact_id': rule 'complete' broken: " in err
    assert "fact a21_nothing is not a declared fact" in err
    err = report(reported.replace({"fact_id": {"a21_members_female": "a21_contribution_income"}}))
    assert "fact a21_contribution_income has a row in facts.csv" in err
    err = report(pd.concat([reported, reported.iloc[[0]]]))
    assert "rule 'unique-key' broken: fact a21_registered_institutions listed twice" in err
    assert report(reported) == ""
    # the file without its entry in metadata.json
    meta_path = data / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["facts_missing"]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    err = report(reported)
    assert "facts_missing.csv: rule 'complete' broken: metadata.json does not name it" in err


# --------------------------------------------------------------------------------------
# What stays an error: a sentence printed that no longer fits its declaration
# --------------------------------------------------------------------------------------


def test_a_sentence_not_printed_is_not_an_error_of_the_extraction():
    lines = [x for x in base_lines() if x != REGISTRATION]
    facts, missing = find_facts(lines)
    assert list(missing["fact_id"]) == DROPPED
    assert not set(DROPPED) & set(facts["fact_id"])
    assert len(facts) == len(declared_facts()) - 3
    # apply_spec alone still says why, as an ExtractionError of its own kind
    spec = next(s for s in FACT_SPECS if "a21_registered_institutions" in s.fact_ids)
    with pytest.raises(FactNotPrinted, match=r"a21_registered_institutions.*not found"):
        apply_spec(lines, spec)


def test_a_heading_not_printed_reports_its_facts():
    # line 554 "A.2.3. Benefits" (line 34, with a tab and its page, is the contents')
    lines = base_lines()
    lines.remove("A.2.3. Benefits")
    _, missing = find_facts(lines)
    assert set(missing["section"]) == {"A.2.3"}
    assert set(missing["reason"]) == {"heading not printed"}
    # facts.toml, A.2.3: a23_claims_documents and the pair a23_claims_victims; then
    # a23_provision_documents, the pair a23_beneficiary_victims and a23_expenditure
    assert list(missing["fact_id"]) == [
        "a23_claims_documents",
        "a23_claims_victims_total",
        "a23_claims_victims_female",
        "a23_provision_documents",
        "a23_beneficiary_victims_total",
        "a23_beneficiary_victims_female",
        "a23_expenditure",
    ]


def test_an_anchor_matching_two_sentences_names_the_declaration():
    lines = base_lines()
    at = lines.index(REGISTRATION)
    with pytest.raises(ExtractionError) as info:
        find_facts(lines[: at + 1] + [REGISTRATION] + lines[at + 1 :])
    assert not isinstance(info.value, FactNotPrinted)
    message = str(info.value)
    assert "a21_registered_institutions" in message and "section A.2.1" in message
    assert "matches 2 sentences" in message
    assert "nssf_analysis/data/facts.toml" in message


def test_another_count_of_numbers_names_the_declaration():
    lines = base_lines()
    at = lines.index(REGISTRATION)
    lines[at] = REGISTRATION.replace(" (107,650 females)", "")
    with pytest.raises(ExtractionError) as info:
        find_facts(lines)
    message = str(info.value)
    assert not isinstance(info.value, FactNotPrinted)
    assert "a21_registered_institutions" in message and "section A.2.1" in message
    assert f"line {at + 1}" in message and "expected 3 numbers" in message
    assert "found 2: ['35', '257,644']" in message
    assert "declare the numbers it now prints in nssf_analysis/data/facts.toml" in message


def test_a_text_without_any_declared_sentence_is_an_error():
    with pytest.raises(ExtractionError, match=r"prints none of the \d+ sentences declared"):
        find_facts(["2. ANNUAL ACHIEVEMENTS", "", "Nothing counted here."])


def test_a_headline_sentence_not_printed_leaves_its_figures_out_of_the_overview(edition):
    # line 140: "As of 2022, NSSF has registered a total of 21,430 formal and informal
    # institutions/enterprises/establishments consisting of 3,120,208 members …"
    lines = base_lines()
    at = next(i for i, ln in enumerate(lines) if "NSSF has registered a total of" in ln)
    assert "21,430" in lines[at]
    edition(lines[:at] + lines[at + 1 :])
    write_data()
    from chapter import run_cells

    from nssf_analysis.analysis.headlines import headlines

    heads = headlines(2022).set_index("fact_id")
    assert "s2_registered_enterprises" not in heads.index
    # line 144: the occupational-risk headline is still printed: 20,483 enterprises
    assert heads.loc["s2or_registered_enterprises", "printed"] == 20483
    overview = run_cells("00_overview", 2022)
    assert overview["rebuilt"]("s2_registered_enterprises") is None
    assert overview["rebuilt"]("s2or_registered_enterprises") == "**20,483**"
