"""Publish a year's book: the pages around the chapters, downloads, search, PDF, the swap.

:func:`publish_year` writes the whole book of one year — the index, one page per
chapter, the methodology and catalog pages (Jinja templates of ``templates/book``, every
value autoescaped), the data files, the downloads under each table
(:mod:`~nssf_analysis.book.exports`), the search index
(:mod:`~nssf_analysis.book.search`), the data package and the PDF edition
(:mod:`~nssf_analysis.book.pdf`) — into a folder beside the target, then renames it
into place: a reader sees the old book or the new one, never half of one.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from markupsafe import Markup

from nssf_analysis import paths, processes
from nssf_analysis import publication as site
from nssf_analysis.book import exports, pages, pdf, search
from nssf_analysis.data.files import same_files
from nssf_analysis.exceptions import BookBuildError

__all__ = [
    "FOOTER_PACKAGES",
    "WORKBOOK",
    "is_published",
    "methodology_html",
    "pdf_possible",
    "preflight",
    "publish_year",
    "published_years",
    "remove_leftovers",
    "write_years_index",
]

#: Package versions printed in every page's footer.
FOOTER_PACKAGES = ("nssf-analysis", "pandas", "matplotlib", "statsmodels", "papermill", "nbconvert")
#: The Excel workbook of every tidy table, under the book's ``data/``.
WORKBOOK = "nssf_tidy_tables.xlsx"
#: The book's ``data/README.txt``: which files are exact and which are for spreadsheets.
DATA_README = f"""\
Data of the book, from the NSSF's Report on Annual Achievements and Action Plans.

tidy/ and raw/ (CSV), catalog.csv, facts.csv and the other CSV files here are exact: they
keep the report's text as printed, for programs that read data (pandas, R, a database).
A cell may begin with =, +, - or @, which a spreadsheet program takes for a formula: do not
open these files in a spreadsheet. For a spreadsheet, use {WORKBOOK} or the files
of shown/ (each table as its chapter shows it), in which such text is made inert.
datapackage.json describes every file: title, unit, source and licence.
"""
_TEMP = (".book-tmp-", ".book-old-", ".notebooks-tmp-", ".notebooks-old-", ".write-probe-")


def preflight(out_root: Path, years: list[int]) -> None:
    """Check, before any notebook runs, that every folder a build writes can be written.

    Raises
    ------
    BookBuildError
        Naming the path in the way (a file where a folder must be) or not writable.
    """
    cache = out_root / ".cache"
    folders = [out_root, cache, cache / "executed"] + [cache / "executed" / str(y) for y in years]
    folders += [out_root / str(y) for y in years]
    folders += [out_root / str(y) / sub for y in years for sub in ("book", "notebooks", "failed")]
    for folder in folders:
        for p in (folder, *folder.parents):
            if p.exists() or p.is_symlink():
                if not p.is_dir():
                    raise BookBuildError(
                        f"cannot write the book: {p} is a file, not a folder "
                        "(move it away and build again)"
                    )
                break
    for folder in folders[:2] + [out_root / str(y) for y in years]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tempfile.NamedTemporaryFile(prefix=".write-probe-", dir=folder).close()
        except OSError as err:
            raise BookBuildError(
                f"cannot write the book: {folder}: {err.strerror or err}"
            ) from None


#: Prefix of a build's own temporary folder (``nssf-b-<pid of the build>-…``), which
#: holds what its workers and kernels put there.
BUILD_TMP = "nssf-b-"


def remove_leftovers(out_root: Path) -> None:
    """Delete what an interrupted or killed build left behind (called under the lock).

    Raises
    ------
    BookBuildError
        Naming a leftover that cannot be deleted and the file that resisted.
    """
    for year_dir in [out_root, out_root / ".cache", *out_root.glob("[0-9][0-9][0-9][0-9]")]:
        for p in year_dir.glob(".*"):
            if p.name.startswith(_TEMP) or re.match(r"^\.[\w.-]+\.\d+$", p.name):
                try:
                    shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
                except OSError as err:  # the file that resisted, as named in its folder
                    raise BookBuildError(
                        f"cannot write the book: {p}, left by an earlier build, cannot be "
                        f"removed ({err.filename}: {err.strerror or err}); remove it by hand"
                    ) from None
    for p in (out_root / ".cache").glob("executed/*/*.running.ipynb"):
        p.unlink(missing_ok=True)
    # the temporary folders of builds that were killed: nssf-b-<pid>-<random>
    for p in Path(tempfile.gettempdir()).glob(f"{BUILD_TMP}*-*"):
        pid = p.name[len(BUILD_TMP) :].split("-")[0]
        if pid.isdigit() and not processes.alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


def published_years(out_root: Path) -> set[int]:
    """Return the years whose book is in ``out_root``."""
    return {
        int(p.parent.parent.name) for p in out_root.glob("[0-9][0-9][0-9][0-9]/book/index.html")
    }


def is_published(year: int) -> bool:
    """Whether ``year``'s book and executed notebooks are in place."""
    year_dir = paths.outputs_dir() / str(year)
    return (year_dir / "book" / "index.html").is_file() and (year_dir / "notebooks").is_dir()


