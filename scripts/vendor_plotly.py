"""Vendor plotly.js's cartesian bundle into static/vendor/plotly/, with the stylesheet it would inject at run time.

Our CSP allows styles from our own files only (``style-src 'self'``), so plotly's habit of adding a ``<style>``
element to the page is refused. plotly skips that step when an element with the id ``plotly.js-style-global`` and
the class ``no-inline-styles`` is on the page; our chart pages carry a ``<link>`` to the stylesheet this script
writes, with that id and class. The rules are read from the bundle itself, so the two always match.

Usage (needs npm, once per plotly.js upgrade; the result is committed)::

    npm pack plotly.js-cartesian-dist-min@<version>  &&  tar xzf plotly.js-cartesian-dist-min-<version>.tgz
    python scripts/vendor_plotly.py package/plotly-cartesian.min.js package/LICENSE
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "static" / "vendor" / "plotly"
STRING = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"


def _text(literal: str) -> str:
    return literal[1:-1].replace("\\'", "'").replace('\\"', '"')


def plotly_rules(bundle: str) -> list[tuple[str, str]]:
    """The (selector, declarations) pairs plotly would insert, with its X / Y placeholders expanded."""
    names = re.search(r'replace\(/\^,/," ,"\)\.replace\(/X/g,"([^"]+)"\)\.replace\(/Y/g,"([^"]+)"\)', bundle)
    loop = re.search(r"\}\s*;\s*for\(\w+ in \w+\)\w+=\w+\.replace\(/\^,/", bundle)
    start = bundle.rfind('={"X', 0, loop.start()) if loop else -1
    if names is None or loop is None or start < 0:
        raise SystemExit("plotly's style table was not found in this bundle: check the script against its source")
    table = bundle[start + 1 : loop.start() + 1]
    pair = r"(?:(" + STRING + r")|([A-Za-z_$][\w$]*))\s*:\s*(" + STRING + r")"  # a key may be a bare name
    pairs = [(_text(quoted) if quoted else bare, _text(value)) for quoted, bare, value in re.findall(pair, table)]
    plot, notifier = names.groups()
    return [(re.sub("^,", " ,", key).replace("X", plot).replace("Y", notifier), value) for key, value in pairs]


def main(bundle_path: str, license_path: str) -> None:
    bundle = Path(bundle_path).read_text(encoding="utf-8")
    version = re.search(r"plotly\.js[^\n]*? v(\d+\.\d+\.\d+)", bundle[:400])
    rules = plotly_rules(bundle)
    css = [f"/* plotly.js v{version.group(1) if version else '?'}: the rules it would inject, served as a file. */"]
    css += [f"{selector} {{{declarations}}}" for selector, declarations in rules]
    TARGET.mkdir(parents=True, exist_ok=True)
    (TARGET / "plotly-rules.css").write_text("\n".join(css) + "\n", encoding="utf-8")
    shutil.copyfile(bundle_path, TARGET / "plotly-cartesian.min.js")
    shutil.copyfile(license_path, TARGET / "LICENSE")
    sys.stdout.write(f"{len(rules)} rules, bundle {len(bundle) // 1024} KiB -> {TARGET}\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
