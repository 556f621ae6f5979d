"""Shared fixtures: the repository's pages, the `gleaner` command line to compare with, and
the model both run with.

Environment:
- ``GLEANER_CLI``: the `gleaner` binary (default: ``$CARGO_TARGET_DIR/release/gleaner``,
  else ``target/release/gleaner`` of this repository). Tests that compare with the command
  line are skipped when there is none, unless ``GLEANER_CLI`` is set (then it must exist).
- ``GLEANER_TEST_MODEL``: a model file for both sides (default: the built-in model).
- ``GLEANER_SHARED``: the shared data (default: ``../shared/data`` beside the repository);
  tests that need it are skipped without it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Dict, List, Optional

import pytest

import gleaner

REPO = Path(__file__).resolve().parents[2]
TRAINING = REPO / "training-data"
EXAMPLES = REPO / "python" / "examples"


def _cli_path() -> Optional[Path]:
    explicit = os.environ.get("GLEANER_CLI")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise RuntimeError(f"GLEANER_CLI={explicit} does not exist")
        return path
    candidates = []
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.append(Path(os.environ["CARGO_TARGET_DIR"]) / "release" / "gleaner")
    candidates.append(REPO / "target" / "release" / "gleaner")
    return next((c for c in candidates if c.is_file()), None)


def model_path() -> Optional[str]:
    return os.environ.get("GLEANER_TEST_MODEL") or None


def shared_data() -> Optional[Path]:
    path = Path(os.environ.get("GLEANER_SHARED") or REPO.parent / "shared" / "data")
    return path if path.is_dir() else None


class Cli:
    """The `gleaner` command line, run with the test model."""

    def __init__(self, path: Path, model: Optional[str]):
        self.path = path
        self.model = model

    def run(self, *args: str, input: Optional[bytes] = None) -> bytes:
        command = [str(self.path), *args]
        if self.model and args[0] in ("extract", "batch", "blocks"):
            command += ["--model", self.model]
        return subprocess.run(
            command, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True
        ).stdout

    def batch(self, *inputs: str, extra: tuple = ()) -> List[Dict]:
        out = self.run("batch", *inputs, "--output", "-", "--no-progress", *extra)
        return [json.loads(line) for line in out.decode("utf-8").splitlines()]


@pytest.fixture(scope="session")
def cli() -> Cli:
    path = _cli_path()
    if path is None:
        pytest.skip("no gleaner binary: build it with `cargo build --release` or set GLEANER_CLI")
    return Cli(path, model_path())


@pytest.fixture(scope="session")
def model() -> Optional[str]:
    return model_path()


@pytest.fixture(scope="session")
def extractor() -> gleaner.Extractor:
    return gleaner.Extractor(model_path())


@pytest.fixture(scope="session")
def json_extractor() -> gleaner.Extractor:
    return gleaner.Extractor(model_path(), output_format="json")


def training_pages() -> List[Path]:
    return sorted(p for p in TRAINING.rglob("*") if p.is_file() and ".htm" in p.name)


@pytest.fixture(scope="session")
def pages() -> List[Path]:
    found = training_pages()
    assert len(found) > 50, f"expected the training pages under {TRAINING}"
    return found


@pytest.fixture(scope="session")
def wcxb() -> Path:
    data = shared_data()
    if data is None or not (data / "wcxb-dev" / "html").is_dir():
        pytest.skip("the shared data (wcxb-dev) is not here")
    return data / "wcxb-dev" / "html"


def without_path(record: Dict) -> Dict:
    return {k: v for k, v in record.items() if k not in ("path", "url")}


def outcome(function, *args, **kwargs):
    """A call's result, or its error as (class name, kind, message): comparable either way."""
    try:
        return ("ok", function(*args, **kwargs))
    except gleaner.GleanerError as error:
        return (type(error).__name__, error.kind, str(error))
