"""Benchmark ``nssf-report build`` against running the notebooks one by one.

What is measured, in one run, for one report year (``--year``, default 2022):

1. **naive baseline** -- for each chapter notebook ``NN_*.ipynb``, one after another,
   ``papermill <nb> <out.ipynb> -p year <Y> -k nssf-analysis`` (working directory: the
   notebooks folder, as in the real build) and then ``jupyter nbconvert --to html
   <out.ipynb>``; the total wall time.
2. **cold build** -- ``nssf-report build --year <Y> --force`` in a fresh outputs folder.
   Phases 1 and 2 run in turn ``--rounds`` times (default 3), each in fresh folders: a
   machine's speed drifts over minutes, so each round's cold/naive ratio compares two
   runs made one after the other, and the goal is checked on the median of the rounds'
   ratios.
   Where it printed a PDF edition, once more with ``NSSF_PDF=0`` in another fresh
   outputs folder ("cold build, no PDF edition"): the naive baseline prints none, so
   its ratio to the baseline is printed too, without a goal.
3. **no-change rebuild** -- the same command again, without ``--force``, same folder.
4. **one chapter changed** -- a Markdown cell is appended (with nbformat) to one chapter
   notebook (``--chapter``, default the first one) and the book is rebuilt; the build's
   printed table must show exactly that notebook ``executed`` and every other ``cached``.
5. **one table's data changed** -- one value of one tidy table (``--table``, default the
   table the fewest chapters read, the first by id among equals) is raised by 1 and
   the book is rebuilt; exactly the chapters whose recorded reads (the build's cache
   index) include that file must be ``executed``, every other ``cached``.

Everything runs in a fresh temporary folder (``tempfile.mkdtemp``): the notebooks and
``data/`` are copied there (``NSSF_NOTEBOOKS``, ``NSSF_DATA``) and every output goes
there (``NSSF_OUTPUTS``), so the project's own ``notebooks/``, ``data/`` and
``outputs/`` folders are never touched.  The seeds and package code are the project's
own (read only).

For every phase the script prints its wall time, the CPU time of its processes
(``RUSAGE_CHILDREN`` deltas: every descendant that was waited for) and its peak memory:
the process tree of each command (the command and all its descendants: workers,
kernels) is sampled with psutil every 50 ms; "tree" is the largest sum of the resident
set sizes (RSS; shared pages are counted once per process) seen at one moment, "proc"
the largest single process.  Then it prints the ratios cold/naive (of each round, and
their median: goal at most 0.25), no-change/cold (goal: at most 0.05), one-changed/cold
and one-table/cold (goal: at most 0.2; both against the last cold build), with PASS or
FAIL, and which chapters each phase executed.

Run it from the project root (it takes several minutes; run nothing heavy meanwhile)::

    .venv/bin/python benchmarks/bench_build.py
    .venv/bin/python benchmarks/bench_build.py --year 2021 --jobs 2 --keep --skip-naive

The exit status is 0 whatever the timings, and non-zero (naming the command) when a
command fails; the temporary folder is then kept for inspection.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil

from nssf_analysis.book import KERNEL_NAME, discover_notebooks
from nssf_analysis.cli import positive_int

ROOT = Path(__file__).resolve().parent.parent

#: The scripts (papermill, jupyter, nssf-report) of the virtualenv running this script.
VENV_BIN = Path(sys.executable).parent
#: Goals: cold build / naive baseline, and no-change rebuild / cold build.
COLD_GOAL = 0.25
NO_CHANGE_GOAL = 0.05
#: Goal: one table's data changed / cold build.
ONE_TABLE_GOAL = 0.2
#: Seconds between two samples of a command's process tree.
SAMPLE_INTERVAL = 0.05
#: One row of the table ``nssf-report build`` prints: name, year, status, seconds.
ROW_RE = re.compile(r"^\s+(\d{2}_\S+)\s+(\d{4})\s+(executed|cached|rendered|failed)\s")
MIB = 1024 * 1024


class CommandFailedError(Exception):
    """A measured command exited with a non-zero status."""

    def __init__(self, cmd: list[str], returncode: int, stdout: str, stderr: str) -> None:
        self.cmd, self.returncode, self.stdout, self.stderr = cmd, returncode, stdout, stderr
        super().__init__(f"command failed (exit {returncode}): {' '.join(cmd)}")


@dataclass
class Measured:
    """Wall time, CPU time, peak memory and output of one or more commands."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_tree: int = 0  # bytes: largest sum of RSS over the process tree
    peak_proc: int = 0  # bytes: largest RSS of a single process
    stdout: str = ""
    stderr: str = ""

    def absorb(self, other: Measured) -> None:
        """Add ``other`` (a later command of the same phase) to this phase."""
        self.cpu_seconds += other.cpu_seconds
        self.peak_tree = max(self.peak_tree, other.peak_tree)
        self.peak_proc = max(self.peak_proc, other.peak_proc)


