"""Shared fixtures: a throwaway raw folder and a working directory without config files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def config() -> Config:
    """The default configuration."""
    return Config()


@pytest.fixture
def raw_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty raw folder; the working directory is moved beside it, where no config is found."""
    raw = tmp_path / "raw"
    raw.mkdir()
    monkeypatch.chdir(tmp_path)
    return raw


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``content`` to ``folder/name`` (text encoded with ``encoding``)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path
