#!/usr/bin/env python3
"""Scale benchmark (issue 13): reftree against `cat` and lychee on trees of
10k to 1M pages, memory, the page cache and a cold page cache, in one run.

    python3 ../shared/bench/synth_tree.py 100000 /tmp/s100k --no-html
    python3 bench/scale.py target/corpus/sentinel-ninja-2026-08-14 /tmp/s100k ...

For each tree, medians of --runs runs (one run for trees over 200k pages):
- cat: `xargs -0 cat` of every .md file (the floor);
- reftree: `check --no-cache` (every page read and parsed), and its peak RSS;
- cache miss: a run that writes a new page cache; cache hit: a run with
  nothing changed; one page changed: a run after appending a line to one
  page (another page each run);
- lychee --offline --include-fragments (skipped past --lychee-timeout);
- cold: after `sync` and dropping the page cache (root only), cat and
  reftree once each.
Prints a Markdown table. Needs /usr/bin/time; lychee from
target/bench-tools/bin or $LYCHEE.
"""
import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

repo = pathlib.Path(__file__).resolve().parent.parent
reftree = repo / "target/release/reftree"
lychee = os.environ.get("LYCHEE", str(repo / "target/bench-tools/bin/lychee"))


def timed(cmd, cwd, timeout=None):
    """Wall time and peak RSS (KB) of one run of `cmd` (a list)."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=timeout)
    took = time.perf_counter() - t
    rss = int(p.stderr.decode().strip().splitlines()[-1])
    return took, rss


def median(f, runs):
    got = [f() for _ in range(runs)]
    return statistics.median(g[0] for g in got), max(g[1] for g in got)


def drop_caches():
    try:
        subprocess.run(["sync"], check=True)
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trees", nargs="+")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lychee-timeout", type=int, default=900)
    a = ap.parse_args()
    rows = []
    for tree in a.trees:
        tree = pathlib.Path(tree).resolve()
        pages = sorted(str(p.relative_to(tree)) for p in tree.rglob("*.md"))
        runs = a.runs if len(pages) <= 200_000 else 1
        listing = tempfile.NamedTemporaryFile(delete=False)
        listing.write(b"\0".join(p.encode() for p in pages))
        listing.close()
        cat = ["sh", "-c", f"xargs -0 -a {listing.name} cat > /dev/null"]
        check = [str(reftree), "check", "--root", ".", "--format", "short", "-q", "-o", "/dev/null"]
        timed(cat, tree)  # warm up
        r = {"pages": len(pages)}
        r["cat"], _ = median(lambda: timed(cat, tree), runs)
        r["reftree"], r["rss"] = median(lambda: timed(check + ["--no-cache"], tree), runs)
        cache = tempfile.mkdtemp(prefix="reftree-cache-")
        cached = check + ["--cache-dir", cache]

        def miss():
            for f in pathlib.Path(cache).iterdir():
                f.unlink()
            return timed(cached, tree)

        r["miss"], r["miss_rss"] = median(miss, runs)
        r["hit"], r["hit_rss"] = median(lambda: timed(cached, tree), runs)
        edits = iter(range(10**9))
        originals = {}

        def one_changed():
            page = tree / pages[(next(edits) * 7919) % len(pages)]
            originals.setdefault(page, page.read_bytes())
            with open(page, "a") as f:
                f.write("\nEdited for the benchmark.\n")
            return timed(cached, tree)

        timed(cached, tree)
        try:
            r["one"], _ = median(one_changed, runs)
        finally:
            for page, text in originals.items():  # the tree is left as it was
                page.write_bytes(text)
            shutil.rmtree(cache, ignore_errors=True)
        try:
            r["lychee"], r["lychee_rss"] = median(
                lambda: timed([lychee, "--offline", "--include-fragments", "--no-progress", "."],
                              tree, timeout=a.lychee_timeout),
                1 if len(pages) > 20_000 else runs)
        except (subprocess.TimeoutExpired, FileNotFoundError) as e:
            r["lychee"] = None
            print(f"{tree}: lychee skipped: {e}", file=sys.stderr)
        if drop_caches():
            r["cold_cat"], _ = timed(cat, tree)
            drop_caches()
            r["cold"], _ = timed(check + ["--no-cache"], tree)
        rows.append((tree.name, r))
        print(tree.name, r, file=sys.stderr)
        os.unlink(listing.name)
    print("| tree | pages | cat | reftree | / cat | peak RSS | per page | cache miss | cache hit | one page changed | / reftree | lychee | lychee / reftree | lychee RSS | cold cat | cold reftree | cold / warm |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows:
        s = lambda x: f"{x:.2f} s"
        ly = r.get("lychee")
        print(" | ".join([
            f"| {name}", f"{r['pages']:,}", s(r["cat"]), s(r["reftree"]),
            f"{r['reftree'] / r['cat']:.2f}x", f"{r['rss'] / 1024:.0f} MB",
            f"{r['rss'] * 1024 / r['pages'] / 1000:.1f} KB",
            s(r["miss"]), s(r["hit"]), s(r["one"]), f"{r['one'] / r['reftree']:.0%}",
            s(ly) if ly else "skipped", f"{ly / r['reftree']:.1f}x" if ly else "-",
            f"{r['lychee_rss'] / 1024:.0f} MB" if ly else "-",
            s(r["cold_cat"]) if "cold" in r else "-", s(r["cold"]) if "cold" in r else "-",
            f"{r['cold'] / r['reftree']:.2f}x |" if "cold" in r else "- |",
        ]))


if __name__ == "__main__":
    main()
