"""Publish a year's book: the pages around the chapters, downloads, search, PDF, the swap.

:func:`publish_year` writes the whole book of one year — the index, one page per
chapter, the methodology and catalog pages (Jinja templates of ``templates/book``, every
value autoescaped), the data files, the downloads under each table
(:mod:`~nssf_analysis.book.downloads`), the search index
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

from nssf_analysis import paths
from nssf_analysis.book import downloads, pages, pdf, search, site
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


def remove_leftovers(out_root: Path) -> None:
    """Delete what an interrupted or killed build left behind (called under the lock)."""
    for year_dir in [out_root, *out_root.glob("[0-9][0-9][0-9][0-9]")]:
        for p in year_dir.glob(".*"):
            if p.name.startswith(_TEMP) or re.match(r"^\.[\w.-]+\.\d+$", p.name):
                shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
    for p in (out_root / ".cache").glob("executed/*/*.running.ipynb"):
        p.unlink(missing_ok=True)


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
    """Put the finished folder ``new`` in place of ``target`` (two renames, then delete)."""
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(target))
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


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
    downloads.write_workbook(path)
    return path


def _chapter(name: str, html: str) -> dict:
    scan = pages.scan_fragment(html)
    titles = [h["text"] for h in scan.headings if h["level"] == 1 and h["text"]]
    title = titles[0] if titles else name[3:].replace("_", " ").capitalize()
    return {
        "name": name,
        "file": f"{name}.html",
        "number": name[:2],
        "title": title,
        "fragment": html,
        "headings": scan.headings,
        "ids": scan.ids,
    }


def _write_book(year, chapters, target, inputs, years, built) -> None:
    from nssf_analysis.analysis import headlines
    from nssf_analysis.data.catalog import OTHER_DATA_FILES, catalog, load_graphics
    from nssf_analysis.data.datapackage import write_datapackage

    env, out_root, commit = _env(), paths.outputs_dir(), inputs.git["commit"]
    shutil.copytree(pages.TEMPLATES / "book" / "assets", target / "assets")
    from pygments.formatters import HtmlFormatter

    css = HtmlFormatter(style="default").get_style_defs(".highlight") + "\n"
    (target / "assets" / "pygments.css").write_text(css, encoding="utf-8")
    data_out = target / "data"
    for sub in ("tidy", "raw"):
        shutil.copytree(
            paths.data_dir() / sub,
            data_out / sub,
            ignore=lambda d, n: [x for x in n if not x.endswith(".csv")],
        )
    for fname, _, _ in OTHER_DATA_FILES:
        if (paths.data_dir() / fname).exists():
            shutil.copyfile(paths.data_dir() / fname, data_out / fname)
    shutil.copyfile(_workbook(inputs), data_out / WORKBOOK)

    cat, graphics = catalog(), load_graphics()
    table_ids, cat_rows = set(cat["table_id"]), {r["table_id"]: r for r in cat.to_dict("records")}
    graphic_rows = {r["graphic_id"]: r for r in graphics.to_dict("records")}
    pages_ = [{"file": "index.html", "title": "Overview", "number": "", "kind": "index"}]
    pages_ += [
        {"file": c["file"], "title": c["title"], "number": c["number"], "kind": "chapter"}
        for c in chapters
    ]
    pages_ += [
        {"file": "methodology.html", "title": "Methodology", "number": "", "kind": "methodology"},
        {"file": "catalog.html", "title": "Data catalog", "number": "", "kind": "catalog"},
    ]
    footer = {
        "commit": commit,
        "dirty": inputs.git["dirty"],
        "parameters": {"year": year},
        "data_sha256": inputs.data,
        "versions": {k: inputs.versions.get(k, "not installed") for k in FOOTER_PACKAGES},
    }

    def write(i: int, template: str, page: dict, **ctx) -> None:
        years_links = [
            {
                "year": y,
                "current": y == year,
                "href": pages_[i]["file"]
                if y == year
                else f"../../{y}/book/"
                + (
                    pages_[i]["file"]
                    if y in built or (out_root / str(y) / "book" / pages_[i]["file"]).exists()
                    else "index.html"
                ),
            }
            for y in years
        ]
        book = {
            "title": f"NSSF annual report {year}: data and analysis",
            "year": year,
            "pages": pages_,
            "years": years_links,
            "all_years_href": "../../index.html",
        }
        page = {"tables": [], "graphics": [], "has_code": False, **pages_[i], **page}
        html = env.get_template(template).render(
            page=page,
            book=book,
            footer=footer,
            prev=pages_[i - 1] if i else None,
            next=pages_[i + 1] if i + 1 < len(pages_) else None,
            **ctx,
        )
        (target / pages_[i]["file"]).write_text(html, encoding="utf-8")

    facts, facts_note = headlines.index_figures(year)
    chapter_list = [
        {**c, "sections": [h["text"] for h in c["headings"] if h["level"] == 2][:8]}
        for c in chapters
    ]
    has_pdf = pdf_possible()
    headings = [
        ("headline-figures", "Headline figures"),
        ("chapters", "Chapters"),
        ("downloads", "Downloads"),
        ("how-to-cite", "How to cite"),
    ]
    write(
        0,
        "index.html.j2",
        {"headings": [{"level": 2, "id": i, "text": t} for i, t in headings]},
        site=site.index_context(year, commit, WORKBOOK, pdf.pdf_name(year) if has_pdf else None),
        facts=facts,
        facts_note=facts_note,
        chapters=chapter_list,
        workbook=WORKBOOK,
        content="",
    )
    citation = site.citation(year, commit)
    files_citation = site.citation(year, None)  # the table files outlive a commit
    where: dict[str, list] = {}
    for i, c in enumerate(chapters, start=1):
        ids = list(dict.fromkeys(c["ids"]))
        for x in ids:
            where.setdefault(x, []).append(
                {"href": f"{c['file']}#{x}", "text": f"{c['number']} {c['title']}"}
            )
        page = {
            "headings": [h for h in c["headings"] if h["level"] in (2, 3)],
            "tables": [
                {"id": x, "label": cat_rows[x]["label"], "title": cat_rows[x]["title"]}
                for x in ids
                if x in table_ids
            ],
            "graphics": [
                {
                    "id": x,
                    "label": graphic_rows[x]["label"]
                    if x in graphic_rows
                    else x.replace("-", " ").capitalize(),
                    "title": graphic_rows.get(x, {}).get("title", ""),
                }
                for x in ids
                if re.fullmatch(r"graphic-\d+", x)
            ],
            "has_code": "nssf-code" in c["fragment"],
        }
        fragment = downloads.annotate(c["fragment"], target, year, files_citation, table_ids)
        write(i, "chapter.html.j2", page, content=Markup(fragment))
    n = len(chapters) + 1
    method = methodology_html()
    heads = [h for h in pages.scan_fragment(method).headings if h["level"] in (2, 3)]
    write(n, "methodology.html.j2", {"headings": heads}, content=Markup(method))
    others = [{"name": f, "text": t} for f, _, t in OTHER_DATA_FILES if (data_out / f).exists()]
    write(
        n + 1,
        "catalog.html.j2",
        {
            "headings": [
                {"level": 2, "id": i, "text": t}
                for i, t in (
                    ("tables", "Tables"),
                    ("graphics", "Graphics"),
                    ("other-files", "Other files"),
                )
            ]
        },
        tables=[{**r, "links": where.get(r["table_id"], [])} for r in cat.to_dict("records")],
        graphics=[
            {**r, "links": where.get(r["graphic_id"], [])} for r in graphics.to_dict("records")
        ],
        other_files=others,
        workbook=WORKBOOK,
        content="",
    )
    files = [p["file"] for p in pages_]
    search.write_search(target, files)
    write_datapackage(
        target / site.DATAPACKAGE, data_out, year, commit, publication=site.publication()
    )
    if has_pdf:
        pub = site.publication()
        front = {
            "title": pub.title,
            "edition": site.edition(year),
            "date": _date(inputs).date().isoformat(),
            "licence": pub.licence_statement,
            "citation": citation,
            "contact": f"{pub.contact_name} <{pub.contact_email}>",
        }
        pdf.write_pdf(target, year, files, front, date=_date(inputs))


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
