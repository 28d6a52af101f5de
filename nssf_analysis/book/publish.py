"""Publish a year's book: the pages around the chapters, the downloads, the atomic swap.

What goes here: reading a rendered chapter (:class:`Chapter`), the index, methodology
and catalog pages and the chapter pages from the Jinja templates in
``templates/book`` (:func:`render_book`), the Excel workbook of every tidy table
(:func:`write_workbook`), the page of all years, and :func:`_publish_year`, which
renders a year's book and executed notebooks into temporary folders beside the target
and swaps them in with one rename each.  What the site offers beyond pages (search,
downloads, PDF, citation) is in :mod:`nssf_analysis.book.site`.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from nssf_analysis import paths
from nssf_analysis.book.buildcache import (
    FIXED_STAMP,
    atomic_write_bytes,
    atomic_write_text,
    remove_path,
    reproducible_zip,
    swap_dir,
)
from nssf_analysis.book.pages import FragmentScan, clean_html, scan_fragment
from nssf_analysis.book.plan import FOOTER_PACKAGES, TEMPLATES, BookBuildError, Inputs
from nssf_analysis.data.cache import data_cache

#: Name of the Excel workbook with every tidy table.
WORKBOOK = "nssf_tidy_tables.xlsx"
#: Time stamp written into the workbook (its properties and zip entries).
WORKBOOK_TIME = FIXED_STAMP


def _humanize(text: str) -> str:
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _chapter_title(stem: str, scan: FragmentScan) -> str:
    for h in scan.headings:
        if h["level"] == 1 and h["text"]:
            return h["text"]
    m = re.match(r"^\d{2}_(.*)$", stem)
    return _humanize(m.group(1) if m else stem)


def methodology_markdown() -> str:
    """Return the methodology page as Markdown.

    It is ``nssf_analysis.indicators.methodology_markdown()`` when that exists; until
    then, the data layer's conventions as the project README describes them.

    Raises
    ------
    BookBuildError
        If ``indicators.methodology_markdown()`` exists but fails.
    """
    try:
        from nssf_analysis.analysis import indicators

        func = indicators.methodology_markdown
    except (ImportError, AttributeError):
        return _readme_methodology()
    try:
        text = func()
    except Exception as err:
        raise BookBuildError(
            f"methodology page: nssf_analysis.indicators.methodology_markdown() failed: "
            f"{type(err).__name__}: {err}"
        ) from None
    if not re.search(r"(?m)^# ", text):
        text = "# Methodology\n\n" + text
    return text


def _readme_methodology() -> str:
    readme = paths.ROOT / "README.md"
    intro = (
        "# Methodology\n\n"
        "How the report becomes data: the conventions of the data layer, as the project "
        "README documents them. Every number in this book is read by code from the "
        "report text, checked, and traced back to its report line and column.\n"
    )
    if not readme.exists():
        return intro
    keep, skip = [], False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            continue
        if line.startswith("## "):
            skip = line[3:].strip().lower() in ("quick start", "installation")
        if not skip:
            keep.append(line)
    body = "\n".join(keep).strip()
    return intro + "\n" + body + "\n"


@functools.lru_cache(maxsize=4)
def methodology_html(text: str) -> str:
    """Return the methodology page's Markdown ``text`` as clean HTML.

    Kept in memory for the last few texts, and on disk (see :func:`_methodology_html`)
    for the next build: a third of a second of rendering each time otherwise.
    """
    from importlib.metadata import version

    return _methodology_html(text, tuple((p, version(p)) for p in ("mistune", "nbconvert")))


@data_cache(persist=True, maxsize=4)
def _methodology_html(text: str, renderers: tuple) -> str:
    """Render ``text``; kept on disk under the text, the package code and ``renderers``.

    ``renderers`` (the versions of mistune and nbconvert) is part of the key only.
    """
    return clean_html(_markdown_html(text))


def _markdown_html(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text)


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".highlight") + "\n"


def write_workbook(target: Path) -> None:
    """Write every tidy table into one Excel workbook, a sheet each, reproducibly.

    The first sheet is the catalog.  Workbook properties and the time stamps of the
    file's zip entries are fixed, so the same data always gives the same bytes.

    Parameters
    ----------
    target : Path
        The ``.xlsx`` file to write.
    """
    import io

    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from nssf_analysis.data.catalog import catalog

    fixed = pd.Timestamp(WORKBOOK_TIME).tz_localize(None).to_pydatetime()
    wb = Workbook(write_only=True)
    wb.properties.creator = "nssf-analysis"
    wb.properties.lastModifiedBy = "nssf-analysis"
    wb.properties.title = "NSSF annual report: every tidy table"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    bold = Font(bold=True)

    def add_sheet(title: str, df) -> None:
        ws = wb.create_sheet(title=title)
        header = []
        for col in df.columns:
            c = WriteOnlyCell(ws, value=str(col))
            c.font = bold
            header.append(c)
        ws.append(header)
        for row in df.astype(object).where(df.notna(), None).itertuples(index=False):
            ws.append(list(row))

    cat = catalog()
    add_sheet("catalog", cat)
    for tid in cat["table_id"]:
        df = pd.read_csv(paths.tidy_dir() / f"{tid}.csv", keep_default_na=False)
        add_sheet(tid, df)
    raw = io.BytesIO()
    wb.save(raw)
    atomic_write_bytes(target, reproducible_zip(raw.getvalue()))


@dataclass
class Chapter:
    """A chapter of one year's book: its notebook and its rendered cells."""

    name: str
    number: str
    title: str
    file: str
    fragment: str
    headings: list
    ids: list
    executed: Path


