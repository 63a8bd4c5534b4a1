#!/usr/bin/env bash
# Benchmark reftree on both real trees, warm cache, against the floor
# (`cat` of every .md file) and the peers (lychee, rumdl), all in one run.
# reftree runs with --no-cache: every page is read and parsed, as the peers
# do (bench/scale.py measures the page cache).
#
#   bench/run.sh            # writes target/bench/*.json and prints a Markdown table
#
# Needs ../shared/corpus. Peers are installed from crates.io (pinned
# versions) into target/bench-tools on first use; hyperfine from Debian
# (`apt-get install hyperfine`).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
LYCHEE_VERSION=${LYCHEE_VERSION:-0.24.2}
RUMDL_VERSION=${RUMDL_VERSION:-0.3.2}
RUNS=${RUNS:-10}
tools=${TOOLS:-$repo/target/bench-tools}
out=$repo/target/bench
corpus=$repo/target/corpus

if [ ! -f ../shared/corpus/sentinel-ninja-2026-08-14.tar.gz ]; then
  echo "../shared/corpus is absent: there is nothing to benchmark" >&2
  exit 1
fi
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine" >&2; exit 1; }
mkdir -p "$out" "$corpus"
../shared/corpus/unpack.sh "$corpus" >/dev/null
cargo build --release --quiet
[ -x "$tools/bin/lychee" ] || cargo install --quiet --locked --root "$tools" "lychee@$LYCHEE_VERSION"
[ -x "$tools/bin/rumdl" ] || cargo install --quiet --locked --root "$tools" "rumdl@$RUMDL_VERSION"

reftree=$repo/target/release/reftree
echo "machine: $(nproc) cores; $("$tools/bin/lychee" --version); $("$tools/bin/rumdl" --version)"
for tree in sentinel-ninja-2025-12-31 sentinel-ninja-2026-08-14; do
  dir=$corpus/$tree
  cd "$dir"
  hyperfine --style basic --warmup 2 --runs "$RUNS" -i --export-json "$out/$tree.json" \
    -n cat "find . -name '*.md' -print0 | xargs -0 cat > /dev/null" \
    -n reftree "$reftree check --root . --format short -q --no-cache > /dev/null" \
    -n reftree-preset "$reftree check --root . --format short -q --no-cache --preset sentinel-ninja > /dev/null" \
    -n lychee "$tools/bin/lychee --offline --include-fragments --no-progress . > /dev/null" \
    -n rumdl "$tools/bin/rumdl check --no-config --no-cache --enable MD042,MD051,MD052,MD057 . > /dev/null" \
    > "$out/$tree.log"
  mem=$( { /usr/bin/time -f %M "$reftree" check --root . --format short -q --no-cache --preset sentinel-ninja > /dev/null || true; } 2>&1 | tail -n 1)
  echo "$mem" > "$out/$tree.rss"
  cd "$repo"
done

python3 - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
print("| tree | cat (floor) | reftree | / cat | reftree --preset | / cat | lychee | lychee / reftree | rumdl | rumdl / reftree | peak RSS (preset) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for tree in ["sentinel-ninja-2025-12-31", "sentinel-ninja-2026-08-14"]:
    r = {x["command"]: x for x in json.loads((out / f"{tree}.json").read_text())["results"]}
    m = {k: v["median"] for k, v in r.items()}
    rss = int((out / f"{tree}.rss").read_text()) / 1024
    f = lambda s: f"{s*1000:.0f} ms"
    print(f"| {tree} | {f(m['cat'])} | {f(m['reftree'])} | {m['reftree']/m['cat']:.2f}x | {f(m['reftree-preset'])} | {m['reftree-preset']/m['cat']:.2f}x | {f(m['lychee'])} | {m['lychee']/m['reftree']:.1f}x | {f(m['rumdl'])} | {m['rumdl']/m['reftree']:.1f}x | {rss:.0f} MB |")
PY
