"""The published book shows every cell the report prints, at each table's anchor.

The expected cells are the raw layer (``data/raw``), which holds every cell of the
report's tables as printed; the book is parsed as a reader's browser would get it.
"""

from pathlib import Path

import pytest
from design import CHAPTERS
from test_printed import TABLE_IDS, _Cells, raw_cells

INTERNAL = ("report line", "shifted_cells", "key=", "office=", "measure=", "sex=")


def _chapter_html(book_dir: Path) -> dict[str, str]:
    return {n: (book_dir / f"{n}.html").read_text(encoding="utf-8") for n in CHAPTERS}


@pytest.fixture(scope="module")
def chapters(published):
    return _chapter_html(published[0])


def anchored(page: str, table_id: str, chunk: int = 20_000) -> _Cells:
    """Parse the element of ``page`` with the id ``table_id``, from its start tag until it
    closes (not the rest of a page of up to 1.5 MB)."""
    p = _Cells(table_id)
    start = page.rfind("<", 0, page.index(f'id="{table_id}"'))
    for at in range(start, len(page), chunk):
        p.feed(page[at : at + chunk])
        if p.done:
            break
    return p


@pytest.mark.parametrize("table_id", TABLE_IDS)
def test_every_printed_cell_is_in_the_book(chapters, table_id):
    page = next((h for h in chapters.values() if f'id="{table_id}"' in h), None)
    assert page is not None, f"{table_id}: no anchor in the book"
    p = anchored(page, table_id)
    missing = [v for v in raw_cells(table_id) if v not in p.cells]
    assert not missing, f"{table_id}: printed cells missing from the book: {missing[:5]}"


def test_table_notes_speak_plain_words(chapters):
    for name, page in chapters.items():
        for table_id in TABLE_IDS:
            if f'id="{table_id}"' not in page:
                continue
            for note in anchored(page, table_id).notes:
                assert not any(w in note for w in INTERNAL), f"{name} {table_id}: {note}"


def test_the_pdf_edition_prints_every_number_of_every_table(published):
    """Printed to A4, no table loses a column: every printed number is in the PDF's text."""
    import os
    import shutil
    import subprocess

    from nssf_analysis.data.extract import is_value

    book_dir, _ = published
    pdf = next(book_dir.glob("*.pdf"), None)
    tool = shutil.which("pdftotext")
    if pdf is None or tool is None:
        if os.environ.get("NSSF_REQUIRE_BROWSER") == "1":
            pytest.fail("the PDF edition or pdftotext is missing (make browser)")
        pytest.skip("no PDF edition or no pdftotext (make browser installs both)")
    text = subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True, text=True)
    words = set(text.stdout.split())
    lost = {
        table_id: [v for v in raw_cells(table_id) if is_value(v) and v not in words]
        for table_id in TABLE_IDS
    }
    lost = {t: v[:5] for t, v in lost.items() if v}
    assert not lost, f"numbers missing from the PDF edition: {lost}"
