"""Shared fixtures: paths, the shared data directory, the spaCy pipeline (loaded once), free ports."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only shared data directory; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (it holds the seeds, benchmark and evaluation data)")
    return SHARED


@pytest.fixture(scope="session")
def seeds(shared: Path) -> Path:
    return shared / "seeds"


@pytest.fixture(scope="session")
def nlp():
    """The English pipeline with the authority ruler, loaded once per test session."""
    from enrich.nlp import load_nlp

    return load_nlp()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A realistic generated tracker database (about 1,500 fines), one per test module."""
    from tests.sample_tracker import build_sample_database

    return build_sample_database(tmp_path_factory.mktemp("tracker") / "tracker.db")


@pytest.fixture(scope="module")
def served(sample):
    """`enrich serve` over the sample database on a free loopback port; yields the base URL."""
    from tests.sample_tracker import serve

    with serve(sample.path) as base:
        yield base


@pytest.fixture(scope="module")
def db(sample):
    connection = sqlite3.connect(sample.path)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()