def _load_chapter(name: str, fragment_path: Path, executed: Path) -> Chapter:
    """Return a rendered chapter: its fragment, title, headings and anchors.

    Kept for the fragment files seen last (by path, size, time and inode: a fragment
    file is written once, under a name of its content's key), so the build reads each
    chapter while the others run and the pages find it read.  Callers must not change it.
    """
    st = os.stat(fragment_path)
    key = (st.st_size, st.st_mtime_ns, st.st_ino)
    return _read_chapter(name, str(fragment_path), str(executed), key)


@functools.lru_cache(maxsize=64)
def _read_chapter(name: str, fragment_path: str, executed: str, stamp: tuple) -> Chapter:
    html = Path(fragment_path).read_text(encoding="utf-8")
    scan = scan_fragment(html)
    return Chapter(
        name=name,
        number=name[:2],
        title=_chapter_title(name, scan),
        file=f"{name}.html",
        fragment=html,
        headings=scan.headings,
        ids=scan.ids,
        executed=Path(executed),
    )


def _jinja_env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES / "book")),
        autoescape=True,  # every value is escaped; only Markup (our own HTML) is not
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _year_links(year: int, years: list[int], page_file: str, out_root: Path, built: set):
    links = []
    for y in years:
        if y == year:
            links.append({"year": y, "href": page_file, "current": True})
            continue
        target = page_file
        if y not in built and not (out_root / str(y) / "book" / page_file).exists():
            target = "index.html"
        links.append({"year": y, "href": f"../../{y}/book/{target}", "current": False})
    return links


def render_book(
    year: int,
    chapters: list[Chapter],
    target_dir: Path,
    inputs: Inputs,
    years: list[int],
    built: set,
    workbook: Path,
    print_ahead: bool = True,
) -> int:
    """Write one year's book into ``target_dir`` (a fresh folder); return the page count.

    Parameters
    ----------
    year : int
        The report year of the book.
    chapters : list of Chapter
        The rendered chapters, in order.
    target_dir : Path
        Empty folder to write into (swapped in place by the caller).
    inputs : Inputs
        Hashes and versions shown in the footer.
    years : list of int
        Every year that has a book (for the year switcher).
    built : set of int
        Years built by this run (their pages all exist).
    workbook : Path
        The Excel workbook to copy.
    print_ahead : bool
        Start Chromium while the pages are written, so that it has started when the
        print document is ready (the build says no when the PDF edition most likely
        comes from the cache); else it starts if and when the document is printed.
    """
    from nssf_analysis.book import site

    browser = site.start_browser(year) if print_ahead else None
    try:
        return _render_book(year, chapters, target_dir, inputs, years, built, workbook, browser)
    except BaseException:
        if browser is not None:
            browser.close()
        raise


