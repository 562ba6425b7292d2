"""Number repair on real scraped pages (``../shared/realpages``), measured with the scorer that
ships with them: it reads only the tool's public ``scan`` output and compares it with
hand-written expectations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

REALPAGES = REPO.parent / "shared" / "realpages"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (REALPAGES / "score.py").is_file(),
        reason="the real pages (../shared/realpages) are not beside the repository",
    ),
]


def _score(scorer: str, pages: Path) -> dict[str, Any]:
    command = f"{sys.executable} -m pipeline"
    result = subprocess.run(
        [sys.executable, str(REALPAGES / scorer), str(pages), "--json", "--pipeline", command],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=600,
    )
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary


def test_number_repair_targets_on_the_real_pages() -> None:
    pages = REALPAGES / "pages"
    summary = _score("score.py", pages)
    clean_pages = len(list(pages.glob("clean-*.txt")))
    assert summary["markers_high"] >= 50  # the measure covers the expectations, not a subset
    assert summary["handled_share"] >= 0.95, summary
    assert summary["fixed_wrong"] == 0, summary
    assert summary["negatives_changed"] == 0, summary
    assert summary["clean_pages_fixes"] == 0, summary
    assert summary["clean_pages_flags"] <= clean_pages / 10, summary
