"""Reading raw input: find the files, decode them, and turn them into articles.

``.txt`` and ``.md`` files hold one article each; ``.jsonl`` files hold one article per line.
Nothing here raises for bad input: an unreadable file, a bad line or undecodable bytes become a
:class:`~pipeline.records.Problem` and the rest of the input is still read.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.decoding import Decoder
from pipeline.paragraphs import (
    build_paragraphs,
    join_lines,
    normalise_newlines,
    split_paragraph_lines,
)
from pipeline.records import Article, Problem, Severity


@dataclass
class InputFile:
    """One input file: where it is, what it held, how it was decoded and what went wrong."""

    path: str
    sha256: str | None = None
    encoding: str | None = None
    encoding_confidence: float | None = None  # 0 to 1: how sure the choice of encoding is
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    articles_read: int | None = None  # once its articles are handed on, or taken from the index
    size: int = 0  # bytes read

    @property
    def article_count(self) -> int:
        """How many articles the file held."""
        return len(self.articles) if self.articles_read is None else self.articles_read

    def manifest_entry(self) -> dict[str, Any]:
        """The file's line in the manifest's ``inputs`` list."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "encoding_confidence": self.encoding_confidence,
            "articles": self.article_count,
        }


def discover(
    raw_dir: Path,
    extensions: tuple[str, ...],
    skip_dir: Path | None = None,
    follow_links: bool = False,
) -> tuple[list[str], list[str], list[Problem]]:
    """Return the input files under ``raw_dir`` (relative POSIX paths, sorted), the files passed
    over because of their extension, and the problems met: folders that could not be listed,
    and symbolic links to outside ``raw_dir``, skipped with a warning unless ``follow_links``.
    Hidden files and folders are not looked at, nor ``skip_dir`` (the output folder, when
    inside ``raw_dir``). Links to folders are followed, each folder once."""
    wanted: list[str] = []
    ignored: list[str] = []
    problems: list[Problem] = []
    skip = skip_dir.resolve() if skip_dir is not None else None
    top = raw_dir.resolve()
    seen = {top}

    def leads_outside(path: Path) -> bool:
        if follow_links or not path.is_symlink() or path.resolve().is_relative_to(top):
            return False
        reason = "a link to outside RAW_DIR: skipped (--follow-links reads it)"
        rel = path.relative_to(raw_dir).as_posix()
        problems.append(Problem(rel, reason, "outside_link", "warning"))
        return True

    def unlistable(error: OSError) -> None:
        where = Path(error.filename or raw_dir)
        rel = where.relative_to(raw_dir).as_posix() if where != raw_dir else "."
        problems.append(Problem(rel, f"cannot list folder: {error.strerror}", "unreadable"))

    for root, dirs, files in os.walk(raw_dir, onerror=unlistable, followlinks=True):
        kept = []
        for name in sorted(dirs):
            real = Path(root, name).resolve()
            if name.startswith(".") or leads_outside(Path(root, name)):
                continue
            if real != skip and real not in seen:
                seen.add(real)
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if name.startswith(".") or leads_outside(Path(root, name)):
                continue
            rel = Path(root, name).relative_to(raw_dir).as_posix()
            (wanted if Path(name).suffix.lower() in extensions else ignored).append(rel)
    return sorted(wanted), sorted(ignored), problems


def read_file(
    raw_dir: Path,
    rel_path: str,
    config: Config,
    decoder: Decoder | None = None,
    data: bytes | None = None,
) -> InputFile:
    """Read and parse one input file; never raises for bad content. Pass one ``decoder`` when
    reading many files, so that its tables load once, and the file's ``data`` when it has been
    read already."""
    result, articles = open_file(raw_dir, rel_path, config, decoder, data)
    result.articles = list(articles)
    return result


def open_file(
    raw_dir: Path,
    rel_path: str,
    config: Config,
    decoder: Decoder | None = None,
    data: bytes | None = None,
) -> tuple[InputFile, Iterator[Article]]:
    """Read and decode one input file, and give its articles one by one as they are parsed
    (the problems found on the way are added to the file's as they are met, and
    ``articles_read`` is set at the end): a large JSONL file is never all in memory as
    articles. Never raises for bad content."""
    result = InputFile(rel_path)
    if data is None:
        try:
            data = (raw_dir / rel_path).read_bytes()
        except OSError as exc:
            message = f"cannot read file: {exc.strerror}"
            result.problems.append(Problem(rel_path, message, "unreadable"))
            return result, iter(())
    result.sha256 = hashlib.sha256(data).hexdigest()
    result.size = len(data)
    decoded = (decoder or Decoder()).decode(data, config.input.encoding)
    del data
    result.encoding = decoded.encoding
    result.encoding_confidence = decoded.confidence
    reason = decoded.problem_reason()
    if reason:
        result.problems.append(Problem(rel_path, reason, "undecodable_bytes", "warning"))
    jsonl = rel_path.lower().endswith(".jsonl")
    parse = _parse_jsonl if jsonl else _parse_text
    return result, _counted(result, parse(result, decoded.text, config))


