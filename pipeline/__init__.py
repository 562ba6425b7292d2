"""Clean scraped English and Chinese career articles into structured, auditable records.

Library entry points: :func:`load_config`, :func:`run_pipeline`, :func:`save_run` (write a
run's outputs into a folder), :func:`compare_run` (what differs from them), :func:`render_outputs`
(the outputs as bytes, for small runs), :func:`write_outputs` and :func:`compare_outputs`;
:class:`Resources` keeps jieba and langdetect loaded across the runs of a long-lived program. The
``pipeline`` command is a thin layer over them. They are imported on first use, so that
``import pipeline`` (and ``pipeline --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from pipeline.version import SCHEMA_VERSION, __version__

_EXPORTS = {
    "Config": "pipeline.config",
    "ConfigError": "pipeline.config",
    "load_config": "pipeline.config",
    "compare_outputs": "pipeline.output",
    "compare_run": "pipeline.output",
    "save_run": "pipeline.output",
    "render_outputs": "pipeline.output",
    "write_outputs": "pipeline.output",
    "Resources": "pipeline.resources",
    "RunResult": "pipeline.result",
    "run_pipeline": "pipeline.runner",
}

__all__ = ["SCHEMA_VERSION", "__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    """Import the module of a library entry point when it is first asked for."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
