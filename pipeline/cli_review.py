"""The editors' review commands, ``report`` and ``show``: parse options, call the library
(:mod:`pipeline.review`), print, map results to exit codes. Their heavy modules load when a
command runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.cli_options import CONFIG, OUT, QUIET
from pipeline.config import ConfigError, load_config
from pipeline.layout import REPORT_FILE
from pipeline.textsafe import printable_name

EXIT_OK, EXIT_USAGE = 0, 2


def write_report(out_dir: Path, html_path: Path, full: int, quiet: bool) -> None:
    """Write the HTML report of ``out_dir`` to ``html_path`` and say so (unless ``quiet``)."""
    from pipeline.output import write_outputs
    from pipeline.review.html import render_report
    from pipeline.review.model import ReportError, load_model

    try:
        model = load_model(out_dir)
    except ReportError as exc:
        click.echo(f"Error: {printable_name(str(exc))}", err=True)
        sys.exit(EXIT_USAGE)
    page = render_report(model, full, f"Review of {out_dir.as_posix()}").encode("utf-8")
    write_outputs(html_path.parent, {html_path.name: page})
    if not quiet:
        click.echo(
            f"report      {printable_name(html_path.as_posix())} ({_size(len(page))}, "
            f"{len(model.articles)} articles, {min(full, len(model.articles))} in full)"
        )


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"


@click.command()
@OUT
@CONFIG
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Where to write the report. Default: OUT_DIR/{REPORT_FILE}.",
)
@click.option(
    "--full",
    type=click.IntRange(min=0),
    default=None,
    help="How many articles (the most changed) are shown in full; the rest are summary rows "
    "that expand to what changed. Default: [review] report_full of the config, else 200.",
)
@QUIET
def report(
    out_dir: Path, config_path: Path | None, html_path: Path | None, full: int | None, quiet: bool
) -> None:
    """Write the review report of OUT_DIR (default: cleaned) as one self-contained HTML file:
    a summary with charts (paragraphs in and out per language, drops by reason, repairs by rule
    and confidence, open flags, input problems, decisions), then every article, the most
    changed first, searchable and filterable by language, drop reason, flags and repairs.
    Dropped paragraphs are struck through with their reason, evidence and a link to what they
    duplicate; repairs show before -> after; flags show their candidates. Every paragraph has
    buttons that copy a review.toml decision to the clipboard. It opens from disk and fetches
    nothing."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        click.echo(f"Error: {printable_name(str(exc))}", err=True)
        sys.exit(EXIT_USAGE)
    chosen = config.review.report_full if full is None else full
    write_report(out_dir, html_path or out_dir / REPORT_FILE, chosen, quiet)
    sys.exit(EXIT_OK)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@OUT
@click.option(
    "--plain/--color",
    "plain",
    default=None,
    help="Plain text, or colours. Default: colours on a terminal, plain otherwise.",
)
@click.option("--width", type=click.IntRange(min=20), default=None, help="Wrap at this width.")
def show(file: Path, out_dir: Path, plain: bool | None, width: int | None) -> None:
    """Show what the run in OUT_DIR (default: cleaned) did to the raw article FILE: every
    paragraph in order, kept or dropped (with why and what it duplicated), its language, role
    and hash, repairs as [before -> after] with rule and confidence, flags as <<span>>? with
    their candidates, and the decisions applied. FILE is the raw file (raw/003.txt, or just
    003.txt); a JSONL file shows each of its articles, FILE.jsonl:LINE one of them."""
    from pipeline.review.model import ReportError, find_articles, load_model
    from pipeline.review.terminal import make_console, show_article
    from pipeline.textsafe import printable_name

    try:
        model = load_model(out_dir)
    except ReportError as exc:
        click.echo(f"Error: {printable_name(str(exc))}", err=True)
        sys.exit(EXIT_USAGE)
    found = find_articles(model, file.as_posix())
    if not found:
        click.echo(
            f"Error: {printable_name(file.as_posix())} is not in the output of "
            f"{printable_name(out_dir.as_posix())}",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    console = make_console(
        plain=plain if plain is not None else not sys.stdout.isatty(), width=width
    )
    for number, article in enumerate(found):
        if number:
            console.print()
        show_article(article, console)
    sys.exit(EXIT_OK)
