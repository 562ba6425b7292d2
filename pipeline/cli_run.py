"""What ``run`` and ``check`` share: loading the config and decisions, the index's path and
the index, the output folder's lock, the engine and the run itself with its progress bar and
problem lines. Command-line glue only: every decision is the library's."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline.cli_review import EXIT_USAGE
from pipeline.config import Config, ConfigError, load_config
from pipeline.layout import INDEX_FILE
from pipeline.textsafe import printable_name

if TYPE_CHECKING:  # the heavy modules load when a command runs, so that --help stays fast
    from pipeline.index import FingerprintIndex
    from pipeline.outset import OutputSet
    from pipeline.result import RunResult
    from pipeline.review.decisions import DecisionSet

EXIT_BUSY = 6  # OUT_DIR held by another run, with --no-wait


def load_settings(
    raw_dir: Path,
    out_dir: Path,
    config_path: Path | None,
    jobs: int | None,
    fix_level: str | None = None,
    keep: str | None = None,
    keep_furniture: bool | None = None,
    review_path: Path | None = None,
) -> tuple[Config, DecisionSet]:
    """The config (file and options) and the review decisions, or a usage error (exit 2)."""
    from pipeline.review.decisions import DecisionSet, ReviewError, load_decisions
    from pipeline.rules import rejectable_rules

    for path in (raw_dir, out_dir):
        try:
            path.resolve()
        except (RuntimeError, OSError):  # a loop of symbolic links
            where = printable_name(str(path))
            click.echo(f"Error: {where}: cannot resolve the path (a loop of links?)", err=True)
            sys.exit(EXIT_USAGE)
    if out_dir.resolve() == raw_dir.resolve():
        click.echo(
            "Error: OUT_DIR must not be RAW_DIR (the outputs would be read as input)", err=True
        )
        sys.exit(EXIT_USAGE)
    try:
        config = load_config(config_path).with_jobs(jobs).with_fix_level(fix_level)
        config = config.with_keep(keep).with_keep_furniture(keep_furniture)
        config = config.with_review_file(None if review_path is None else str(review_path))
        review_file = Path(config.review.file)
        if review_path is None and not review_file.exists():
            return config, DecisionSet()
        return config, load_decisions(
            review_file, rejectable_rules(r.name for r in config.repair.user_rules)
        )
    except (ConfigError, ReviewError) as exc:
        click.echo(f"Error: {printable_name(str(exc))}", err=True)
        sys.exit(EXIT_USAGE)


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or inside it (links resolved)."""
    return path.resolve().is_relative_to(folder.resolve())


def index_path_of(
    raw_dir: Path, out_dir: Path, index_path: Path | None, no_index: bool
) -> Path | None:
    """The index's path (``None`` with --no-index), or a usage error when it is an input or a
    file the tool did not make (it is never written over, even with --rebuild)."""
    from pipeline.index import not_an_index

    if no_index:
        return None
    path = index_path or out_dir / INDEX_FILE
    if inside(path, raw_dir) and not inside(path, out_dir):
        where = printable_name(str(path))
        click.echo(f"Error: --index {where} is inside RAW_DIR: not written", err=True)
        sys.exit(EXIT_USAGE)
    reason = not_an_index(path)
    if reason is not None:
        where = printable_name(str(path))
        click.echo(f"Error: index {where} {reason}: refusing to write over it", err=True)
        sys.exit(EXIT_USAGE)
    return path


def open_index(path: Path | None, rebuild: bool, config: Config) -> FingerprintIndex | None:
    """The index at ``path`` (checked by :func:`index_path_of`), read."""
    from pipeline.index import FingerprintIndex

    if path is None:
        return None
    index = FingerprintIndex(path, config)
    if rebuild:
        index.forget_all()
    return index


@contextlib.contextmanager
def locked(out_dir: Path, exclusive: bool, no_wait: bool) -> Iterator[None]:
    """Hold OUT_DIR's lock (a run's is exclusive, a check's shared), saying so when waiting;
    exit 6 at once with --no-wait when another run holds it. First, when OUT_DIR is missing
    because a run was killed while moving its set in (where folders cannot be swapped), the
    previous set is put back: it is what OUT_DIR held."""
    from pipeline.lock import FolderBusy, folder_lock
    from pipeline.outset import recover

    def waiting() -> None:
        where = printable_name(str(out_dir))
        click.echo(f"waiting for the run that holds {where} (--no-wait to stop instead)", err=True)

    recovered = recover(out_dir)
    if recovered is None:  # a run is between its two renames: OUT_DIR is back in a moment
        if no_wait:
            click.echo(f"Error: {printable_name(str(out_dir))} is in use by another run", err=True)
            sys.exit(EXIT_BUSY)
        waiting()
        while recovered is None:
            time.sleep(0.1)
            recovered = recover(out_dir)
    if recovered:
        where = printable_name(str(out_dir))
        click.echo(f"{where}: put back the output set a killed run had moved aside", err=True)

    try:
        with folder_lock(out_dir, exclusive, not no_wait, waiting):
            yield
    except FolderBusy:
        click.echo(f"Error: {printable_name(str(out_dir))} is in use by another run", err=True)
        sys.exit(EXIT_BUSY)


