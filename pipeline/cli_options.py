"""The options shared by ``run`` and ``check`` (and some by the other commands): parsed here,
passed to the library by :mod:`pipeline.cli`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pipeline.config import KEEP_POLICIES
from pipeline.layout import INDEX_FILE
from pipeline.rules import FIX_LEVELS

RAW_DIR = click.argument(
    "raw_dir", default="raw", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
OUT = click.option(
    "--out",
    "out_dir",
    default="cleaned",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder.",
)
CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Config file (pipeline.toml, or a pyproject.toml with [tool.pipeline]). "
    "Default: the first found from the working directory upwards.",
)
JOBS = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 1024),
    default=None,
    help="Worker processes (default from config, else 1; at most the CPU count unless "
    "--force-jobs). Output is identical for any value.",
)
QUIET = click.option("--quiet", "-q", is_flag=True, help="Print only problems and errors.")
FIX_LEVEL = click.option(
    "--fix-level",
    type=click.Choice(FIX_LEVELS),
    default=None,
    help="Least confidence of the repairs applied: 'probable' (the default: certain and "
    "probable) or 'certain' (probable repairs become flags). Overrides the config.",
)


_keep = click.option(
    "--keep",
    type=click.Choice(KEEP_POLICIES),
    default=None,
    help="Which copy of a repeated paragraph is kept: the 'first' (in source path order, the "
    "default) or the 'longest'. Overrides the config.",
)


_keep_furniture = click.option(
    "--keep-furniture/--drop-furniture",
    "keep_furniture",
    default=None,
    help="Keep page furniture (breadcrumbs, navigation, adverts, meta lines, boilerplate) in the "
    "records with its kind as the role, or move it to dropped.jsonl (the default). Overrides "
    "the config.",
)


_review = click.option(
    "--review",
    "review_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Review file of editors' decisions (default: [review] file of the config, "
    "review.toml beside the config file; a missing default file means no decisions).",
)


_index = click.option(
    "--index",
    "index_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Fingerprint index (SQLite). Default: OUT_DIR/{INDEX_FILE}.",
)
_no_index = click.option(
    "--no-index", is_flag=True, help="Neither read nor write the index: a full run over RAW_DIR."
)
_rebuild = click.option(
    "--rebuild",
    is_flag=True,
    help="Ignore the index: process every file in RAW_DIR, forget files no longer there, and "
    "write the index anew.",
)


_engine = click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default=None,
    help="Run the per-article stage in local worker processes (the default) or on Ray "
    "(pip install 'career-article-pipeline[ray]'); the output is the same.",
)
SEGMENTER = click.option(
    "--segmenter",
    type=click.Choice(["jieba", "rjieba"]),
    default=None,
    help="Segment Chinese with jieba (the default), or find jieba's routes with rjieba and do "
    "the rest as jieba does (the same tokens, about 3x faster; pip install "
    "'career-article-pipeline[fast]'; not with user words). Overrides the config's "
    "segmentation.segmenter.",
)
_address = click.option(
    "--address",
    "ray_address",
    default=None,
    help="With --engine ray: the Ray cluster to use (default: a new local instance with "
    "--jobs CPUs).",
)


_format = click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "parquet"]),
    default="jsonl",
    show_default=True,
    help="Record files as JSON lines, or as Parquet (en/zh/other/dropped.parquet, the same "
    "fields; needs pyarrow: pip install 'career-article-pipeline[parquet]').",
)


_force_jobs = click.option(
    "--force-jobs",
    is_flag=True,
    help="Run as many local worker processes as --jobs says even above the CPU count (by "
    "default --jobs is capped at it, with a warning).",
)


_wait = click.option(
    "--wait/--no-wait",
    default=None,
    help="When another run holds OUT_DIR: wait for it (the default), or stop at once (exit 6). "
    "Overrides the config's 'wait'.",
)


_follow_links = click.option(
    "--follow-links/--no-follow-links",
    default=None,
    help="Read files and folders that symbolic links in RAW_DIR lead to outside it (by default "
    "each such link is skipped with a warning). Overrides the config's input.follow_links.",
)


def run_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a command with every option of ``run`` and ``check``."""
    for decorate in (
        _follow_links,
        _wait,
        _force_jobs,
        _address,
        _engine,
        SEGMENTER,
        _format,
        QUIET,
        _rebuild,
        _no_index,
        _index,
        _review,
        _keep_furniture,
        _keep,
        FIX_LEVEL,
        JOBS,
        CONFIG,
        OUT,
        RAW_DIR,
    ):
        command = decorate(command)
    return command