@dataclass
class Phase:
    """One measured phase and what the build said it did."""

    name: str
    measured: Measured
    statuses: dict[str, str] = field(default_factory=dict)  # notebook -> status


class TreeSampler(threading.Thread):
    """Sample the RSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_tree = 0
        self.peak_proc = 0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        """Take one sample of the tree."""
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for proc in procs:
            try:
                rss = proc.memory_info().rss
            except psutil.Error:  # ended (or a zombie) since the listing
                continue
            total += rss
            self.peak_proc = max(self.peak_proc, rss)
        self.peak_tree = max(self.peak_tree, total)

    def run(self) -> None:
        """Sample every ``interval`` seconds until :meth:`stop`."""
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._stop_event.set()
        self.join()


def children_cpu() -> float:
    """Return the user + system CPU seconds of every descendant waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> Measured:
    """Run ``cmd``, capture its output, return its wall time, CPU time and peak memory.

    Raises
    ------
    CommandFailedError
        If the command exits with a non-zero status.
    """
    cpu0 = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeSampler(proc.pid)
    sampler.start()
    try:
        stdout, stderr = proc.communicate()
    finally:
        sampler.stop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise CommandFailedError(cmd, proc.returncode, stdout, stderr)
    return Measured(
        seconds=seconds,
        cpu_seconds=children_cpu() - cpu0,
        peak_tree=sampler.peak_tree,
        peak_proc=sampler.peak_proc,
        stdout=stdout,
        stderr=stderr,
    )


def bench_env(outputs: Path, notebooks: Path, data: Path) -> dict[str, str]:
    """Return the environment of every command: outputs, notebooks, data in the temp folder."""
    env = dict(os.environ)
    env.pop("NSSF_PROGRESS", None)  # no progress bar in the captured output
    env["NSSF_OUTPUTS"] = str(outputs)
    env["NSSF_NOTEBOOKS"] = str(notebooks)
    env["NSSF_DATA"] = str(data)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_naive(sources: list[Path], work: Path, year: int, env: dict[str, str]) -> Phase:
    """Run every notebook with the papermill CLI, then nbconvert it to HTML, in turn."""
    work.mkdir(parents=True, exist_ok=True)
    total = Measured()
    start = time.perf_counter()
    for src in sources:
        out = work / src.name
        pm = [str(VENV_BIN / "papermill"), str(src), str(out), "-p", "year", str(year)]
        pm += ["-k", KERNEL_NAME]
        convert = [str(VENV_BIN / "jupyter"), "nbconvert", "--to", "html", str(out)]
        m_pm = run_measured(pm, src.parent, env)
        m_cv = run_measured(convert, src.parent, env)
        total.absorb(m_pm)
        total.absorb(m_cv)
        print(
            f"  {src.stem:<28} papermill {m_pm.seconds:6.1f} s  nbconvert {m_cv.seconds:5.1f} s",
            flush=True,
        )
    total.seconds = time.perf_counter() - start
    return Phase("naive (papermill + nbconvert)", total)


