"""Benchmark ``nssf-report build`` against the naive loop, the previous build and itself.

``make bench`` (``.venv/bin/python benchmarks/bench_build.py --year 2022``) runs ``--rounds``
rounds (default 3); each runs these phases in turn, each in fresh folders of one temporary
folder (``NSSF_OUTPUTS``, ``NSSF_NOTEBOOKS``, ``NSSF_DATA``; the project's own are untouched):

1. naive loop: for each chapter ``NN_*.ipynb`` in turn, ``papermill <nb> <out> -p year <Y>
   -k nssf-analysis --cwd <notebooks>``, then ``jupyter nbconvert --to html <out>``;
2. cold build, no PDF: ``nssf-report build --year <Y> --force`` with ``NSSF_PDF=0``;
3. the same without warm kernels (``NSSF_WARM=0``): what warm kernels buy, like for like;
4. cold build with the PDF edition;
5. the previous build (commit ``d8ba589``), cold, no PDF: checked out once per run with
   ``git worktree add --detach``, run from there with ``PYTHONPATH=<worktree>`` (checked:
   it imports the old package; its kernels inherit it) on copies of its own notebooks and
   data; skipped, saying so, when the repository lacks the commit;
6. no-change rebuild: 4 again without ``--force``: all ``cached``, book ``up to date``
   (6 to 8 fail, saying so, if someone edits the package's files meanwhile);
7. one chapter changed (a Markdown cell appended to the first): exactly it ``executed``;
8. one table's data changed (a value raised by 1 in the tidy table the fewest chapters
   load): exactly the chapters whose loads recorded in ``outputs/.cache/book-cache.json``
   include its file ``executed``; in 7 and 8 every other chapter is ``cached``.

Per command: wall time; CPU time (``RUSAGE_CHILDREN``: the script is the child subreaper
of its descendants and reaps them all, orphans such as a fork server included); peak memory
of all descendants, sampled every 50 ms ("tree": the largest RSS sum, shared pages counted
once per process; "proc": the largest process); kernels started as new Pythons
(``ipykernel_launcher``; a warm kernel is forked).  Ratios are computed per round and their
median checked against the goal.  The exit status is 0 whatever the timings; a failing
command ends the script with a one-line error naming it (status 1), keeping the temporary
folder.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import ctypes
import json
import operator
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
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil

from nssf_analysis import paths
from nssf_analysis.book.build import discover_notebooks
from nssf_analysis.book.execute import KERNEL_NAME
from nssf_analysis.cli import positive_int

ROOT = Path(__file__).resolve().parent.parent
#: The scripts (papermill, jupyter, nssf-report) of the virtualenv running this script.
VENV_BIN = Path(sys.executable).parent
#: The last commit of the previous build.
PREVIOUS = "d8ba589"
#: Variables that change what a phase runs: each phase sets its own.
CLEARED = ("NSSF_PDF", "NSSF_WARM", "NSSF_WARM_KERNELS", "NSSF_PROGRESS", "PYTHONPATH")
PHASES = {
    "naive": "1 naive loop",
    "cold": "2 cold build, no PDF",
    "nowarm": "3 cold, no PDF, NSSF_WARM=0",
    "pdf": "4 cold build with PDF",
    "previous": f"5 previous build {PREVIOUS}, no PDF",
    "same": "6 no-change rebuild",
    "chapter": "7 one chapter changed",
    "table": "8 one table's data changed",
}
OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge}
SAMPLE_INTERVAL = 0.05
ROW_RE = re.compile(r"^\s+(\d{2}_\S+)\s+(\d{4})\s+(executed|cached|failed)\s")
BOOK_RE = re.compile(r"^book (\d{4}): (rendered|up to date)\b")
MIB = 1024 * 1024
MEDIANS = ("seconds", "cpu_seconds", "kernels")


@dataclass
class Measured:
    """Wall time, CPU time, peak memory (bytes), new-Python kernels and output of a command."""

    seconds: float
    cpu_seconds: float = 0.0
    peak_tree: int = 0
    peak_proc: int = 0
    kernels: int = 0
    stdout: str = ""


class TreeSampler(threading.Thread):
    """Sample every descendant of this process every 50 ms until :attr:`done` is set."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.done = threading.Event()
        self.peak_tree = self.peak_proc = 0
        self.kernels: set[int] = set()  # pids of kernels started as new Pythons
        self.seen: set[int] = set()  # pids whose command line was looked at

    def run(self) -> None:
        """Sample the RSS; look once at the command line of each process a second old."""
        while not self.done.wait(SAMPLE_INTERVAL):
            total = 0
            for proc in psutil.Process().children(recursive=True):
                try:
                    rss = proc.memory_info().rss
                    if proc.pid not in self.seen and time.time() - proc.create_time() > 1:
                        self.seen.add(proc.pid)  # a second after its start it has run exec
                        if "ipykernel_launcher" in proc.cmdline():
                            self.kernels.add(proc.pid)
                except psutil.Error:  # ended since the listing
                    continue
                total += rss
                self.peak_proc = max(self.peak_proc, rss)
            self.peak_tree = max(self.peak_tree, total)