def _render_book(year, chapters, target_dir, inputs, years, built, workbook, browser) -> int:
    """Write the book's pages and files, then :func:`site.publish` with ``browser``."""
    from markupsafe import Markup

    from nssf_analysis.analysis import headlines
    from nssf_analysis.book import site
    from nssf_analysis.data.catalog import OTHER_DATA_FILES, catalog, load_graphics

    out_root = paths.outputs_dir()
    env = _jinja_env()
    assets = target_dir / "assets"
    assets.mkdir(parents=True)
    for p in sorted((TEMPLATES / "book" / "assets").iterdir()):
        if p.is_file():
            shutil.copyfile(p, assets / p.name)
    (assets / "pygments.css").write_text(_pygments_css(), encoding="utf-8")

    data_out = target_dir / "data"
    for sub, src in (("tidy", paths.tidy_dir()), ("raw", paths.raw_dir())):
        (data_out / sub).mkdir(parents=True)
        for p in sorted(src.glob("*.csv")):
            shutil.copyfile(p, data_out / sub / p.name)
    for fname, _, _ in OTHER_DATA_FILES:
        if (paths.data_dir() / fname).exists():
            shutil.copyfile(paths.data_dir() / fname, data_out / fname)
    shutil.copyfile(workbook, data_out / WORKBOOK)

    cat = catalog()
    graphics = load_graphics()
    table_ids = set(cat["table_id"])
    graphic_labels = dict(zip(graphics["graphic_id"], graphics["label"], strict=True))
    graphic_titles = dict(zip(graphics["graphic_id"], graphics["title"], strict=True))
    cat_rows = {r["table_id"]: r for r in cat.to_dict("records")}

    book_title = f"NSSF annual report {year}: data and analysis"
    pages = [{"file": "index.html", "title": "Overview", "number": "", "kind": "index"}]
    pages += [
        {"file": c.file, "title": c.title, "number": c.number, "kind": "chapter"} for c in chapters
    ]
    pages += [
        {"file": "methodology.html", "title": "Methodology", "number": "", "kind": "methodology"},
        {"file": "catalog.html", "title": "Data catalog", "number": "", "kind": "catalog"},
    ]
    versions = {k: inputs.versions.get(k, "not installed") for k in FOOTER_PACKAGES}
    footer = {
        "commit": inputs.git["commit"],
        "dirty": inputs.git["dirty"],
        "parameters": {"year": year},
        "data_sha256": inputs.data,
        "versions": versions,
    }

    def book_ctx(page_file: str) -> dict:
        return {
            "title": book_title,
            "year": year,
            "pages": pages,
            "years": _year_links(year, years, page_file, out_root, built),
            "all_years_href": "../../index.html",
        }

    def write(template: str, i: int, page: dict, **ctx) -> None:
        html = env.get_template(template).render(
            page=page,
            book=book_ctx(pages[i]["file"]),
            prev=pages[i - 1] if i > 0 else None,
            next=pages[i + 1] if i + 1 < len(pages) else None,
            footer=footer,
            **ctx,
        )
        (target_dir / pages[i]["file"]).write_text(html, encoding="utf-8")

    where: dict[str, list] = {}
    for c in chapters:
        for i in c.ids:
            where.setdefault(i, [])
            link = {"href": f"{c.file}#{i}", "text": f"{c.number} {c.title}"}
            if link not in where[i]:
                where[i].append(link)

    fact_rows, facts_note = headlines.index_figures(year)

    page_no = 0
    index_page = dict(pages[0], headings=[], tables=[], graphics=[], has_code=False)
    index_page["headings"] = [
        {"level": 2, "id": "headline-figures", "text": "Headline figures"},
        {"level": 2, "id": "chapters", "text": "Chapters"},
        {"level": 2, "id": "downloads", "text": "Downloads"},
    ]
    chapter_list = [
        {
            "file": c.file,
            "number": c.number,
            "title": c.title,
            "sections": [h["text"] for h in c.headings if h["level"] == 2][:8],
        }
        for c in chapters
    ]
    index_page["headings"] += site.INDEX_HEADINGS
    write(
        "index.html.j2",
        page_no,
        index_page,
        site=site.index_context(year, inputs, WORKBOOK),
        facts=fact_rows,
        facts_note=facts_note,
        chapters=chapter_list,
        workbook=WORKBOOK,
        content="",
    )
    # the pages get their download links now, the files are made while Chromium prints
    downloads = site.downloads(target_dir, year, defer=True)
    for c in chapters:
        page_no += 1
        tables = [
            {"id": i, "label": cat_rows[i]["label"], "title": cat_rows[i]["title"]}
            for i in dict.fromkeys(c.ids)
            if i in table_ids
        ]
        graphs = [
            {
                "id": i,
                "label": graphic_labels.get(i, _humanize(i)),
                "title": graphic_titles.get(i, ""),
            }
            for i in dict.fromkeys(c.ids)
            if re.fullmatch(r"graphic-\d+", i)
        ]
        page = dict(
            pages[page_no],
            headings=[h for h in c.headings if h["level"] in (2, 3)],
            tables=tables,
            graphics=graphs,
            has_code="nssf-code" in c.fragment,
        )
        fragment = site.annotate(c.fragment, downloads, table_ids)
        write("chapter.html.j2", page_no, page, content=Markup(fragment))

    page_no += 1
    method_html = methodology_html(methodology_markdown())
    scan = scan_fragment(method_html)
    page = dict(
        pages[page_no],
        headings=[h for h in scan.headings if h["level"] in (2, 3)],
        tables=[],
        graphics=[],
        has_code=False,
    )
    write("methodology.html.j2", page_no, page, content=Markup(method_html))

    page_no += 1
    tables = []
    for r in cat.to_dict("records"):
        tables.append(dict(r, links=where.get(r["table_id"], [])))
    graph_rows = []
    for r in graphics.to_dict("records"):
        graph_rows.append(dict(r, links=where.get(r["graphic_id"], [])))
    page = dict(
        pages[page_no],
        headings=[
            {"level": 2, "id": "tables", "text": "Tables"},
            {"level": 2, "id": "graphics", "text": "Graphics"},
            {"level": 2, "id": "other-files", "text": "Other files"},
        ],
        tables=[],
        graphics=[],
        has_code=False,
    )
    other = [{"name": n, "text": t} for n, _, t in OTHER_DATA_FILES if (data_out / n).exists()]
    write(
        "catalog.html.j2",
        page_no,
        page,
        tables=tables,
        graphics=graph_rows,
        other_files=other,
        workbook=WORKBOOK,
        content="",
    )
    site.publish(
        target_dir, year, inputs, [p["file"] for p in pages], downloads=downloads, browser=browser
    )
    return len(pages)


