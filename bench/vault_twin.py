#!/usr/bin/env python3
"""The Markdown twin of a generated vault, to time wiki links against
Markdown links on the same pages (issue 11):

    REFTREE_SHAPE_DIR=/tmp/v10k REFTREE_VAULT_NOTES=10000 \\
        cargo test --release --test vault write_vault -- --ignored
    python3 bench/vault_twin.py /tmp/v10k /tmp/v10k-md

Every `[[Note]]`, `[[Note|alias]]`, `[[Note#Heading]]`, `[[#Heading]]` and
`![[image.png]]` of SRC becomes the Markdown link GitHub resolves to the same
file and heading (`[alias](Note%20x.md#heading)`); a block link
(`#^id`) becomes a link to the note's title; a note embed
(`![[Note#Notes]]`) a link. `.obsidian/` is left out, so DST is checked as
GitHub renders it, with as many links as SRC and no finding.
"""
import os
import re
import shutil
import sys
import urllib.parse


def slug(heading):
    """GitHub's anchor for the plain headings the vault generator writes."""
    s = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return s.replace(" ", "-")


def main(src, dst):
    shutil.rmtree(dst, ignore_errors=True)
    notes = {}
    for d, _, files in os.walk(src):
        for f in files:
            if f.endswith(".md"):
                rel = os.path.relpath(os.path.join(d, f), src)
                notes[f[:-3].lower()] = rel
                notes[rel[:-3].lower()] = rel

    def link(m, here):
        embed, body = m.group(1), m.group(2)
        target, _, alias = body.partition("|")
        note, _, frag = target.partition("#")
        base = os.path.dirname(here) or "."
        if embed and "." in note:
            path = os.path.relpath("attachments/" + note, base)
            return f"![{note}]({urllib.parse.quote(path)})"
        dest = ""
        if note:
            dest = urllib.parse.quote(os.path.relpath(notes[note.lower()], base))
        parts = [p for p in frag.split("#") if p.strip()]
        if parts:
            last = parts[-1]
            if last.startswith("^"):
                last = os.path.basename(notes[note.lower()])[:-3]
            dest += "#" + slug(last)
        return f"[{alias or note or parts[-1]}]({dest})"

    for d, _, files in os.walk(src):
        rd = os.path.relpath(d, src)
        if rd.split(os.sep)[0] == ".obsidian":
            continue
        os.makedirs(os.path.join(dst, rd), exist_ok=True)
        for f in files:
            s, t = os.path.join(d, f), os.path.join(dst, rd, f)
            if not f.endswith(".md"):
                shutil.copy(s, t)
                continue
            here = os.path.normpath(os.path.join(rd, f))
            with open(s, encoding="utf-8") as fh:
                text = fh.read()
            text = re.sub(r"(!?)\[\[([^\]]*)\]\]", lambda m: link(m, here), text)
            with open(t, "w", encoding="utf-8") as fh:
                fh.write(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
