"""Benchmark the report audit, cold, against the audit of a baseline commit.

``.venv/bin/python benchmarks/bench_audit.py`` runs ``--rounds`` rounds (default 3); each
times the cold audit (:func:`nssf_analysis.analysis.audit.results.run`) of the baseline
and of the working tree, alternating which goes first, each in a new Python process with
an empty ``NSSF_OUTPUTS`` of its own (no result kept on disk, none in memory):

* the working tree: the package of this checkout, as it is (uncommitted changes too);
* the baseline: ``--baseline`` (default ``HEAD``), exported once per run with ``git
  archive`` into the temporary folder and imported from there with ``PYTHONPATH``
  (checked: the process names the package it imported); or ``--baseline-tree``, a folder
  that holds a copy of the project.

Both read the same data files, this checkout's ``data/`` and ``seeds/`` (``NSSF_DATA``,
``NSSF_SEEDS``).  Per process: the seconds of the import of the audit and of the run, and
a digest of the run's checks, findings and conventions (every column's dtype and every
value's ``repr``): the two must give the same digest.  The report gives the median of
each and the ratio baseline / working tree of the median runs.  The exit status is 1 if
a process fails or the digests differ, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from nssf_analysis.cli import positive_int

ROOT = Path(__file__).resolve().parent.parent

#: What one process runs: import, run the audit, print its times and its digest as JSON.
PROBE = """
import hashlib, json, time
t0 = time.perf_counter()
from nssf_analysis.analysis.audit import results
t1 = time.perf_counter()
r = results.run()
t2 = time.perf_counter()
h = hashlib.sha256()
for frame in (r.checks, r.findings, r.conventions):
    for name in frame.columns:
        col = frame[name]
        h.update(repr((name, str(col.dtype), [repr(v) for v in col])).encode())
import nssf_analysis
print(json.dumps({"import": t1 - t0, "run": t2 - t1, "digest": h.hexdigest(),
                  "package": nssf_analysis.__file__, "rows": len(r.checks)}))
"""


def export(ref: str, folder: Path) -> Path:
    """Write the files of commit ``ref`` into ``folder`` (``git archive``); return it."""
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=False
    )
    if archive.returncode:
        raise SystemExit(f"bench_audit: git archive {ref}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def probe(tree: Path, outputs: Path) -> dict:
    """Run the audit cold in a new process importing the package of ``tree``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NSSF_")}
    env.update(
        PYTHONPATH=str(tree),
        NSSF_ROOT=str(tree),
        NSSF_OUTPUTS=str(outputs),
        NSSF_DATA=str(ROOT / "data"),
        NSSF_SEEDS=str(ROOT / "seeds"),
    )
    res = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tree, env=env, capture_output=True, text=True
    )
    if res.returncode:
        raise SystemExit(f"bench_audit: the audit of {tree} failed:\n{res.stderr[-2000:]}")
    out = json.loads(res.stdout.strip().splitlines()[-1])
    if not Path(out["package"]).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"bench_audit: {tree}: imported {out['package']} instead")
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=positive_int, default=3, help="rounds (default 3)")
    p.add_argument("--baseline", default="HEAD", help="commit of the baseline (default HEAD)")
    p.add_argument(
        "--baseline-tree", type=Path, help="a folder holding the baseline project instead"
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0, or 1 when the two audits give different results."""
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="nssf-bench-audit-"))
    try:
        if args.baseline_tree:
            baseline, name = args.baseline_tree.resolve(), str(args.baseline_tree)
        else:
            baseline, name = export(args.baseline, tmp / "baseline"), args.baseline
        trees = {"baseline": baseline, "working tree": ROOT}
        print(f"cold audit: baseline {name} against the working tree, {args.rounds} round(s)")
        print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        runs: dict[str, list[dict]] = {k: [] for k in trees}
        for r in range(args.rounds):
            order = list(trees) if r % 2 == 0 else list(reversed(trees))
            for key in order:
                m = probe(trees[key], tmp / f"outputs-{key.replace(' ', '-')}-{r}")
                runs[key].append(m)
                print(
                    f"  round {r + 1}: {key:12s} run {m['run']:6.3f} s, import {m['import']:.3f} s"
                )
    finally:
        if args.keep:
            print(f"temporary folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    med = {
        k: {f: statistics.median(m[f] for m in ms) for f in ("run", "import")}
        for k, ms in runs.items()
    }
    print(f"medians over {args.rounds} round(s):")
    for key, m in med.items():
        print(f"  {key:12s} run {m['run']:6.3f} s, import {m['import']:.3f} s")
    ratio = med["baseline"]["run"] / med["working tree"]["run"]
    print(f"ratio baseline / working tree (run): {ratio:.2f}")
    digests = {m["digest"] for ms in runs.values() for m in ms}
    same = len(digests) == 1
    print(f"same checks, findings and conventions: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