def build_cmd(year: int, jobs: int | None, force: bool) -> list[str]:
    """Return the ``nssf-report build`` command line."""
    cmd = [str(VENV_BIN / "nssf-report"), "build", "--year", str(year)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if force:
        cmd.append("--force")
    return cmd


def parse_statuses(summary: str, year: int) -> dict[str, str]:
    """Return ``{notebook: status}`` from the table ``nssf-report build`` prints."""
    found = {}
    for line in summary.splitlines():
        m = ROW_RE.match(line)
        if m and int(m.group(2)) == year:
            found[m.group(1)] = m.group(3)
    return found


def run_build(name: str, year: int, jobs: int | None, force: bool, env: dict[str, str]) -> Phase:
    """Run ``nssf-report build`` once (from the project root) and print its table."""
    m = run_measured(build_cmd(year, jobs, force), ROOT, env)
    for line in (m.stderr + m.stdout).splitlines():
        if line.strip():
            print(f"  | {line}", flush=True)
    return Phase(name, m, parse_statuses(m.stdout, year))


def printed_pdf(phase: Phase) -> bool:
    """Return whether the build of ``phase`` printed (or copied) a PDF edition."""
    return "PDF edition (" in phase.measured.stdout + phase.measured.stderr


def change_chapter(path: Path) -> None:
    """Append a Markdown cell to the notebook at ``path`` (its content hash changes)."""
    nb = nbformat.read(path, as_version=4)
    text = "*Benchmark edit: this cell was appended by `benchmarks/bench_build.py`.*"
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, path)


def pick_chapter(sources: list[Path], wanted: str | None) -> Path:
    """Return the chapter to change: ``wanted`` (stem or file name), else the first one."""
    if not wanted:
        return sources[0]
    for src in sources:
        if wanted in (src.stem, src.name):
            return src
    names = ", ".join(s.stem for s in sources)
    raise SystemExit(f"bench_build: no chapter {wanted!r}; chapters: {names}")


def chapter_reads(outputs: Path, year: int) -> dict[str, list[str]]:
    """Return ``{chapter: data files it read}`` from the build's cache index."""
    index = json.loads((outputs / ".cache" / "book-cache.json").read_text(encoding="utf-8"))
    found = {}
    for key, entry in index["notebooks"].items():
        y, name = key.split("/", 1)
        if int(y) == year:
            found[name] = entry.get("reads")
    return found


def pick_table(reads: dict[str, list[str]], wanted: str | None, data: Path) -> str:
    """Return the tidy table to change: ``wanted``, else the one the fewest chapters read."""
    tables = sorted(p.stem for p in (data / "tidy").glob("*.csv"))
    if wanted:
        if wanted not in tables:
            raise SystemExit(f"bench_build: no tidy table {wanted!r}")
        return wanted

    def readers(tid: str) -> int:
        return sum(1 for r in reads.values() if r is None or f"tidy/{tid}.csv" in r)

    read = [t for t in tables if readers(t) > 0]
    return min(read or tables, key=lambda t: (readers(t), t))


def change_table(path: Path) -> str:
    """Raise the first numeric value of a tidy file by 1; return what changed."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        fields = list(rows[0]) if rows else []
    for row in rows:
        try:
            old = float(row["value"])
        except (KeyError, ValueError):
            continue
        new = old + 1
        row["value"] = str(int(new)) if new.is_integer() and "." not in row["value"] else str(new)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        return f"value {old:g} -> {row['value']}"
    raise SystemExit(f"bench_build: {path} has no numeric value to change")


def count(statuses: dict[str, str], status: str) -> int:
    """Return how many notebooks have ``status``."""
    return sum(1 for s in statuses.values() if s == status)


def check_statuses(
    statuses: dict[str, str], names: list[str], executed: set[str]
) -> tuple[bool, str]:
    """Check that exactly ``executed`` ran and every other notebook came from the cache."""
    if set(statuses) != set(names):
        return False, f"table lists {sorted(statuses)}, expected {names}"
    ran = {n for n, s in statuses.items() if s == "executed"}
    other = {n: s for n, s in statuses.items() if n not in executed and s != "cached"}
    if ran != executed or other:
        return False, f"executed: {sorted(ran) or 'none'}; not cached: {other or 'none'}"
    if executed == set(names):
        return True, f"all {len(names)} executed"
    return True, f"executed: {', '.join(sorted(executed)) or 'none'}; all others cached"


def verdict(ok: bool) -> str:
    """Return PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def ratio_line(label: str, num: float, den: float | None, goal: float | None) -> str:
    """Return one line of the ratios table, with PASS/FAIL when there is a goal."""
    if not den:
        return f"  {label:<22} {'n/a':>6}   (naive baseline skipped)"
    r = num / den
    if goal is None:
        return f"  {label:<22} {r:6.3f}   (no goal)"
    return f"  {label:<22} {r:6.3f}   goal <= {goal:.2f}   {verdict(r <= goal)}"