def reap(timeout: float = 10.0) -> int:
    """Wait for every descendant, kill those left after ``timeout``, reap; return how many."""
    _, alive = psutil.wait_procs(psutil.Process().children(recursive=True), timeout=timeout)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=timeout)
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    return len(alive)


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> Measured:
    """Run ``cmd``; return its measures (CalledProcessError if it fails)."""
    children = resource.RUSAGE_CHILDREN  # every descendant reaped so far
    cpu0, sampler = sum(resource.getrusage(children)[:2]), TreeSampler()  # user + system
    sampler.start()
    start = time.perf_counter()
    text = {"mode": "w+", "encoding": "utf-8", "errors": "replace"}
    with tempfile.TemporaryFile(**text) as out, tempfile.TemporaryFile(**text) as err:
        try:  # output to files: the time is the command's own, whoever keeps a copy of them
            returncode = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err).wait()
        finally:
            seconds = time.perf_counter() - start
            killed = reap()
            sampler.done.set()
            sampler.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if returncode != 0:
        raise subprocess.CalledProcessError(returncode, cmd, stdout, stderr)
    if killed:
        print(f"  warning: {killed} process(es) outlived {cmd[0]} by 10 s; killed", flush=True)
    cpu, kernels = sum(resource.getrusage(children)[:2]) - cpu0, len(sampler.kernels)
    return Measured(seconds, cpu, sampler.peak_tree, sampler.peak_proc, kernels, stdout)


def fresh(folder: Path, source: Path) -> Path:
    """Create ``folder`` with copies of the ``notebooks/`` and ``data/`` of ``source``."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints")
    shutil.copytree(source / "notebooks", folder / "notebooks", ignore=ignore)
    shutil.copytree(source / "data", folder / "data")
    return folder


def bench_env(folder: Path, **extra: str) -> dict[str, str]:
    """Return the environment of a command whose outputs, notebooks and data are in ``folder``."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(NSSF_OUTPUTS=str(folder / "outputs"), NSSF_NOTEBOOKS=str(folder / "notebooks"))
    env.update(NSSF_DATA=str(folder / "data"), PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}")
    return {**env, **extra}


def run_naive(folder: Path, year: int) -> Measured:
    """Run every chapter with the papermill CLI, then nbconvert it to HTML, one by one."""
    notebooks, env, parts = folder / "notebooks", bench_env(folder), []
    start = time.perf_counter()
    for src in discover_notebooks(notebooks):
        out = str(folder / src.name)
        pm = [str(VENV_BIN / "papermill"), str(src), out, "-p", "year", str(year)]
        pm += ["-k", KERNEL_NAME, "--cwd", str(notebooks)]
        parts.append(run_measured(pm, notebooks, env))
        nbconvert = [str(VENV_BIN / "jupyter"), "nbconvert", "--to", "html", out]
        parts.append(run_measured(nbconvert, notebooks, env))
    tree, proc = max(p.peak_tree for p in parts), max(p.peak_proc for p in parts)
    cpu, kernels = sum(p.cpu_seconds for p in parts), sum(p.kernels for p in parts)
    return Measured(time.perf_counter() - start, cpu, tree, proc, kernels)


