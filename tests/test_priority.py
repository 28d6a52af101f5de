"""Work done ahead of need runs at the lowest CPU priority, in a thread of its own."""

import os
import sys
import threading
import time

import pytest

from nssf_analysis.book import builder
from nssf_analysis.book.priority import LOW_PRIORITY, run_low_priority

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice")


def thread_priority() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@linux
def test_the_low_priority_thread_is_lowered_and_the_caller_is_not():
    before = thread_priority()
    assert run_low_priority(thread_priority) == LOW_PRIORITY == 19
    assert thread_priority() == before


def test_what_the_low_priority_thread_raises_is_raised_to_the_caller():
    def fail():
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run_low_priority(fail)
    assert run_low_priority(lambda a, b: a + b, 2, 3) == 5


@linux
def test_the_build_works_ahead_at_the_lowest_priority():
    background = builder._Background()
    seen = []
    background.add(lambda: seen.append(thread_priority()))
    background.wait()
    assert seen == [19]


def test_work_ahead_not_started_when_the_pages_need_it_is_skipped():
    background = builder._Background()
    done, started = [], threading.Event()

    def first():
        started.set()
        while not background.closing:  # still at work when the chapters end
            time.sleep(0.01)
        done.append("first")

    background.add_optional(first)
    background.add_ahead(done.append, "ahead")  # downloads made later, when needed
    background.add_optional(done.append, "optional")  # a cached chapter: always read
    background.add(done.append, "needed")  # the workbook: always made
    assert started.wait(10)
    background.wait()
    assert done == ["first", "optional", "needed"]
    assert background.skipped == 1


def test_an_error_of_needed_work_is_raised_and_of_work_ahead_ignored():
    background = builder._Background()

    def fail(text):
        raise RuntimeError(text)

    background.add_optional(fail, "ahead")
    background.add(fail, "needed")
    with pytest.raises(RuntimeError, match="needed"):
        background.wait()


def test_chromium_is_started_ahead_only_when_the_pdf_edition_will_likely_be_printed(tmp_path):
    pdf_cache = tmp_path / "pdf" / "2022"
    chapters = [{"entry": {"fragment_sha256": "aa"}}, {"entry": {"fragment_sha256": "bb"}}]
    same = [{"fragment_sha256": "aa"}, {"fragment_sha256": "bb"}]
    # never printed: print
    assert builder._print_ahead(2022, chapters, same, tmp_path) is True
    pdf_cache.mkdir(parents=True)
    (pdf_cache / "0123abcd.pdf").write_bytes(b"%PDF-1.4")
    # printed before, every chapter's page as last time: the cache will most likely serve
    assert builder._print_ahead(2022, chapters, same, tmp_path) is False
    # a chapter's page changed, or a chapter is new: print
    changed = [{"fragment_sha256": "aa"}, {"fragment_sha256": "cc"}]
    assert builder._print_ahead(2022, chapters, changed, tmp_path) is True
    new = [{"entry": None}, chapters[1]]
    assert builder._print_ahead(2022, new, same, tmp_path) is True
    assert builder._print_ahead(2021, chapters, same, tmp_path) is True  # another year
