"""The committed front-end bundle was built from the current sources.

`make frontend` writes `indie_label_svelte/public/build-hash.txt`, a fingerprint of the source
inputs computed by `indie_label_svelte/scripts/build-hash.mjs`. This test recomputes it the same way:
the inputs are every file under src/, index.html, package.json, package-lock.json, vite.config.* and
tsconfig*.json, named by their "/"-separated path relative to indie_label_svelte/ and sorted by it;
the fingerprint is the SHA-256 of one line per input, "<path> <SHA-256 of its bytes>\\n".
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[1] / "indie_label_svelte"
TOP_LEVEL_INPUT = re.compile(r"index\.html|admin\.html|package\.json|package-lock\.json|vite\.config\..+|tsconfig.*\.json")


def source_inputs(root: Path) -> list[str]:
    top_level = [path for path in root.iterdir() if path.is_file() and TOP_LEVEL_INPUT.fullmatch(path.name)]
    sources = [path for path in (root / "src").rglob("*") if path.is_file()]
    return sorted((path.relative_to(root).as_posix() for path in top_level + sources), key=str.encode)


def build_hash(root: Path) -> str:
    listing = "".join(
        f"{path} {hashlib.sha256((root / path).read_bytes()).hexdigest()}\n" for path in source_inputs(root)
    )
    return hashlib.sha256(listing.encode()).hexdigest()


def test_source_inputs_cover_the_build_configuration():
    inputs = source_inputs(FRONTEND)
    for required in ("index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json",
                     "src/main.ts", "src/App.svelte"):
        assert required in inputs
    assert not any(path.startswith(("public/", "node_modules/")) for path in inputs)


def test_build_hash_changes_when_a_source_changes(tmp_path):
    root = tmp_path / "frontend"
    (root / "src").mkdir(parents=True)
    (root / "index.html").write_text("<div id=app></div>")
    (root / "src" / "main.ts").write_text("console.log(1)")
    before = build_hash(root)
    (root / "src" / "main.ts").write_text("console.log(2)")
    assert build_hash(root) != before


def test_committed_bundle_matches_the_sources():
    recorded_file = FRONTEND / "public" / "build-hash.txt"
    if not recorded_file.is_file():
        pytest.fail("indie_label_svelte/public/ has no build-hash.txt: rebuild with `make frontend`")
    recorded = recorded_file.read_text().strip()
    assert recorded == build_hash(FRONTEND), (
        "the front-end bundle in indie_label_svelte/public/ is stale: rebuild with `make frontend`"
    )
    assert (FRONTEND / "public" / "index.html").is_file(), "no index.html in the bundle: rebuild with `make frontend`"