def build_cmd(year: int, jobs: int | None, force: bool) -> list[str]:
    """Return the ``nssf-report build`` command line."""
    cmd = [str(VENV_BIN / "nssf-report"), "build", "--year", str(year)]
    return cmd + (["--jobs", str(jobs)] if jobs else []) + (["--force"] if force else [])


def check_statuses(summary: str, year: int, names: list, executed: set, book: str) -> tuple:
    """Check a build's summary: exactly ``executed`` ran, the others cached, the book ``book``."""
    statuses, state = {}, None
    for line in summary.splitlines():
        if (m := ROW_RE.match(line)) and int(m[2]) == year:
            statuses[m[1]] = m[3]
        elif (m := BOOK_RE.match(line)) and int(m[1]) == year:
            state = m[2]
    if sorted(statuses) != sorted(names):
        return False, f"the summary lists {sorted(statuses)}, not {sorted(names)}"
    ran = sorted(n for n, s in statuses.items() if s == "executed")
    others = {statuses[n] for n in names if n not in executed}
    ok = set(ran) == executed and others <= {"cached"} and state == book
    detail = f"executed: {'all' if len(ran) == len(names) else ', '.join(ran) or 'none'}"
    if not ok:
        detail += f" (expected: {', '.join(sorted(executed)) or 'none'}; book {book})"
    return ok, f"{detail}; book {state}"


def code_stamp() -> set[tuple[str, int]]:
    """Return each file of the package and its modification time (others edit the tree)."""
    found = set()
    for p in (ROOT / "nssf_analysis").rglob("*"):
        with contextlib.suppress(OSError):  # removed meanwhile
            if p.is_file() and "__pycache__" not in p.parts:
                found.add((str(p), p.stat().st_mtime_ns))
    return found


def pick_table(outputs: Path, data: Path, year: int) -> tuple[Path, set[str]]:
    """Return the tidy table the fewest (but some) chapters loaded, first by name, and those."""
    index = json.loads((outputs / ".cache" / "book-cache.json").read_text(encoding="utf-8"))
    loads = {
        key.split("/", 1)[1]: {os.path.abspath(paths.ROOT / f) for f in entry["loads"]}
        for key, entry in index["chapters"].items()
        if key.split("/", 1)[0] == str(year)
    }
    readers = {
        table: {name for name, files in loads.items() if os.path.abspath(table) in files}
        for table in sorted((data / "tidy").glob("*.csv"))
    }
    table = min(readers, key=lambda t: (not readers[t], len(readers[t]), t.name))
    return table, readers[table]


def change_table(path: Path) -> str:
    """Raise the first numeric ``value`` of a tidy table by 1; return what changed."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        old = row.get("value", "")
        with contextlib.suppress(ValueError):
            row["value"] = str(int(old) + 1) if old.lstrip("-").isdigit() else str(float(old) + 1)
        if row.get("value", "") != old:
            with open(path, "w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
            return f"{old} -> {row['value']}"
    raise SystemExit(f"bench_build: {path} has no numeric value to change")


def per_round(numerators: list[float], denominators: list[float]) -> list[float]:
    """Return each round's ratio."""
    return [n / d for n, d in zip(numerators, denominators, strict=True)]


def saving(warm: float, no_warm: float) -> float:
    """Return what warm kernels save, as a percentage of the build without them."""
    return 100 * (no_warm - warm) / no_warm


def goal_line(label: str, values: list[float] | None, op: str | None, goal: float, fmt: str) -> str:
    """Return the median of ``values``, PASS or FAIL against ``goal``, and each round's value."""
    if values is None:
        return f"  {label:<32} {'n/a':>8}   (skipped)"
    median = statistics.median(values)
    check = "(no goal)"
    if op:
        check = f"goal {op} {fmt.format(goal)}   {'PASS' if OPS[op](median, goal) else 'FAIL'}"
    rounds = ", ".join(fmt.format(v) for v in values)
    return f"  {label:<32} {fmt.format(median):>8}   {check:<22} rounds: {rounds}"