def pdf_possible() -> bool:
    """Whether this machine prints the PDF edition (part of each book's key)."""
    return pdf.find_chromium() is not None


def _swap(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` in place of ``target`` (two renames, then delete).

    Raises
    ------
    BookBuildError
        When the old folder cannot be deleted: ``target`` is the new one, and the
        message names the old one and the file that resisted.
    """
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(target))
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    failed = []
    shutil.rmtree(old, onerror=lambda f, path, exc: failed.append((path, exc[1])))
    if failed and os.path.lexists(old):
        path, err = failed[0]
        raise BookBuildError(
            f"{target} is the new one, but the old one cannot be removed ({path}: "
            f"{err.strerror or err}): remove {old} by hand"
        )


def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(str(pages.TEMPLATES / "book")),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def methodology_html() -> str:
    """Return the methodology page: ``indicators.methodology_markdown()`` as clean HTML."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from nssf_analysis.analysis.indicators import methodology_markdown

    text = methodology_markdown()
    if not re.search(r"(?m)^# ", text):
        text = "# Methodology\n\n" + text
    return pages.clean_html(markdown2html_mistune(text))


def _workbook(inputs) -> Path:
    """Return the cached workbook of every tidy table, written again when missing or broken."""
    path = paths.outputs_dir() / ".cache" / "xlsx" / f"{inputs.data[:16]}-{inputs.code[:16]}.xlsx"
    try:
        with zipfile.ZipFile(path) as z:
            if z.testzip() is None:
                return path
    except (OSError, zipfile.BadZipFile):
        pass
    shutil.rmtree(path.parent, ignore_errors=True)
    path.parent.mkdir(parents=True)
    exports.write_workbook(path)
    return path


def _chapter(name: str, html: str) -> dict:
    scan = pages.scan_fragment(html)
    titles = [h["text"] for h in scan.headings if h["level"] == 1 and h["text"]]
    title = titles[0] if titles else name[3:].replace("_", " ").capitalize()
    page = {"file": f"{name}.html", "number": name[:2], "title": title, "kind": "chapter"}
    return page | {"fragment": html, "headings": scan.headings, "ids": scan.ids}


def _copy_data(target: Path, inputs) -> None:
    """Copy the data files, the assets and the workbook of every tidy table into the book."""
    from pygments.formatters import HtmlFormatter

    from nssf_analysis.data.catalog import OTHER_DATA_FILES

    shutil.copytree(pages.TEMPLATES / "book" / "assets", target / "assets")
    css = HtmlFormatter(style="default").get_style_defs(".highlight") + "\n"
    (target / "assets" / "pygments.css").write_text(css, encoding="utf-8")
    for sub in ("tidy", "raw"):  # CSV files only
        shutil.copytree(paths.data_dir() / sub, target / "data" / sub)
    for name in (f for f, _, _ in OTHER_DATA_FILES if (paths.data_dir() / f).exists()):
        shutil.copyfile(paths.data_dir() / name, target / "data" / name)
    shutil.copyfile(_workbook(inputs), target / "data" / WORKBOOK)
    (target / "data" / "README.txt").write_text(DATA_README, encoding="utf-8")


def _heads(*pairs) -> list[dict]:
    return [{"level": 2, "id": i, "text": t} for i, t in pairs]


def _write_book(year, chapters, target, inputs, years, built) -> None:
    """Write every page and file of ``year``'s book into the empty folder ``target``."""
    from nssf_analysis.analysis import headlines
    from nssf_analysis.data.catalog import OTHER_DATA_FILES, catalog, load_graphics
    from nssf_analysis.data.datapackage import write_datapackage

    env, out_root, commit = _env(), paths.outputs_dir(), inputs.git["commit"]
    _copy_data(target, inputs)
    cat, graphics = catalog().to_dict("records"), load_graphics().to_dict("records")
    tables, graphic_rows = {r["table_id"]: r for r in cat}, {r["graphic_id"]: r for r in graphics}
    own = [("methodology", "Methodology"), ("catalog", "Data catalog")]
    pages_ = [{"file": "index.html", "title": "Overview", "number": "", "kind": "index"}]
    pages_ += [{k: c[k] for k in ("file", "title", "number", "kind")} for c in chapters]
    pages_ += [{"file": f"{k}.html", "title": t, "number": "", "kind": k} for k, t in own]
    versions = {k: inputs.versions.get(k, "not installed") for k in FOOTER_PACKAGES}
    footer = {"commit": commit, "dirty": inputs.git["dirty"], "parameters": {"year": year}}
    footer |= {"data_sha256": inputs.data, "versions": versions}

    def write(i: int, template: str, page: dict, **ctx) -> None:
        file = pages_[i]["file"]
        there = {y: y in built or (out_root / str(y) / "book" / file).exists() for y in years}
        links = [
            {
                "year": y,
                "current": y == year,
                "href": f"../../{y}/book/{file if there[y] else 'index.html'}",
            }
            for y in years
        ]
        links = [dict(link, href=file) if link["current"] else link for link in links]
        book = {"title": f"NSSF annual report {year}: data and analysis", "year": year}
        book |= {"pages": pages_, "years": links, "all_years_href": "../../index.html"}
        page = {"tables": [], "graphics": [], "has_code": False, **pages_[i], **page}
        neighbours = {"prev": pages_[i - 1] if i else None, "next": (pages_ + [None])[i + 1]}
        html = env.get_template(template).render(
            page=page, book=book, footer=footer, **neighbours, **({"content": ""} | ctx)
        )
        (target / file).write_text(html, encoding="utf-8")

    facts, facts_note = headlines.index_figures(year)
    sections = [
        {**c, "sections": [h["text"] for h in c["headings"] if h["level"] == 2][:8]}
        for c in chapters
    ]
    pdf_file = pdf.pdf_name(year) if pdf_possible() else None
    pub = site.publication()  # one read: every page, file and the PDF give the same date
    cited = site.citation(year, commit, pub)
    heads = _heads(
        ("headline-figures", "Headline figures"),
        ("chapters", "Chapters"),
        ("downloads", "Downloads"),
        ("how-to-cite", "How to cite"),
    )
    write(
        0,
        "index.html.j2",
        {"headings": heads},
        facts=facts,
        facts_note=facts_note,
        site=site.index_context(year, commit, WORKBOOK, pdf_file, pub),
        chapters=sections,
        workbook=WORKBOOK,
    )
    where: dict[str, list] = {}
    for i, c in enumerate(chapters, start=1):
        ids = list(dict.fromkeys(c["ids"]))
        for x in ids:
            where.setdefault(x, []).append(
                {"href": f"{c['file']}#{x}", "text": f"{c['number']} {c['title']}"}
            )
        graphs = [x for x in ids if re.fullmatch(r"graphic-\d+", x)]
        page = {
            "headings": [h for h in c["headings"] if h["level"] in (2, 3)],
            "tables": [
                {"id": x} | {k: tables[x][k] for k in ("label", "title")}
                for x in ids
                if x in tables
            ],
            "graphics": [
                graphic_rows.get(x, {"label": x.replace("-", " ").capitalize(), "title": ""})
                | {"id": x}
                for x in graphs
            ],
            "has_code": "nssf-code" in c["fragment"],
        }
        # the workbooks cite the book as its pages do: with its version (and date)
        fragment = exports.annotate(c["fragment"], target, year, cited, set(tables), pub)
        write(i, "chapter.html.j2", page, content=Markup(fragment))
    method, n = methodology_html(), len(chapters) + 1
    heads = [h for h in pages.scan_fragment(method).headings if h["level"] in (2, 3)]
    write(n, "methodology.html.j2", {"headings": heads}, content=Markup(method))
    heads = _heads(("tables", "Tables"), ("graphics", "Graphics"), ("other-files", "Other files"))
    others = [
        {"name": f, "text": t} for f, _, t in OTHER_DATA_FILES if (target / "data" / f).exists()
    ]
    write(
        n + 1,
        "catalog.html.j2",
        {"headings": heads},
        other_files=others,
        workbook=WORKBOOK,
        tables=[r | {"links": where.get(r["table_id"], [])} for r in cat],
        graphics=[r | {"links": where.get(r["graphic_id"], [])} for r in graphics],
    )
    files = [p["file"] for p in pages_]
    search.write_search(target, files)
    write_datapackage(
        target / site.DATAPACKAGE,
        target / "data",
        year,
        commit,
        publication=pub,
        citation=cited,
        source=site.figures_source(None, pub),
    )
    if pdf_file:
        front = {"title": pub.title, "edition": site.edition(year), "citation": cited}
        front |= {"date": pub.date.isoformat() if pub.date else ""}
        front |= {"licence": site.licence_statement(pub), "contact": site.contact_text(pub)}
        previous = out_root / str(year) / "book" / pdf_file
        pdf.write_pdf(target, year, files, front, date=_date(inputs), previous=previous)


def _date(inputs) -> dt.datetime:
    """Return the date of the sources the book is built from (commit date or SOURCE_DATE_EPOCH)."""
    epoch = inputs.git.get("date")
    return (
        dt.datetime.fromtimestamp(epoch, dt.UTC)
        if epoch
        else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )


def publish_year(year, names, entries, cache: Path, inputs, years, built) -> None:
    """Write ``year``'s book and executed notebooks beside their targets, swap them in.

    Parameters
    ----------
    year : int
        The report year.
    names : list of str
        The chapter notebooks' names, in order.
    entries : list of dict
        Their cache entries (``executed`` and ``fragment`` under ``cache``).
    cache : Path
        The build's cache folder.
    inputs : Inputs
        The build's inputs (commit, versions, data hash).
    years : list of int
        Every year that has a book (the year switcher).
    built : set of int
        Years this build publishes.
    """
    year_dir = paths.outputs_dir() / str(year)
    tmp_book, tmp_nbs = (
        year_dir / f".book-tmp-{os.getpid()}",
        year_dir / f".notebooks-tmp-{os.getpid()}",
    )
    try:
        tmp_nbs.mkdir(parents=True)
        chapters = []
        for name, entry in zip(names, entries, strict=True):
            shutil.copyfile(cache / entry["executed"], tmp_nbs / f"{name}.ipynb")
            chapters.append(_chapter(name, (cache / entry["fragment"]).read_text(encoding="utf-8")))
        tmp_book.mkdir()
        with same_files():  # under the build lock, data/ does not change: hashed once
            _write_book(year, chapters, tmp_book, inputs, years, built)
        _swap(tmp_nbs, year_dir / "notebooks")
        _swap(tmp_book, year_dir / "book")
    finally:
        shutil.rmtree(tmp_book, ignore_errors=True)
        shutil.rmtree(tmp_nbs, ignore_errors=True)
    failed = year_dir / "failed"
    if failed.is_dir() and not any(failed.iterdir()):
        failed.rmdir()


def write_years_index(out_root: Path) -> None:
    """Write ``outputs/index.html``, the list of every year's book."""
    years = sorted(published_years(out_root))
    if years:
        html = _env().get_template("years.html.j2").render(years=[{"year": y} for y in years])
        (out_root / "index.html").write_text(html, encoding="utf-8")