def print_table(phases: list[Phase]) -> None:
    """Print wall time, CPU time, peak memory and notebook statuses of every phase."""
    head = f"  {'phase':<32} {'wall s':>8} {'CPU s':>8} {'tree MiB':>9} {'proc MiB':>9}  notebooks"
    print(head)
    print("  " + "-" * (len(head) - 2))
    for p in phases:
        m = p.measured
        nbs = (
            f"{count(p.statuses, 'executed')} executed, {count(p.statuses, 'cached')} cached"
            if p.statuses
            else "all run"
        )
        print(
            f"  {p.name:<32} {m.seconds:8.1f} {m.cpu_seconds:8.1f} "
            f"{m.peak_tree / MIB:9.0f} {m.peak_proc / MIB:9.0f}  {nbs}"
        )


def load_average() -> str:
    """Return the load averages of the machine (1, 5 and 15 minutes) as printed text."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def round_ratios(colds: list[Phase], naives: list[Phase]) -> list[float]:
    """Return each round's cold/naive ratio: the cold build over the baseline run before it."""
    return [c.measured.seconds / n.measured.seconds for c, n in zip(colds, naives, strict=True)]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--year", type=int, default=2022, help="report year (default 2022)")
    p.add_argument("--jobs", type=int, default=None, help="passed to nssf-report build")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("--skip-naive", action="store_true", help="skip the naive baseline")
    p.add_argument(
        "--rounds",
        type=positive_int,
        default=3,
        help="naive baseline and cold build run in turn this many times (default 3)",
    )
    p.add_argument(
        "--chapter", default=None, help="chapter to change in phase 4 (default: the first)"
    )
    p.add_argument(
        "--table",
        default=None,
        help="tidy table to change in phase 5 (default: the one the fewest chapters read)",
    )
    return p.parse_args(argv)