def _counted(result: InputFile, articles: Iterator[Article]) -> Iterator[Article]:
    count = 0
    for article in articles:
        count += 1
        yield article
    result.articles_read = count


def _parse_text(result: InputFile, text: str, config: Config) -> Iterator[Article]:
    mode = config.input.paragraph_split
    markdown = result.path.lower().endswith(".md")
    if markdown and mode == "auto":
        mode = "blank"  # Markdown separates paragraphs by blank lines
    raw = split_paragraph_lines(text, mode, markdown)
    triples = [(index, paragraph, line) for index, (line, paragraph) in enumerate(raw)]
    paragraphs = build_paragraphs(triples, config.input, markdown=markdown)
    if not paragraphs:
        result.problems.append(Problem(result.path, "no text in file", "empty", "warning"))
        return
    yield Article(result.path, result.path, Path(result.path).stem, None, paragraphs)


def _optional_str(obj: dict[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _one_paragraph(text: str) -> str:
    """A JSONL list item is one paragraph: lines inside it are joined."""
    text = normalise_newlines(text)
    return join_lines(text.split("\n")) if "\n" in text else text


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` (split at "\\n" only), one at a time."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def _parse_jsonl(result: InputFile, text: str, config: Config) -> Iterator[Article]:
    fields = config.jsonl
    seen_ids: set[str] = set()
    found = 0
    for number, raw_line in enumerate(_lines(text), start=1):
        line = raw_line.lstrip("\ufeff")  # a BOM left where files were joined together
        if not line.strip():
            continue

        def problem(reason: str, kind: str, severity: Severity = "error", at: int = number) -> None:
            result.problems.append(Problem(result.path, reason, kind, severity, line=at))

        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            # json says "Unterminated string starting at": the column follows it.
            message = exc.msg.removesuffix(" at")
            problem(f"invalid JSON: {message} at column {exc.colno}", "invalid_json")
            continue
        except (ValueError, RecursionError) as exc:  # huge integers, absurdly deep nesting
            problem(f"invalid JSON: {str(exc)[:80]}", "invalid_json")
            continue
        if not isinstance(obj, dict):
            problem("line is not a JSON object", "invalid_json")
            continue
        title = obj.get(fields.title_field)
        url = obj.get(fields.url_field)
        wrong = [
            name
            for name, value in ((fields.title_field, title), (fields.url_field, url))
            if value is not None and not isinstance(value, str)
        ]
        if wrong:  # a title or a url that is a number, a list or an object: the same error
            problem(f"field '{wrong[0]}' is not a string", "bad_field")
            continue
        listed = obj.get(fields.paragraphs_field)
        body = obj.get(fields.text_field)
        if listed is not None and not (listed == [] and isinstance(body, str)):
            if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
                problem(f"field '{fields.paragraphs_field}' is not a list of strings", "bad_field")
                continue
            raw = [(i, _one_paragraph(p), number) for i, p in enumerate(listed)]
        elif isinstance(body, str):
            pieces = split_paragraph_lines(body, config.input.paragraph_split)
            raw = [(i, paragraph, number) for i, (_, paragraph) in enumerate(pieces)]
        else:
            wanted = f"'{fields.paragraphs_field}' or '{fields.text_field}'"
            problem(f"no {wanted} field with text", "missing_text")
            continue
        paragraphs = build_paragraphs(raw, config.input, title=title or None, title_line=number)
        if not paragraphs:
            problem("article has no text", "empty", "warning")
            continue
        source = f"{result.path}:{number}"
        article_id = _optional_str(obj, fields.id_field)
        key = source
        if article_id is not None and article_id in seen_ids:
            problem(f"id {article_id!r} seen before in this file", "duplicate_id", "warning")
        elif article_id is not None:
            seen_ids.add(article_id)
            key = f"{result.path}#{article_id}"
        given = bool(title) and paragraphs[0].index == 0 and paragraphs[0].role == "title"
        found += 1
        yield Article(source, key, article_id, url, paragraphs, given)
    if not found and not result.problems:
        result.problems.append(Problem(result.path, "no articles in file", "empty", "warning"))
