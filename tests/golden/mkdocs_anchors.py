#!/usr/bin/env python3
"""Writes mkdocs_anchors.jsonl: random heading texts and the anchors the
real tools make of them, for tests/anchors.rs. Run it again to refresh:

    python3 -m venv /tmp/pmd && /tmp/pmd/bin/pip install markdown pymdown-extensions
    /tmp/pmd/bin/python tests/golden/mkdocs_anchors.py > tests/golden/mkdocs_anchors.jsonl

Each line: {"text": ..., "anchors": [toc.slugify "-", toc.slugify_unicode "-",
toc.slugify "_", pymdownx.slugs.slugify(case="lower") "-",
pymdownx.slugs.slugify() "-"], "versions": ...} (versions on the first line).
"""
import json
import random

import markdown
import pymdownx
from markdown.extensions.toc import slugify
from pymdownx.slugs import slugify as pymdownx_slugify

random.seed(2026)
# ASCII letters, digits and punctuation; spacing of several kinds; accents
# precomposed and combining; letters that fold or lowercase specially;
# CJK, Devanagari (with a mark), emoji, a variation selector; numbers of
# other scripts.
pieces = list("abcXYZ019 _-.,&:;!?()[]{}'\"/\\#@$%^*+=<>|~`\t") + [
    "\u00a0", "\u2014", "\u00e9", "e\u0301", "\u00df", "\u0130", "\u03a3",
    "\u4e2d", "\u0915\u093f", "\U0001F600", "\ufe0f", "\x1c", "\u2028",
    "\u00bd", "\u2163", "\u0660", "\u00aa", "\ufb01", "\u212b", "  ",
]
lower = pymdownx_slugify(case="lower")
keep = pymdownx_slugify()
print(json.dumps({"versions": {"markdown": markdown.__version__,
                               "pymdown-extensions": pymdownx.__version__}}))
for _ in range(500):
    text = "".join(random.choice(pieces) for _ in range(random.randint(0, 14)))
    anchors = [slugify(text, "-"), slugify(text, "-", True), slugify(text, "_"),
               lower(text, "-"), keep(text, "-")]
    print(json.dumps({"text": text, "anchors": anchors}))
