#!/usr/bin/env python3
"""Incremental runs (issue 13): a run after one page changed, and a run
after nothing changed, against a run without the caches, interleaved.

    python3 ../shared/bench/synth_tree.py 100000 /tmp/s100k --no-html
    python3 bench/incremental.py /tmp/s100k --runs 9
    python3 bench/incremental.py /tmp/s100k --runs 9 --preset sentinel-ninja

Each round: `check --no-cache` (every page read and parsed); a line
appended to one page (another each round), then a run with the caches
(the run cache recomputes that page and the pages whose findings read
it); then a run with nothing changed. `sync` before each timed run (the
last run's cache files are on disk, not being written back). The findings
of the three runs are compared byte for byte. Prints medians. The tree is
left as it was.
"""
import argparse
import pathlib
import shutil
import statistics
import subprocess
import tempfile
import time

repo = pathlib.Path(__file__).resolve().parent.parent
reftree = repo / "target/release/reftree"


def timed(cmd, cwd):
    subprocess.run(["sync"], check=True)
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return time.perf_counter() - t, p.stdout, p.stderr.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tree")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--binary", default=str(reftree), help="the reftree to time")
    ap.add_argument("--preset", help="check with this preset (its kinds, counts, relations...)")
    a = ap.parse_args()
    tree = pathlib.Path(a.tree).resolve()
    pages = sorted(tree.rglob("*.md"))
    check = [a.binary, "check", "--root", ".", "--format", "short"]
    if a.preset:
        check += ["--preset", a.preset]
    cache = tempfile.mkdtemp(prefix="reftree-cache-")
    cached = check + ["--cache-dir", cache]
    timed(cached, tree)  # writes the caches
    times = {"uncached": [], "one page changed": [], "nothing changed": []}
    summaries = {}
    originals = {}
    try:
        for i in range(a.runs):
            t, plain, _ = timed(check + ["--no-cache"], tree)
            times["uncached"].append(t)
            page = pages[(i * 7919 + 11) % len(pages)]
            originals.setdefault(page, page.read_bytes())
            with open(page, "a") as f:
                f.write("\nEdited for the benchmark.\n")
            time.sleep(2.1)  # the edit is older than the run's racy window
            _, plain, _ = timed(check + ["--no-cache"], tree)
            t, out, err = timed(cached, tree)
            times["one page changed"].append(t)
            assert out == plain, "the run after one page changed found otherwise"
            summaries["one page changed"] = err.strip().splitlines()[-1]
            t, out, err = timed(cached, tree)
            times["nothing changed"].append(t)
            assert out == plain, "the run after nothing changed found otherwise"
            summaries["nothing changed"] = err.strip().splitlines()[-1]
    finally:
        for page, text in originals.items():
            page.write_bytes(text)
        shutil.rmtree(cache, ignore_errors=True)
    base = statistics.median(times["uncached"])
    preset = f", --preset {a.preset}" if a.preset else ""
    print(f"{tree.name}{preset}, {len(pages):,} pages, {a.runs} rounds, medians:")
    for what, ts in times.items():
        m = statistics.median(ts)
        print(f"  {what:18} {m * 1000:7.0f} ms  {m / base:6.1%} of uncached  (min {min(ts) * 1000:.0f}, max {max(ts) * 1000:.0f})")
    for what, s in summaries.items():
        print(f"  {what}: {s}")


if __name__ == "__main__":
    main()
