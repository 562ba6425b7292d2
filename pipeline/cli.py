"""The ``pipeline`` command: parse options, call the library, print, map results to exit codes.

Exit codes: 0 success; 1 ``check`` found differences; 2 usage or config error; 3 some inputs could
not be read (the rest were processed and written); 4 internal error (a bug); 5 the environment
failed (a folder that cannot be made or written, a full disk); 6 OUT_DIR is in use by another run
(``--no-wait``); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.cli_options import CONFIG, FIX_LEVEL, JOBS, RAW_DIR, SEGMENTER, run_options
from pipeline.cli_review import EXIT_OK, EXIT_USAGE, report, show, write_report
from pipeline.cli_run import (
    index_path_of,
    load_settings,
    locked,
    need_format,
    new_output_set,
    open_index,
    run_with_progress,
    warn_damaged,
    warn_output,
    with_engine,
    with_segmenter,
)
from pipeline.config import Config, ConfigError, load_config
from pipeline.layout import REPORT_FILE
from pipeline.textsafe import printable_name
from pipeline.version import __version__

if TYPE_CHECKING:  # the heavy modules load when a command runs, so that --help stays fast
    pass

EXIT_DIFFERENT, EXIT_INPUT_PROBLEMS, EXIT_INTERNAL, EXIT_ENVIRONMENT = 1, 3, 4, 5
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


@click.group(name="pipeline", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
def main() -> None:
    """Clean scraped English and Chinese career articles into structured records.

    Reads .txt/.md (one article each) and .jsonl (one article per line) under RAW_DIR, in any
    common encoding; repairs numbers garbled by machine translation and other damaged text,
    recording each repair and flagging what it cannot repair (review with `scan`); sets aside the
    site around each article (breadcrumbs, navigation, adverts, bylines and other meta lines,
    boilerplate) and finds its real title; labels every paragraph's language (en, zh, mixed,
    other ISO codes, und); segments Chinese with jieba; drops repeated paragraphs; writes
    en.jsonl, zh.jsonl, other.jsonl, dropped.jsonl (every paragraph set aside, with why) and
    manifest.json to the output folder.

    Editors review a run with `report` (one self-contained HTML file) and `show FILE` (one
    article in the terminal), and correct it with decisions in review.toml (keep, drop,
    reject_repair, accept_candidate, set_lang, set_role, set_title), applied by every later
    `run` and `check`.

    \b
    Exit codes:
      0  success
      1  check found differences; scan found flags
      2  usage or config error
      3  some inputs could not be read (the rest were processed and written)
      4  internal error (a bug; the traceback is printed)
      5  the environment failed: a folder that cannot be made or written, a full disk
      6  OUT_DIR is in use by another run (with --no-wait; else the run waits)
      130  interrupted (Ctrl-C)
    """


@main.command()
@run_options
@click.option(
    "--report",
    is_flag=True,
    help=f"Also write the HTML review report, OUT_DIR/{REPORT_FILE} (see `pipeline report`).",
)
def run(
    raw_dir: Path,
    out_dir: Path,
    config_path: Path | None,
    jobs: int | None,
    fix_level: str | None,
    keep: str | None,
    keep_furniture: bool | None,
    review_path: Path | None,
    index_path: Path | None,
    no_index: bool,
    rebuild: bool,
    quiet: bool,
    output_format: str,
    engine: str | None,
    segmenter: str | None,
    ray_address: str | None,
    force_jobs: bool,
    wait: bool | None,
    follow_links: bool | None,
    report: bool,
) -> None:
    """Clean RAW_DIR (default: raw) into OUT_DIR (default: cleaned).

    Problems (unreadable files, bad JSONL lines, undecodable bytes) are printed one per line to
    stderr and listed in manifest.json; the rest of the input is still processed.

    The fingerprint index in OUT_DIR remembers every file processed: unchanged files are not
    processed again, and files no longer in RAW_DIR still take part (a new batch is deduplicated
    against everything processed before). The output is always exactly that of a full run over
    all those files. --rebuild starts again from RAW_DIR alone.

    The run is streamed: processed records wait on disk in a hidden work folder, and only what
    the corpus stages need stays in memory. The new output set (and the index, when it is in
    OUT_DIR) is written into a hidden folder beside OUT_DIR, then swapped in at one instant:
    OUT_DIR always holds one whole run's output. Other files in OUT_DIR stay.
    """
    config, decisions = load_settings(
        raw_dir, out_dir, config_path, jobs, fix_level, keep, keep_furniture, review_path
    )
    config = with_engine(config, engine, ray_address, force_jobs)
    config = with_segmenter(config, segmenter)
    config = config.with_run_options(follow_links, wait)
    need_format(output_format)
    from pipeline.output import save_run
    from pipeline.report import summary

    path = index_path_of(raw_dir, out_dir, index_path, no_index)
    with locked(out_dir, True, not config.wait):
        output = new_output_set(out_dir)  # first: it moves back what a killed run left aside
        index = open_index(path, rebuild, config)
        atomic = output.atomic
        try:
            where = (raw_dir, out_dir, output.folder, config.input.follow_links)
            result = run_with_progress(where, config, quiet, index, decisions)
        except BaseException:
            output.discard()
            raise
        warn_damaged(index)
        counts = save_run(out_dir, result, config, output_format, index, output)
        warn_output(output, atomic)
    if not quiet:
        click.echo(summary(result, out_dir, counts))
    if report:
        write_report(out_dir, out_dir / REPORT_FILE, config.review.report_full, quiet)
    sys.exit(EXIT_INPUT_PROBLEMS if result.has_errors else EXIT_OK)


@main.command()
@run_options
def check(
    raw_dir: Path,
    out_dir: Path,
    config_path: Path | None,
    jobs: int | None,
    fix_level: str | None,
    keep: str | None,
    keep_furniture: bool | None,
    review_path: Path | None,
    index_path: Path | None,
    no_index: bool,
    rebuild: bool,
    quiet: bool,
    output_format: str,
    engine: str | None,
    segmenter: str | None,
    ray_address: str | None,
    force_jobs: bool,
    wait: bool | None,
    follow_links: bool | None,
) -> None:
    """Exit 0 when OUT_DIR holds exactly what `run` would write for RAW_DIR now, else 1 and list
    what differs (the user's own files in OUT_DIR are no difference: a run keeps them). Writes
    nothing (the index is read, never written). Input problems are already recorded in
    manifest.json, so they do not change the exit code here."""
    config, decisions = load_settings(
        raw_dir, out_dir, config_path, jobs, fix_level, keep, keep_furniture, review_path
    )
    config = with_engine(config, engine, ray_address, force_jobs)
    config = with_segmenter(config, segmenter)
    config = config.with_run_options(follow_links, wait)
    need_format(output_format)
    from pipeline.output import compare_run

    path = index_path_of(raw_dir, out_dir, index_path, no_index)
    with locked(out_dir, False, not config.wait):  # shared: never while a run writes OUT_DIR
        index = open_index(path, rebuild, config)
        where = (raw_dir, out_dir, None, config.input.follow_links)
        result = run_with_progress(where, config, True, index, decisions)
        warn_damaged(index)
        if index is not None:
            index.close()  # read, never written
        try:
            differences = compare_run(out_dir, result, config, output_format)
        finally:
            result.close()
    for line in differences:
        click.echo(line)
    if differences:
        shown = printable_name(out_dir.as_posix())
        click.echo(f"{shown} is out of date: run `pipeline run`", err=True)
        sys.exit(EXIT_DIFFERENT)
    if not quiet:
        click.echo(f"{printable_name(out_dir.as_posix())} is up to date")
    sys.exit(EXIT_OK)


@main.command()
@RAW_DIR
@CONFIG
@FIX_LEVEL
@click.option("--flags-only", is_flag=True, help="List only the flags, not the repairs made.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="One line per suspect as text, or as a JSON object.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print no summary line at the end.")
def scan(
    raw_dir: Path,
    config_path: Path | None,
    fix_level: str | None,
    flags_only: bool,
    output_format: str,
    quiet: bool,
) -> None:
    """List every suspect in RAW_DIR (default: raw) for review: each repair the run would make
    and each flag (damage it found but cannot repair), with file, line, rule, span and the
    proposed repair. Writes nothing.

    \b
    Exit codes:
      0  no flags (repairs alone do not count)
      1  at least one flag: some damage needs an editor
      2  usage or config error
      3  some inputs could not be read
    """
    try:
        config = load_config(config_path).with_fix_level(fix_level)
    except ConfigError as exc:
        click.echo(f"Error: {printable_name(str(exc))}", err=True)
        sys.exit(EXIT_USAGE)
    from pipeline.report import problem_line
    from pipeline.scan import scan as scan_inputs
    from pipeline.scan import scan_summary, suspect_json, suspect_line

    result = scan_inputs(raw_dir, config)
    for problem in result.problems:
        click.echo(problem_line(problem, raw_dir), err=True)
    for suspect in result.suspects:
        if flags_only and suspect.kind != "flag":
            continue
        click.echo(
            suspect_json(suspect) if output_format == "jsonl" else suspect_line(suspect, raw_dir)
        )
    if not quiet:
        click.echo(scan_summary(result), err=True)
    if result.has_errors:
        sys.exit(EXIT_INPUT_PROBLEMS)
    sys.exit(EXIT_DIFFERENT if result.flags else EXIT_OK)


main.add_command(report)
main.add_command(show)


@main.command()
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench-corpus"),
    show_default=True,
    help="The benchmark corpus (built there from ../shared/bench when missing), or any folder "
    "of raw articles.",
)
@click.option(
    "--size",
    type=click.Choice(["small", "full", "4x"]),
    default="full",
    show_default=True,
    help="The whole corpus, its first 500 documents, or 4x: the corpus and the corpora of "
    "CORPUS_SEED 1-3 (built beside it when missing), with the corpus alone for the ratio of "
    "their peak memory.",
)
@JOBS
@click.option(
    "--repeat",
    type=click.IntRange(1, 20),
    default=1,
    show_default=True,
    help="Rounds of one job, jieba alone, N jobs and N one-job runs side by side, in turn: "
    "times and ratios are the medians (each ratio taken within a round), peaks the largest.",
)
@SEGMENTER
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def bench(
    corpus: Path, size: str, jobs: int | None, repeat: int, segmenter: str | None, as_json: bool
) -> None:
    """Benchmark the pipeline: MB/s, paragraphs/s, peak memory, seconds per stage, dedup
    accuracy (against the corpus labels), and, measured in the same run, the whole pipeline's
    time over (a) reading, NFKC-normalising and hashing every paragraph and (b) jieba alone on
    the Chinese paragraphs (dictionary load included). With --jobs N above 1 it also runs N
    jobs and gives the speed-up, and the machine's ceiling for it: N one-job runs started
    together, N times one alone over the slowest (jobs_ceiling). Each run is a fresh process.
    Reference (b) is always jieba, and the run's tokens are compared with its tokens (the proof
    of --segmenter rjieba on the corpus: tokens_differing_from_jieba). Prints figures; asserts
    nothing."""
    from pipeline.benchmark import DEFAULT_BUILDER, build_corpus, run_bench

    if not corpus.is_dir() or (
        corpus.name == "bench-corpus" and not (corpus / "docs.jsonl").is_file()
    ):
        if not DEFAULT_BUILDER.is_file():
            click.echo(
                f"Error: no corpus at {corpus} and no builder at {DEFAULT_BUILDER}", err=True
            )
            sys.exit(EXIT_USAGE)
        click.echo(f"building the benchmark corpus in {corpus} ...", err=True)
        build_corpus(corpus, DEFAULT_BUILDER)
    with_segmenter(Config(), segmenter)  # a usage error when it cannot run
    figures = run_bench(corpus, size, jobs or 1, repeat, segmenter or "jieba")
    for name, value in figures.items():
        click.echo(f"{name:<32} {value}")
    if as_json:
        click.echo(json.dumps(figures, sort_keys=True))
    sys.exit(EXIT_OK)


def entry() -> None:
    """Console-script entry point: ``main``, with Ctrl-C exit 130, an error of the environment
    (an OSError: a folder that cannot be made or written, a full disk) one line and exit 5,
    and a crash (a bug, never bad input) reported with its traceback and exit code 4, so that
    none can be mistaken for ``check``'s 1."""
    try:
        code = main.main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("\nError: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except OSError as exc:
        where = "" if exc.filename is None else f": {printable_name(str(exc.filename))}"
        click.echo(f"Error: {exc.strerror or exc}{where}", err=True)
        sys.exit(EXIT_ENVIRONMENT)
    except Exception:
        traceback.print_exc()
        click.echo("Error: internal error (a bug): please report it with the traceback", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)  # --help and --version
