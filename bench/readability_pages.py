"""Turn Mozilla Readability's test pages into an extraction data set for ``bench/extraction.py``.

    git clone https://github.com/mozilla/readability /tmp/readability
    .venv/bin/python bench/readability_pages.py /tmp/readability bench/data/readability-pages
    .venv/bin/python bench/extraction.py --repeat 3 --data bench/data/readability-pages

Each ``test/test-pages/<name>/source.html`` becomes ``html/<id>.html.gz`` (id: SHA-256 of the
path; gzip without a timestamp, so a rebuild from the same commit is byte-identical), and the text
of ``expected.html`` (rendered with this project's renderer) its ``articleBody``; pages whose
expected text is under 200 characters are left out. The pages are Apache-2.0 (the repository's
licence): ``LICENSE`` and ``NOTICE`` are copied unchanged next to them. The set is vendored in
``bench/data/readability-pages`` (from commit ab4027a8, see its README). Their expected text is
what Readability.js returns, so the set leans towards Readability's choices (captions, tables of
contents, "Read more" lines and author bios kept).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from monitor.extract.layout import render  # noqa: E402

MIN_TEXT = 200


def _show(clone: Path, path: str) -> bytes | None:
    command = ["git", "-C", str(clone), "show", f"HEAD:{path}"]
    found = subprocess.run(command, capture_output=True, check=False)
    return found.stdout if found.returncode == 0 else None


def build(clone: Path, target: Path) -> int:
    """Write the data set; return how many pages it holds."""
    listing = subprocess.run(["git", "-C", str(clone), "ls-tree", "--name-only", "HEAD", "test/test-pages/"],
                             capture_output=True, text=True, check=True).stdout.split()
    (target / "html").mkdir(parents=True, exist_ok=True)
    truth: dict[str, dict[str, str]] = {}
    for page in listing:
        source, expected = _show(clone, f"{page}/source.html"), _show(clone, f"{page}/expected.html")
        if not source or not expected:
            continue
        body = LexborHTMLParser(expected.decode("utf-8", "replace")).body
        text = "\n\n".join(render(body)) if body is not None else ""
        if len(text) < MIN_TEXT:
            continue
        key = hashlib.sha256(page.encode()).hexdigest()
        (target / "html" / f"{key}.html.gz").write_bytes(gzip.compress(source, mtime=0))
        truth[key] = {"articleBody": text, "url": "", "name": page.rsplit("/", 1)[-1]}
    text = json.dumps(truth, ensure_ascii=False, indent=1)
    (target / "ground-truth.json").write_text(text, encoding="utf-8")
    for licence, name in (("LICENSE.md", "LICENSE"), ("NOTICE", "NOTICE")):
        found = _show(clone, licence)
        if found is None:
            raise SystemExit(f"{licence} missing in {clone}: the pages may not be copied without it")
        (target / name).write_bytes(found)
    return len(truth)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clone", type=Path, help="a git clone of github.com/mozilla/readability")
    parser.add_argument("target", type=Path, help="directory to write html/ and ground-truth.json to")
    args = parser.parse_args(argv)
    print(f"{build(args.clone, args.target)} pages written to {args.target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