def goal_lines(wall: dict[str, list[float]]) -> list[str]:
    """Return the lines of the ratios, from each phase's wall seconds in each round."""
    cold, pdf, nowarm, ratio = wall["cold"], wall["pdf"], wall["nowarm"], "{:.3f}"
    previous = per_round(cold, wall["previous"]) if "previous" in wall else None
    savings = [saving(w, n) for w, n in zip(cold, nowarm, strict=True)]
    specs = [
        ("cold no PDF / naive", per_round(cold, wall["naive"]), "<=", 0.30, ratio),
        ("cold no PDF / previous build", previous, "<=", 1.15, ratio),
        ("no-warm / warm", per_round(nowarm, cold), None, 0, ratio),
        ("warm saving, % of no-warm", savings, ">=", 10, "{:.1f} %"),
        ("no-change rebuild", wall["same"], "<", 1, "{:.2f} s"),
        ("one chapter / cold with PDF", per_round(wall["chapter"], pdf), "<=", 0.5, ratio),
        ("one table / cold with PDF", per_round(wall["table"], pdf), "<=", 0.5, ratio),
    ]
    return [goal_line(*spec) for spec in specs]


def print_table(results: dict[str, list[Measured]]) -> None:
    """Print each phase's medians, largest peak memory and each round's wall time."""
    print(f"  {'phase':<32}  wall s   CPU s  tree MiB  proc MiB  kernels  wall s of each round")
    for key, ms in results.items():
        wall, cpu, kernels = (statistics.median(getattr(m, a) for m in ms) for a in MEDIANS)
        tree, proc = (max(getattr(m, a) for m in ms) / MIB for a in ("peak_tree", "peak_proc"))
        row = f"{wall:7.1f} {cpu:7.1f} {tree:9.0f} {proc:9.0f} {kernels:8.0f}"
        print(f"  {PHASES[key]:<32} {row}  " + " ".join(f"{m.seconds:.1f}" for m in ms))


