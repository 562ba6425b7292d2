"""The Ray engine gives the local engine's output byte for byte, on a local Ray instance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO

from pipeline.config import Config
from pipeline.output import render_outputs
from pipeline.runner import run_pipeline

pytest.importorskip("ray", reason="Ray is not installed (extra [ray])")


def _corpus(folder: Path) -> Path:
    """150 articles (more than two chunks of work), in both languages, with repeats."""
    lines = []
    seeds = [
        (REPO / "raw" / name).read_text("utf-8")
        for name in sorted(p.name for p in (REPO / "raw").iterdir())
    ]
    for number in range(150):
        text = seeds[number % len(seeds)]
        paragraphs = [p for p in text.split("\n") if p.strip()]
        start = number % 5
        lines.append(
            json.dumps(
                {"id": f"n{number}", "paragraphs": paragraphs[start : start + 6]},
                ensure_ascii=False,
            )
        )
    (folder / "docs.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


@pytest.mark.slow
def test_ray_gives_the_local_output_byte_for_byte(tmp_path: Path) -> None:
    raw = _corpus(tmp_path)
    local = render_outputs(run_pipeline(raw, Config().with_jobs(2)), Config())
    on_ray = render_outputs(run_pipeline(raw, Config().with_jobs(2).with_engine("ray")), Config())
    assert on_ray == local
    assert local["dropped.jsonl"]  # the corpus has repeats: dedup took part
