"""Configuration: one frozen object built from defaults, a config file and CLI overrides.

The file is ``pipeline.toml`` (top-level tables) or the ``[tool.pipeline]`` table of
``pyproject.toml``, searched from the working directory upwards; ``--config FILE`` names one
explicitly. Unknown options and wrong types are reported at start as a :class:`ConfigError`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast, get_args, get_type_hints

from pipeline.config_checks import (
    ENGINES,
    KEEP_POLICIES,
    MAX_JOBS,
    SPLIT_MODES,
    ConfigError,
    validate,
)

__all__ = ["ENGINES", "KEEP_POLICIES", "MAX_JOBS", "SPLIT_MODES", "Config", "ConfigError"]


@dataclass(frozen=True)
class InputConfig:
    """How raw files are found, decoded and cut into paragraphs."""

    extensions: tuple[str, ...] = (".txt", ".md", ".jsonl")
    encoding: str = "auto"
    paragraph_split: str = "auto"
    title_max_width: int = 160
    heading_max_width: int = 80
    follow_links: bool = False  # read what links out of RAW_DIR lead to (else skip them)


@dataclass(frozen=True)
class JsonlConfig:
    """Field names read from each JSONL line."""

    text_field: str = "text"
    paragraphs_field: str = "paragraphs"
    title_field: str = "title"
    id_field: str = "id"
    url_field: str = "url"


@dataclass(frozen=True)
class LanguageConfig:
    """Paragraph language detection."""

    mixed_min_share: float = 0.25
    langdetect_min_letters: int = 20
    default_latin: str = "en"


@dataclass(frozen=True)
class SegmentationConfig:
    """jieba segmentation of Chinese text."""

    user_words: tuple[str, ...] = ()
    user_dict: str = ""
    hmm: bool = True
    # "jieba", or "rjieba" (faster, the same tokens: see pipeline.segmentation); never changes
    # the output, so it is not in the manifest
    segmenter: str = "jieba"


@dataclass(frozen=True)
class UserRule:
    """An extra repair rule from the config file: a regular expression, its replacement
    (``\\1`` and ``\\g<name>`` refer to groups) and how sure the repair is."""

    name: str
    pattern: str
    replacement: str
    confidence: str = "certain"
    reason: str = "user rule"


@dataclass(frozen=True)
class RepairConfig:
    """Repair of garbled numbers and damaged text.

    ``fix_level`` is the least confidence applied: ``probable`` applies certain and probable
    repairs, ``certain`` only certain ones (the others become flags). ``disabled_rules`` names
    built-in rules to turn off.
    """

    fix_level: str = "probable"
    disabled_rules: tuple[str, ...] = ()
    user_rules: tuple[UserRule, ...] = ()


@dataclass(frozen=True)
class DedupConfig:
    """Dropping repeated paragraphs, exact and near, within and across articles."""

    enabled: bool = True
    keep: str = "first"
    similarity: float = 90.0
    max_edits: int = 6
    min_length_zh: int = 10
    min_length_en: int = 30


@dataclass(frozen=True)
class FurnitureConfig:
    """The site around the article: breadcrumbs, navigation, adverts, meta lines, boilerplate.

    Furniture goes to ``dropped.jsonl`` with its kind as the reason and the evidence; with
    ``keep`` it stays in the records with its kind as the role. ``boilerplate_min_pages`` is how
    many pages of one site a furniture-like line must be seen on to be boilerplate (0: never).
    """

    enabled: bool = True
    keep: bool = False
    boilerplate_min_pages: int = 3


@dataclass(frozen=True)
class ReviewConfig:
    """Editors' decisions: ``file`` is the review file, relative to the config file's folder
    (the working directory when there is no config file); a missing file means no decisions.
    ``report_full`` is how many articles the HTML report shows in full (the most changed)."""

    file: str = "review.toml"
    report_full: int = 200


@dataclass(frozen=True)
class Config:
    """Everything that shapes the output. ``jobs`` is here for convenience but never changes it."""

    input: InputConfig = field(default_factory=InputConfig)
    jsonl: JsonlConfig = field(default_factory=JsonlConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    segmentation: SegmentationConfig = field(default_factory=SegmentationConfig)
    repair: RepairConfig = field(default_factory=RepairConfig)
    furniture: FurnitureConfig = field(default_factory=FurnitureConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    review: ReviewConfig = field(default_factory=ReviewConfig)
    jobs: int = 1
    engine: str = "local"  # where the per-article stage runs: "local" processes or "ray"
    ray_address: str = ""  # a Ray cluster's address; empty: a new local instance
    wait: bool = True  # when another run holds OUT_DIR: wait for it, or stop at once (exit 6)

    def output_dict(self) -> dict[str, Any]:
        """The options that shape the output, as written to the manifest (``jobs`` left out)."""
        data = dataclasses.asdict(self)
        for name in ("jobs", "engine", "ray_address", "wait"):  # never change the output
            data.pop(name)
        data["segmentation"].pop("segmenter")
        user_dict = self.segmentation.user_dict
        if user_dict:  # the file's name and content, not where it lies on this machine
            content = Path(user_dict).read_bytes()
            data["segmentation"]["user_dict"] = Path(user_dict).name
            data["segmentation"]["user_dict_sha256"] = hashlib.sha256(content).hexdigest()
        data["review"]["file"] = Path(self.review.file).name  # not where it lies on this machine
        result: dict[str, Any] = _lists(data)
        return result

    def with_jobs(self, jobs: int | None) -> Config:
        """Return a copy with ``jobs`` overridden when given."""
        return self if jobs is None else replace(self, jobs=jobs)

    def with_run_options(self, follow_links: bool | None, wait: bool | None) -> Config:
        """Return a copy with ``input.follow_links`` and ``wait`` overridden when given."""
        config = self if wait is None else replace(self, wait=wait)
        if follow_links is None:
            return config
        return replace(config, input=replace(config.input, follow_links=follow_links))

    def with_engine(self, engine: str | None, address: str | None = None) -> Config:
        """Return a copy with the engine (and a Ray address) overridden when given."""
        config = self if engine is None else replace(self, engine=engine)
        return config if address is None else replace(config, ray_address=address)

    def with_segmenter(self, segmenter: str | None) -> Config:
        """Return a copy with ``segmentation.segmenter`` overridden when given."""
        if segmenter is None:
            return self
        return replace(self, segmentation=replace(self.segmentation, segmenter=segmenter))

    def with_fix_level(self, fix_level: str | None) -> Config:
        """Return a copy with the repair ``fix_level`` overridden when given."""
        if fix_level is None:
            return self
        return replace(self, repair=replace(self.repair, fix_level=fix_level))

    def with_keep(self, keep: str | None) -> Config:
        """Return a copy with the dedup ``keep`` policy overridden when given."""
        return self if keep is None else replace(self, dedup=replace(self.dedup, keep=keep))

    def with_review_file(self, path: str | None) -> Config:
        """Return a copy with the review file overridden when given."""
        return self if path is None else replace(self, review=replace(self.review, file=path))

    def with_keep_furniture(self, keep: bool | None) -> Config:
        """Return a copy with ``furniture.keep`` overridden when given."""
        if keep is None:
            return self
        return replace(self, furniture=replace(self.furniture, keep=keep))


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_lists(item) for item in value]
    return value


def _coerce(where: str, name: str, hint: Any, value: Any) -> Any:
    """Check one option's value against its annotation and convert lists to tuples."""
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str)
    else:  # tuple[str, ...]
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        value = tuple(value) if ok else value
    if not ok:
        expected = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
        raise ConfigError(f"{where}: '{name}' must be {expected.get(hint, 'a list of strings')}")
    return value


