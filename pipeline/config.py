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

SPLIT_MODES = ("auto", "blank", "line")


class ConfigError(ValueError):
    """A config file or option that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class InputConfig:
    """How raw files are found, decoded and cut into paragraphs."""

    extensions: tuple[str, ...] = (".txt", ".md", ".jsonl")
    encoding: str = "auto"
    paragraph_split: str = "auto"
    title_max_width: int = 160
    heading_max_width: int = 80


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


@dataclass(frozen=True)
class Config:
    """Everything that shapes the output. ``jobs`` is here for convenience but never changes it."""

    input: InputConfig = field(default_factory=InputConfig)
    jsonl: JsonlConfig = field(default_factory=JsonlConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    segmentation: SegmentationConfig = field(default_factory=SegmentationConfig)
    jobs: int = 1

    def output_dict(self) -> dict[str, Any]:
        """The options that shape the output, as written to the manifest (``jobs`` left out)."""
        data = dataclasses.asdict(self)
        data.pop("jobs")
        user_dict = self.segmentation.user_dict
        if user_dict:  # the file's name and content, not where it lies on this machine
            content = Path(user_dict).read_bytes()
            data["segmentation"]["user_dict"] = Path(user_dict).name
            data["segmentation"]["user_dict_sha256"] = hashlib.sha256(content).hexdigest()
        result: dict[str, Any] = _lists(data)
        return result

    def with_jobs(self, jobs: int | None) -> Config:
        """Return a copy with ``jobs`` overridden when given."""
        return self if jobs is None else replace(self, jobs=jobs)


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
    values = {}
    for name, value in table.items():
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: '{name}' must be a table")
            values[name] = _build(cast(type[Any], hint), f"{where}.{name}", value)
        else:
            values[name] = _coerce(where, name, hint if not get_args(hint) else tuple, value)
    return cls(**values)


def _validate(config: Config, where: str) -> Config:
    if config.input.paragraph_split not in SPLIT_MODES:
        raise ConfigError(
            f"{where}.input: 'paragraph_split' must be one of {', '.join(SPLIT_MODES)}"
        )
    if config.input.encoding != "auto":
        try:
            b"abc \xff\xfe".decode(config.input.encoding, errors="replace")
        except LookupError:
            raise ConfigError(
                f"{where}.input: unknown encoding '{config.input.encoding}'"
            ) from None
        except (UnicodeError, TypeError, ValueError):
            raise ConfigError(
                f"{where}.input: '{config.input.encoding}' is not a text encoding"
            ) from None
    if not 0.0 < config.language.mixed_min_share <= 0.5:
        raise ConfigError(f"{where}.language: 'mixed_min_share' must be in (0, 0.5]")
    user_dict = config.segmentation.user_dict
    if user_dict:
        try:
            Path(user_dict).read_text(encoding="utf-8")
        except OSError as exc:
            message = f"cannot read user_dict {user_dict}: {exc.strerror}"
            raise ConfigError(f"{where}.segmentation: {message}") from None
        except UnicodeDecodeError:
            message = f"user_dict {user_dict} is not UTF-8 text"
            raise ConfigError(f"{where}.segmentation: {message}") from None
    if config.jobs < 1:
        raise ConfigError(f"{where}: 'jobs' must be at least 1")
    for ext in config.input.extensions:
        if not ext.startswith("."):
            raise ConfigError(f"{where}.input: extension '{ext}' must start with '.'")
    return config


def config_from_mapping(table: dict[str, Any], where: str = "config") -> Config:
    """Build a validated :class:`Config` from a parsed TOML table."""
    return _validate(_build(Config, where, table), where)


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