def run(args: argparse.Namespace, tmp: Path) -> None:
    """Run every phase in ``tmp`` and print the results."""
    notebooks = tmp / "notebooks"
    shutil.copytree(
        ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
    )
    sources = discover_notebooks(notebooks)
    names = [s.stem for s in sources]
    chapter = pick_chapter(sources, args.chapter)
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    env = bench_env(tmp / "outputs", notebooks, data)
    print(f"benchmark of nssf-report build, year {args.year}, {len(sources)} notebooks,")
    print(f"{os.cpu_count()} cores, --jobs {args.jobs or 'default'}; temporary folder {tmp}")
    print(f"load average at the start (1, 5, 15 min): {load_average()}\n")

    phases: list[Phase] = []
    naives: list[Phase] = []
    colds: list[Phase] = []
    for r in range(1, args.rounds + 1):
        tag = f", round {r}/{args.rounds}" if args.rounds > 1 else ""
        if not args.skip_naive:
            print(f"[1/5] naive baseline{tag}: papermill then nbconvert, one after another")
            naive_env = bench_env(tmp / f"naive-outputs-{r}", notebooks, data)
            naive = run_naive(sources, tmp / f"naive-{r}", args.year, naive_env)
            naive.name += f" {r}" if args.rounds > 1 else ""
            print(f"  total {naive.measured.seconds:.1f} s\n", flush=True)
            phases.append(naive)
            naives.append(naive)
        # the last round's cold build is the one the later phases rebuild
        cold_env = env if r == args.rounds else bench_env(tmp / f"outputs-{r}", notebooks, data)
        print(f"[2/5] cold build{tag}: nssf-report build --force, fresh outputs folder")
        cold = run_build("cold build (--force)", args.year, args.jobs, True, cold_env)
        cold.name += f" {r}" if args.rounds > 1 else ""
        print(f"  total {cold.measured.seconds:.1f} s\n", flush=True)
        phases.append(cold)
        colds.append(cold)
    html_only = None
    if printed_pdf(cold):
        print("[2b] cold build without the PDF edition (NSSF_PDF=0), fresh outputs folder:")
        print("     the naive baseline's output, HTML only")
        html_env = dict(bench_env(tmp / "outputs-html", notebooks, data), NSSF_PDF="0")
        html_only = run_build("cold build, no PDF edition", args.year, args.jobs, True, html_env)
        print(f"  total {html_only.measured.seconds:.1f} s\n", flush=True)
        phases.append(html_only)

    print("[3/5] no-change rebuild: the same command without --force")
    same = run_build("no-change rebuild", args.year, args.jobs, False, env)
    print(f"  total {same.measured.seconds:.1f} s\n", flush=True)
    phases.append(same)

    print(f"[4/5] one chapter changed: a Markdown cell appended to {chapter.name}")
    change_chapter(chapter)
    one = run_build("one chapter changed", args.year, args.jobs, False, env)
    print(f"  total {one.measured.seconds:.1f} s\n", flush=True)
    phases.append(one)

    reads = chapter_reads(tmp / "outputs", args.year)
    table = pick_table(reads, args.table, data)
    readers = {n for n, r in reads.items() if r is None or f"tidy/{table}.csv" in r}
    what = change_table(data / "tidy" / f"{table}.csv")
    print(f"[5/5] one table's data changed: {table} ({what}); read by {len(readers)} chapter(s)")
    table_phase = run_build("one table's data changed", args.year, args.jobs, False, env)
    print(f"  total {table_phase.measured.seconds:.1f} s\n", flush=True)
    phases.append(table_phase)

    print("=" * 78)
    print(f"results, year {args.year} (peak memory: RSS summed over each command's process")
    print("tree, sampled every 50 ms; 'proc' is the largest single process)\n")
    print_table(phases)
    print(f"\nload average at the end (1, 5, 15 min): {load_average()}")
    print("  (other processes share the cores: the ratios hold on a quiet machine only)\n")
    naive_s = naives[-1].measured.seconds if naives else None
    cold_s = cold.measured.seconds
    if naives and args.rounds > 1:
        ratios = round_ratios(colds, naives)
        for r, ratio in enumerate(ratios, 1):
            print(ratio_line(f"cold / naive, round {r}", ratio, 1.0, None))
        print(ratio_line("cold / naive, median", statistics.median(ratios), 1.0, COLD_GOAL))
    else:
        print(ratio_line("cold / naive", cold_s, naive_s, COLD_GOAL))
    if html_only is not None:
        # against the last round's baseline, the run nearest in time
        print(ratio_line("cold, no PDF / naive", html_only.measured.seconds, naive_s, None))
    else:
        print("  (the cold build printed no PDF edition: Chromium not found, or NSSF_PDF=0)")
    print(ratio_line("no-change / cold", same.measured.seconds, cold_s, NO_CHANGE_GOAL))
    print(ratio_line("one-changed / cold", one.measured.seconds, cold_s, None))
    print(ratio_line("one-table / cold", table_phase.measured.seconds, cold_s, ONE_TABLE_GOAL))
    print()
    checks = [
        *((c.name.replace(" (--force)", ""), c.statuses, set(names)) for c in colds),
        *([("cold build, no PDF", html_only.statuses, set(names))] if html_only else []),
        ("no-change rebuild", same.statuses, set()),
        ("one chapter changed", one.statuses, {chapter.stem}),
        (f"one table ({table}) changed", table_phase.statuses, readers),
    ]
    for label, statuses, executed in checks:
        ok, detail = check_statuses(statuses, names, executed)
        print(f"  {label + ' statuses':<32} {verdict(ok)}   {detail}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0, or 1 when a command failed."""
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="nssf-bench-"))
    keep = args.keep
    try:
        run(args, tmp)
    except CommandFailedError as err:
        keep = True
        print(f"\nbench_build: {err}", file=sys.stderr)
        tail = (err.stderr or err.stdout).strip().splitlines()[-20:]
        for line in tail:
            print(f"  | {line}", file=sys.stderr)
        return 1
    finally:
        if keep:
            print(f"\ntemporary folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