def new_output_set(out_dir: Path) -> OutputSet:
    """Remove what a killed run left in and beside OUT_DIR (call it holding OUT_DIR's lock),
    and make the folder the new set is written in, saying so when it can only be replaced
    file by file."""
    from pipeline import lock, outset

    lock.remove_leftovers(out_dir)
    _, kept = outset.remove_leftovers(out_dir)
    for name in kept:
        where = printable_name(str(out_dir.parent / name))
        click.echo(
            f"warning: {where}: a folder an earlier run left beside OUT_DIR, kept: what it "
            "holds of yours could not be moved back into OUT_DIR",
            err=True,
        )
    output = outset.OutputSet(out_dir)
    if not output.atomic:
        click.echo(f"warning: output files replaced one by one: {output.why}", err=True)
    return output


def warn_output(output: OutputSet, atomic_before: bool) -> None:
    """Say what the set's commit could not do: files of the user's it could not move into the
    new set (left beside OUT_DIR), or a swap it had to give up."""
    if atomic_before and not output.atomic:
        click.echo(f"warning: output files replaced one by one: {output.why}", err=True)
    if output.stayed and output.stayed_in is not None:
        names = ", ".join(printable_name(name) for name in output.stayed)
        where = printable_name(str(output.stayed_in))
        click.echo(f"warning: kept in {where}, not moved into OUT_DIR: {names}", err=True)


def warn_damaged(index: FingerprintIndex | None) -> None:
    """Say which index entries were damaged (their files were processed again; the index is
    not an input, so this is no problem of the run's)."""
    for path in sorted(index.damaged if index is not None else ()):
        reason = "its index entry is damaged (it fails its checksum): processed again"
        click.echo(f"{printable_name(path)}: warning: {reason}", err=True)


def need_format(output_format: str) -> None:
    """Stop with a usage error before the run when the format's library is missing."""
    if output_format == "parquet":
        try:
            import pyarrow  # noqa: F401  (only to say clearly that it is missing)
        except ModuleNotFoundError:
            click.echo(
                "Error: --format parquet needs pyarrow: "
                "pip install 'career-article-pipeline[parquet]'",
                err=True,
            )
            sys.exit(EXIT_USAGE)


def with_engine(
    config: Config, engine: str | None, address: str | None, force_jobs: bool = False
) -> Config:
    """The config with the engine and address, and --jobs capped at the CPU count for a local
    run unless forced; a usage error when the engine's library is missing."""
    config = config.with_engine(engine, address)
    cpus = os.cpu_count() or 1
    if config.engine == "local" and config.jobs > cpus and not force_jobs:
        click.echo(
            f"warning: {config.jobs} jobs on {cpus} CPUs: running {cpus} (--force-jobs to run "
            "more)",
            err=True,
        )
        config = config.with_jobs(cpus)
    if config.engine == "ray":
        try:
            import ray  # noqa: F401  (only to say clearly that it is missing)
        except ModuleNotFoundError:
            click.echo(
                "Error: --engine ray needs Ray: pip install 'career-article-pipeline[ray]'",
                err=True,
            )
            sys.exit(EXIT_USAGE)
    return config


def with_segmenter(config: Config, segmenter: str | None) -> Config:
    """The config with --segmenter when given, or a usage error when it cannot run so."""
    from pipeline.config_checks import validate_segmenter

    config = config.with_segmenter(segmenter)
    try:
        validate_segmenter(config, "--segmenter")
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    return config


def stderr_is_terminal() -> bool:
    """Whether a progress bar can be drawn."""
    return sys.stderr.isatty()


def run_with_progress(
    where: tuple[Path, Path, Path | None, bool],
    config: Config,
    quiet: bool,
    index: FingerprintIndex | None,
    decisions: DecisionSet,
) -> RunResult:
    """Run the pipeline (with a progress bar on a terminal) and print its problems and the
    review decisions that did not apply. ``where``: RAW_DIR, OUT_DIR, the work folder's parent
    (``None``: the system's temporary folder) and whether to follow links out of RAW_DIR."""
    from pipeline.report import problem_line, review_line
    from pipeline.runner import run_pipeline

    raw_dir, out_dir, work_dir, follow_links = where
    if quiet or not stderr_is_terminal():
        result = run_pipeline(
            raw_dir,
            config,
            out_dir=out_dir,
            index=index,
            decisions=decisions,
            work_dir=work_dir,
            follow_links=follow_links,
        )
    else:
        with contextlib.ExitStack() as stack:
            bars: list[Any] = []

            def start(total: int) -> None:
                bar = click.progressbar(length=total, label="files", file=sys.stderr)
                bars.append(stack.enter_context(bar))

            def advance(done: int) -> None:
                bars[0].update(done)

            result = run_pipeline(
                raw_dir, config, advance, start, out_dir, index, decisions, work_dir, follow_links
            )
    for problem in result.problems:
        click.echo(problem_line(problem, raw_dir), err=True)
    for outcome in result.review:
        if not outcome.outcome.startswith("applied"):
            click.echo(review_line(outcome, decisions.name), err=True)
    return result
