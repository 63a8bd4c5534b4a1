#!/usr/bin/env python3
"""Random edits to a copy of a real tree, each round's cached run compared
with an uncached one (issue 13: the caches change no finding).

    python3 bench/edits.py TREE ROUNDS [reftree check options...]
    python3 bench/edits.py ../shared/corpus/... 8
    SEED=3 python3 bench/edits.py /path/to/vault 8 --dialect obsidian

TREE is copied to a temporary folder (left as it was), its files and
folders dated an hour back (their stamps are trusted). Each round edits
one to three pages: a heading renamed or removed, broken wiki and Markdown
links added, `aliases` added, a section added, a page added or deleted.
Then a run with the caches (partial where the tree allows it) and one
without them; their JSON must be the same. Prints each round's summary
line; exits 1 if any round differed.
"""
import os, pathlib, random, shutil, subprocess, sys, tempfile, time, re
B = str(pathlib.Path(__file__).resolve().parent.parent / "target/release/reftree")
src, rounds, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
work = tempfile.mkdtemp(prefix="ve-"); root = os.path.join(work, "t")
shutil.copytree(src, root, symlinks=True)
cache = tempfile.mkdtemp(prefix="vc-")
hour = time.time() - 3600
def age(p): os.utime(p, (hour, hour), follow_symlinks=False)
for d, _, fs in os.walk(root):
    age(d)
    for f in fs: age(os.path.join(d, f))
pages = [os.path.join(d, f) for d, _, fs in os.walk(root) if "/.git" not in d for f in fs if f.lower().endswith(".md")]
rng = random.Random(int(os.environ.get("SEED", "7")))
def run(*a):
    p = subprocess.run([B, "check", "--root", root, "--format", "json", *a, *extra], capture_output=True)
    return p.stdout, p.stderr.decode()
run("--cache-dir", cache)
bad = 0
for r in range(rounds):
    for _ in range(rng.choice([1, 1, 2, 3])):
        p = rng.choice(pages)
        try: t = open(p, encoding="utf-8").read()
        except Exception: continue
        k = rng.randrange(7)
        if k == 5:
            d = os.path.dirname(p); q = os.path.join(d, "new-%d.md" % rng.randrange(1000))
            open(q, "w").write("# New\n\n[x](%s) [[%s]]\n" % (os.path.basename(p).replace(" ", "%20"), os.path.basename(p)[:-3]))
            age(q); pages.append(q); continue
        if k == 6 and len(pages) > 3:
            os.remove(p); pages.remove(p); continue
        heads = re.findall(r"(?m)^#{1,6} .+$", t)
        if k == 0 and heads:
            h = rng.choice(heads); t = t.replace(h, h + " renamed", 1)
        elif k == 1:
            t += "\n[[Nope note#x]] [[%s#Nowhere]]\n" % os.path.basename(rng.choice(pages))[:-3]
        elif k == 2:
            t = "---\naliases: [%s]\n---\n" % rng.choice(["Home", "Zed", os.path.basename(rng.choice(pages))[:-3]]) + t
        elif k == 3 and heads:
            t = t.replace(rng.choice(heads), "", 1)
        else:
            t += "\n## Added here\n\n[x](#added-here) [[#Added here]]\n"
        open(p, "w", encoding="utf-8").write(t); age(p)
    a, err = run("--cache-dir", cache)
    b, _ = run("--no-cache")
    summary = [l for l in err.splitlines() if l.startswith("checked")]
    same = a == b
    bad += not same
    print(("same" if same else "DIFF"), summary[-1][:140] if summary else err[-200:])
shutil.rmtree(work); shutil.rmtree(cache)
sys.exit(1 if bad else 0)