def _write_years_index(out_root: Path) -> None:
    years = sorted(
        int(p.name)
        for p in out_root.iterdir()
        if p.is_dir() and p.name.isdigit() and (p / "book" / "index.html").exists()
    )
    html = _jinja_env().get_template("years.html.j2").render(years=[{"year": y} for y in years])
    target = out_root / "index.html"
    if not target.exists() or target.read_text(encoding="utf-8") != html:
        atomic_write_text(target, html)


def _workbook_path(cache_dir: Path, inputs: Inputs) -> Path:
    return cache_dir / "xlsx" / f"{inputs.data[:16]}-{inputs.code[:16]}.xlsx"


def _ensure_workbook(cache_dir: Path, inputs: Inputs) -> Path:
    """Return the cached Excel workbook of this data and code, writing it if missing."""
    workbook = _workbook_path(cache_dir, inputs)
    if not workbook.exists():
        for p in (cache_dir / "xlsx").glob("*.xlsx"):
            p.unlink(missing_ok=True)
        write_workbook(workbook)
    return workbook


def _publish_year(
    year: int,
    chapters_plan: list,
    entries: list,
    cache_dir: Path,
    inputs: Inputs,
    years: list[int],
    built: set,
    print_ahead: bool = True,
) -> None:
    """Render ``year``'s book and executed notebooks into temporary folders, swap them in.

    ``print_ahead``: start Chromium while the pages are written (see
    :func:`render_book`).
    """
    out_root = paths.outputs_dir()
    year_dir = out_root / str(year)
    year_dir.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    tmp_book = year_dir / f".book-tmp-{pid}"
    tmp_nbs = year_dir / f".notebooks-tmp-{pid}"
    for p in (tmp_book, tmp_nbs):
        remove_path(p)
    try:
        tmp_nbs.mkdir()
        chapters = []
        for item, entry in zip(chapters_plan, entries, strict=True):
            executed = cache_dir / entry["executed"]
            shutil.copyfile(executed, tmp_nbs / f"{item['name']}.ipynb")
            chapters.append(_load_chapter(item["name"], cache_dir / entry["fragment"], executed))
        workbook = _ensure_workbook(cache_dir, inputs)
        tmp_book.mkdir()
        render_book(year, chapters, tmp_book, inputs, years, built, workbook, print_ahead)
        swap_dir(tmp_nbs, year_dir / "notebooks")
        swap_dir(tmp_book, year_dir / "book")
    finally:
        remove_path(tmp_book)
        remove_path(tmp_nbs)
    failed = year_dir / "failed"
    if failed.is_dir():
        for item in chapters_plan:
            (failed / f"{item['name']}.ipynb").unlink(missing_ok=True)
        if not any(failed.iterdir()):
            failed.rmdir()
