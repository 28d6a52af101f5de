"""The book's offline search: documents cut from pages, the lunr index, the script."""

import json

from lunr import lunr

from nssf_analysis.book import search

PAGE = """<!DOCTYPE html><html><head><title>Annex: provinces · NSSF annual report 2022</title>
</head><body>
<header class="topbar"><a href="index.html">Book title in the header</a></header>
<nav class="sidebar"><a href="#x">Sidebar link text</a></nav>
<main id="content">
<h1 id="annex">Annex: provinces<a class="anchor-link" href="#annex">¶</a></h1>
<p>The annex tables by capital and province.</p>
<details class="nssf-code"><summary>code</summary><pre>tables.table("a6_6_1")</pre></details>
<h2 id="six-one">6.1 Occupational risk</h2>
<p>Workers registered in each province.</p>
<div class="nssf-table" id="a6_1_1"><table><caption>Annex 6.1.1: Enterprises by province
</caption><thead><tr><th>Capital/province</th><th>Workers</th></tr></thead>
<tbody><tr><th>Kandal</th><td>12,345</td></tr></tbody></table>
<div class="nssf-table-notes">Source: Department of Contributions.</div></div>
<p>Text after the table belongs to its section again.</p>
<div class="nssf-graphic" id="graphic-3"><b>Graphic 3:</b> Contribution-paid enterprises</div>
<div class="nssf-table nssf-directory" id="a6_6_1" data-directory="a6_6_1">
<table><caption>Annex 6.6.1: Health facilities</caption>
<thead><tr><th>Capital/province</th><th>Ownership</th><th>Type</th><th class="num">No.</th>
<th>Name</th></tr></thead><tbody>
<tr class="dir-group" id="a6_6_1-takeo"><th colspan="5">Takeo (2)</th></tr>
<tr id="a6_6_1-1"><td class="dir-capital-province">Takeo</td><td>Private</td>
<td>Eye Hospital</td><td class="num">4</td><td class="dir-name">Takeo Eye Hospital</td></tr>
<tr id="a6_6_1-2"><td class="dir-capital-province">Takeo</td><td>Public</td>
<td>Health Center</td><td class="num">5</td>
<td class="dir-name">Angk Ta Saom Health Center</td></tr>
</tbody></table></div>
</main>
<footer class="footer">Footer text</footer>
<script>var notIndexed = 1;</script>
</body></html>"""


def docs():
    return {d.href: d for d in search.page_documents(PAGE, "06_provinces.html", "Annex")}


def test_a_page_is_cut_into_sections_tables_graphics_and_entries():
    d = docs()
    assert d["06_provinces.html"].kind == "page" and d["06_provinces.html"].title == "Annex"
    assert d["06_provinces.html#annex"].title == "Annex: provinces"
    assert "capital and province" in d["06_provinces.html#annex"].body
    section = d["06_provinces.html#six-one"]
    assert section.kind == "section" and section.title == "6.1 Occupational risk"
    assert "Workers registered" in section.body
    assert "Text after the table" in section.body
    table = d["06_provinces.html#a6_1_1"]
    assert table.kind == "table"
    assert table.title == "Annex 6.1.1: Enterprises by province"
    assert "Kandal" in table.body and "Department of Contributions" in table.body
    assert "Kandal 12,345" in table.body  # a number as printed, next to its row's label
    assert "Graphic 3" in d["06_provinces.html#graphic-3"].body
    assert d["06_provinces.html#a6_6_1"].kind == "directory"
    entry = d["06_provinces.html#a6_6_1-1"]
    assert entry.kind == "entry" and entry.title == "Takeo Eye Hospital"
    assert "Private" in entry.body and "Annex 6.6.1" in entry.body
    assert d["06_provinces.html#a6_6_1-2"].title == "Angk Ta Saom Health Center"
    assert "06_provinces.html#a6_6_1-takeo" not in d  # a group row is no entry


def test_code_navigation_and_scripts_are_not_indexed():
    text = " ".join(d.title + " " + d.body for d in docs().values())
    for left_out in ("tables.table", "Sidebar link", "Book title in", "Footer", "notIndexed"):
        assert left_out not in text
    assert "¶" not in text


def test_a_long_section_is_searched_to_its_end():
    paragraphs = "".join(f"<p>{f'word{i} ' * 50}</p>" for i in range(20))
    page = f"<main><h2 id='x'>X</h2>{paragraphs}<p>Spent 323,281.65 million riels.</p></main>"
    (doc,) = [d for d in search.page_documents(page, "p.html", "P") if d.title == "X"]
    assert doc.body.startswith("word0 word0") and doc.body.endswith("323,281.65 million riels.")


def test_every_number_of_a_table_is_kept_however_short():
    page = (
        "<main><div class='nssf-table' id='t'><table><caption>Table 1: T</caption><tr>"
        "<th>2008-2022</th><td>20,448</td><td>2,584,706<sup>1</sup></td><td>18.08%</td>"
        "<td>4</td><td>4</td></tr></table></div></main>"
    )
    (table,) = [d for d in search.page_documents(page, "p.html", "P") if d.kind == "table"]
    # each cell once, in the order printed: 4 is kept though "2,584,706" holds a 4
    assert table.body == "2008-2022 20,448 2,584,706 1 18.08% 4 4"


def write_book(tmp_path, pages):
    (tmp_path / "assets").mkdir()
    for name, html in pages.items():
        (tmp_path / name).write_text(html, encoding="utf-8")
    count = search.write_search(tmp_path, list(pages))
    script = (tmp_path / search.INDEX_SCRIPT).read_text(encoding="utf-8")
    assert script.startswith("window.NSSF_SEARCH = ") and script.endswith(";\n")
    return count, script, json.loads(script[len("window.NSSF_SEARCH = ") : -2])


def index_of(data: dict):
    """A lunr index of the documents as ``search.js`` builds it (titles ten times the body)."""
    docs = [{"id": ref, "title": d[4], "body": d[5]} for ref, d in data["docs"].items()]
    fields = [{"field_name": "title", "boost": 10}, "body"]
    return lunr(ref="id", fields=fields, documents=docs)


def test_the_index_finds_an_entry_by_its_name(tmp_path):
    count, _, data = write_book(tmp_path, {"06_provinces.html": PAGE})
    assert count == len(docs()) == len(data["docs"])
    hits = index_of(data).search("+takeo +eye +hospital")
    href, title, page, kind, *_ = data["docs"][hits[0]["ref"]]
    assert href == "06_provinces.html#a6_6_1-1" and title == "Takeo Eye Hospital"
    # the page's title, from its <title> up to " · ", goes with each of its results
    assert page == "Annex: provinces" and kind == "entry"


def test_the_script_cannot_be_ended_by_text_of_the_book(tmp_path):
    evil = "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
    page = f"<title>P · book</title><main><h2 id='x'>{evil}</h2></main>"
    _, script, data = write_book(tmp_path, {"p.html": page})
    assert "<" not in script and ">" not in script and "&" not in script
    titles = [d[1] for d in data["docs"].values()]
    assert "</script><script>alert(1)</script> & more" in titles