def _build(cls: type[Any], where: str, table: dict[str, Any]) -> Any:
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown option(s) {', '.join(unknown)}")
    missing = [
        f.name
        for f in fields(cls)
        if f.name not in table
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"{where}: missing option(s) {', '.join(missing)}")
    values = {}
    for name, value in table.items():
        hint = hints[name]
        item_type = get_args(hint)[0] if get_args(hint) else None
        if item_type is not None and dataclasses.is_dataclass(item_type):
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                raise ConfigError(f"{where}: '{name}' must be a list of tables")
            item_class = cast(type[Any], item_type)
            values[name] = tuple(
                _build(item_class, f"{where}.{name}[{number}]", item)
                for number, item in enumerate(value, 1)
            )
        elif dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: '{name}' must be a table")
            values[name] = _build(cast(type[Any], hint), f"{where}.{name}", value)
        else:
            values[name] = _coerce(where, name, hint if not get_args(hint) else tuple, value)
    return cls(**values)


def config_from_mapping(table: dict[str, Any], where: str = "config") -> Config:
    """Build a validated :class:`Config` from a parsed TOML table."""
    return validate(_build(Config, where, table), where)


def find_config_file(start: Path) -> Path | None:
    """Find ``pipeline.toml`` or a ``pyproject.toml`` with ``[tool.pipeline]``, upwards from
    ``start``."""
    for directory in (start, *start.parents):
        candidate = directory / "pipeline.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "pipeline" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read config: not UTF-8 (byte {exc.start})") from None


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Load the config from ``path``, or from the file found upwards from ``start`` (default: the
    working directory), or return the defaults when there is none."""
    if path is None:
        path = find_config_file(start or Path.cwd())
        if path is None:
            return Config()
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("pipeline", {})
        where = f"{path.name} [tool.pipeline]"
    else:
        where = path.name
    review = data.get("review")
    if isinstance(review, dict) and isinstance(review.get("file"), str):
        if not Path(review["file"]).is_absolute():  # relative to the config file
            data = {**data, "review": {**review, "file": str(path.parent / review["file"])}}
    else:
        data = {**data, "review": {**(review or {}), "file": str(path.parent / "review.toml")}}
    segmentation = data.get("segmentation")
    if isinstance(segmentation, dict) and isinstance(segmentation.get("user_dict"), str):
        # A relative user_dict is relative to the config file, wherever the command runs.
        user_dict = segmentation["user_dict"]
        if user_dict and not Path(user_dict).is_absolute():
            data = {
                **data,
                "segmentation": {**segmentation, "user_dict": str(path.parent / user_dict)},
            }
    return config_from_mapping(data, where)
