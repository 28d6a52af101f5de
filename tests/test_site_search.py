"""The book's offline search: documents cut from pages, the lunr index, the script."""

import json

from lunr.index import Index

from nssf_analysis import site_search

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
    return {d.href: d for d in site_search.page_documents(PAGE, "06_provinces.html", "Annex")}


def test_a_page_is_cut_into_sections_tables_graphics_and_entries():
    d = docs()
    assert d["06_provinces.html#annex"].title == "Annex: provinces"
    assert "capital and province" in d["06_provinces.html#annex"].text()
    section = d["06_provinces.html#six-one"]
    assert section.kind == "section" and section.title == "6.1 Occupational risk"
    assert "Workers registered" in section.text()
    assert "Text after the table" in section.text()
    table = d["06_provinces.html#a6_1_1"]
    assert table.kind == "table"
    assert table.title == "Annex 6.1.1: Enterprises by province"
    assert "Kandal" in table.text() and "Department of Contributions" in table.text()
    assert "12,345" not in table.text()  # numbers are not words to search for
    assert "Graphic 3" in d["06_provinces.html#graphic-3"].text()
    entry = d["06_provinces.html#a6_6_1-1"]
    assert entry.kind == "entry" and entry.title == "Takeo Eye Hospital"
    assert "Private" in entry.text() and "Annex 6.6.1" in entry.text()
    assert d["06_provinces.html#a6_6_1-2"].title == "Angk Ta Saom Health Center"


def test_code_navigation_and_scripts_are_not_indexed():
    text = " ".join(d.title + " " + d.text() for d in docs().values())
    for left_out in ("tables.table", "Sidebar link", "Book title in", "Footer", "notIndexed"):
        assert left_out not in text
    assert "¶" not in text


def test_the_index_finds_an_entry_by_its_name():
    data = site_search.build_index(list(docs().values()))
    idx = Index.load(data["index"])
    hits = idx.search("+takeo +eye +hospital")
    assert hits and data["docs"][hits[0]["ref"]][0] == "06_provinces.html#a6_6_1-1"
    assert data["docs"][hits[0]["ref"]][1] == "Takeo Eye Hospital"


def test_the_script_cannot_be_ended_by_text_of_the_book():
    evil = site_search.Doc("p.html#x", "</script><script>alert(1)</script> & more", "P", "page")
    js = site_search.index_script(site_search.build_index([evil]))
    assert js.startswith("window.NSSF_SEARCH = ") and js.endswith(";\n")
    assert "<" not in js and ">" not in js and "&" not in js
    data = json.loads(js[len("window.NSSF_SEARCH = ") : -2])
    assert data["docs"]["0"][1] == "</script><script>alert(1)</script> & more"


def test_the_cache_cuts_again_only_changed_pages_and_indexes_again_only_changed_documents(
    tmp_path, monkeypatch
):
    book = tmp_path / "book"
    (book / "assets").mkdir(parents=True)
    other = PAGE.replace("Annex: provinces", "Health care").replace("6.1 Occupational", "B.1")
    (book / "06_provinces.html").write_text(PAGE, encoding="utf-8")
    (book / "02_health_care.html").write_text(other, encoding="utf-8")
    files = ["02_health_care.html", "06_provinces.html"]
    script = book / site_search.INDEX_SCRIPT

    def write(cache_dir=None):
        cache = site_search.SearchCache(cache_dir) if cache_dir else None
        return site_search.write_search(book, files, cache), script.read_text(encoding="utf-8")

    plain = write()
    cut, indexed = [], []
    real_cut, real_index = site_search.page_documents, site_search.build_index

    def counting_cut(html, file, title):
        cut.append(file)
        return real_cut(html, file, title)

    def counting_index(documents):
        indexed.append(len(documents))
        return real_index(documents)

    monkeypatch.setattr(site_search, "page_documents", counting_cut)
    monkeypatch.setattr(site_search, "build_index", counting_index)
    cache_dir = tmp_path / "cache"
    assert write(cache_dir) == plain  # the same script as without a cache
    assert sorted(cut) == files and len(indexed) == 1
    # a new footer and a new number in a table: the page is cut again (its content
    # changed), but its documents are the same, so nothing is indexed again
    cut.clear(), indexed.clear()
    changed = PAGE.replace("Footer text", "Built from commit abc").replace("12,345", "12,346")
    (book / "06_provinces.html").write_text(changed, encoding="utf-8")
    assert write(cache_dir) == plain
    assert cut == ["06_provinces.html"] and indexed == []  # numbers are not indexed
    # new words in a paragraph: that page is cut again and the documents indexed again
    cut.clear()
    (book / "06_provinces.html").write_text(
        PAGE.replace("Workers registered", "Members registered"), encoding="utf-8"
    )
    count, text = write(cache_dir)
    assert cut == ["06_provinces.html"] and indexed == [count]
    assert "Members registered" in text and text != plain[1]
    assert len(list(cache_dir.glob("*.json"))) == 3  # two pages and one index: the rest pruned
