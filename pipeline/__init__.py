"""Clean scraped English and Chinese career articles into structured, auditable records.

Library entry points: :func:`load_config`, :func:`run_pipeline`, :func:`render_outputs`,
:func:`write_outputs` and :func:`compare_outputs`. The ``pipeline`` command is a thin layer over
them.
"""

from pipeline.config import Config, ConfigError, load_config
from pipeline.output import compare_outputs, render_outputs, write_outputs
from pipeline.runner import RunResult, run_pipeline
from pipeline.version import SCHEMA_VERSION, __version__

__all__ = [
    "SCHEMA_VERSION",
    "Config",
    "ConfigError",
    "RunResult",
    "__version__",
    "compare_outputs",
    "load_config",
    "render_outputs",
    "run_pipeline",
    "write_outputs",
]