@contextlib.contextmanager
def previous_worktree(path: Path):
    """Check :data:`PREVIOUS` out at ``path``; yield it (None without the commit); remove it."""
    git = ["git", "-C", str(ROOT)]
    probe = [*git, "cat-file", "-e", f"{PREVIOUS}^{{commit}}"]
    if subprocess.run(probe, capture_output=True).returncode:
        print(f"previous build skipped: commit {PREVIOUS} is not in this repository")
        yield None
        return
    res = subprocess.run(
        [*git, "worktree", "add", "--detach", str(path), PREVIOUS], capture_output=True, text=True
    )
    if res.returncode:
        raise SystemExit(f"bench_build: git worktree add {path} {PREVIOUS}: {res.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(path)], check=False)


def previous_env(folder: Path, worktree: Path) -> dict[str, str]:
    """Return the previous build's environment, after checking that it imports its own code."""
    env = bench_env(folder, NSSF_PDF="0", PYTHONPATH=str(worktree), NSSF_ROOT=str(worktree))
    code = "import nssf_analysis.book.warmkernel as m; print(m.__file__)"  # old code only
    # from the notebooks folder, as its kernels run: only PYTHONPATH can find the package
    cmd = [sys.executable, "-c", code]
    res = subprocess.run(cmd, cwd=folder / "notebooks", env=env, capture_output=True, text=True)
    if res.returncode or not Path(res.stdout.strip() or "/").is_relative_to(worktree):
        raise SystemExit(f"bench_build: the previous build would not run {PREVIOUS}'s code")
    return env


def run_round(r: int, args: argparse.Namespace, tmp: Path, worktree: Path | None):
    """Run each phase once in fresh folders ``tmp/round-<r>/<phase>``; return them, checks."""
    base, out, checks = tmp / f"round-{r}", {}, []

    def measure(key, folder, force, executed=None, book="rendered", cwd=ROOT, env=None) -> None:
        names = [p.stem for p in discover_notebooks(folder / "notebooks")]
        cmd, env = build_cmd(args.year, args.jobs, force), env or bench_env(folder)
        m = out[key] = run_measured(cmd, cwd, env)
        executed = set(names) if executed is None else executed
        ok, detail = check_statuses(m.stdout, args.year, names, executed, book)
        if key in ("same", "chapter", "table") and code_stamp() != stamp:
            ok, detail = False, f"{detail} [package files edited since phase 4: keys changed]"
        checks.append(f"  {PHASES[key]:<32} round {r}: {'PASS' if ok else 'FAIL'}   {detail}")
        print(f"  {PHASES[key]:<32} {m.seconds:7.1f} s   {detail}", flush=True)

    out["naive"] = run_naive(fresh(base / "naive", ROOT), args.year)
    print(f"  {PHASES['naive']:<32} {out['naive'].seconds:7.1f} s", flush=True)
    no_pdf = {"NSSF_PDF": "0"}
    for key, extra in (("cold", no_pdf), ("nowarm", {**no_pdf, "NSSF_WARM": "0"}), ("pdf", {})):
        folder = fresh(base / key, ROOT)
        stamp = code_stamp()  # the last one: before 4, which 6 to 8 rebuild
        measure(key, folder, True, env=bench_env(folder, **extra))
    if worktree:
        folder = fresh(base / "previous", worktree)
        measure("previous", folder, True, cwd=worktree, env=previous_env(folder, worktree))
    folder = base / "pdf"
    measure("same", folder, False, set(), "up to date")
    chapter = discover_notebooks(folder / "notebooks")[0]
    nb = nbformat.read(chapter, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("*Appended by `benchmarks/bench_build.py`.*"))
    nbformat.write(nb, chapter)
    measure("chapter", folder, False, {chapter.stem})
    table, readers = pick_table(folder / "outputs", folder / "data", args.year)
    print(f"  (table {table.stem}: {change_table(table)}; loaded by {len(readers)} chapter(s))")
    measure("table", folder, False, readers)
    return out, checks


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--year", type=int, default=2022, help="report year (default 2022)")
    p.add_argument("--rounds", type=positive_int, default=3, help="rounds (default 3)")
    p.add_argument("--jobs", type=positive_int, default=None, help="passed to every build")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0, or 1 when a command failed."""
    args = parse_args(argv)
    if sys.platform.startswith("linux"):  # orphaned descendants become ours, to be reaped
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    tmp, keep = Path(tempfile.mkdtemp(prefix="nssf-bench-")), args.keep
    print(f"benchmark of nssf-report build, year {args.year}, {args.rounds} round(s), ", end="")
    print(f"{os.cpu_count()} cores, --jobs {args.jobs or 'default'}; temporary folder {tmp}")
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results: dict[str, list[Measured]] = {}
    checks: list[str] = []
    try:
        with previous_worktree(tmp / "previous-src") as worktree:
            for r in range(1, args.rounds + 1):
                print(f"round {r}/{args.rounds}", flush=True)
                out, round_checks = run_round(r, args, tmp, worktree)
                for key, m in out.items():
                    results.setdefault(key, []).append(m)
                checks += round_checks
    except subprocess.CalledProcessError as err:
        keep, log = True, tmp / "failed-command.log"
        log.write_text(err.stdout + err.stderr, encoding="utf-8")
        cmd = " ".join(err.cmd)
        print(f"bench_build: error: exit {err.returncode}: {cmd} (output: {log})", file=sys.stderr)
        return 1
    finally:
        if keep:
            print(f"temporary folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("=" * 100)
    print(f"results, year {args.year}: medians over {args.rounds} round(s); memory: the largest")
    print("RSS sum of the process tree and the largest process; kernels: started as new Pythons\n")
    print_table(results)
    print()
    print("\n".join(goal_lines({k: [m.seconds for m in ms] for k, ms in results.items()})))
    print("  (the project keeps warm kernels only if they save at least 10 % of the build)\n")
    print("\n".join(checks))
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
