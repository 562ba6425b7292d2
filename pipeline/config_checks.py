"""The config's checks: the values each option may take, and the error that says which one
is out of range. (The config's dataclasses are in :mod:`pipeline.config`, which builds a
config and checks it with :func:`validate`.)"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.rules import FIX_LEVELS, RULE_NAMES, user_rule_problem

if TYPE_CHECKING:
    from pipeline.config import Config, DedupConfig, FurnitureConfig, RepairConfig

SPLIT_MODES = ("auto", "blank", "line")
KEEP_POLICIES = ("first", "longest")
ENGINES = ("local", "ray")
SEGMENTERS = ("jieba", "rjieba")
MAX_JOBS = 1024  # worker processes, with --force-jobs; without, the CPU count


class ConfigError(ValueError):
    """A config file or option that cannot be used; the message says where and why."""


def validate(config: Config, where: str) -> Config:
    """``config`` when every value is in range, else a :class:`ConfigError` saying which."""
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
    for name in ("title_max_width", "heading_max_width"):
        if getattr(config.input, name) < 1:
            raise ConfigError(f"{where}.input: '{name}' must be 1 or more")
    if config.language.langdetect_min_letters < 0:
        raise ConfigError(f"{where}.language: 'langdetect_min_letters' must not be negative")
    if not re.fullmatch(r"[a-z]{2,3}", config.language.default_latin):
        given = config.language.default_latin
        message = f"'default_latin' must be a language code such as en, fr or und, not {given!r}"
        raise ConfigError(f"{where}.language: {message}")
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
    validate_segmenter(config, f"{where}.segmentation")
    if not 1 <= config.jobs <= MAX_JOBS:
        raise ConfigError(f"{where}: 'jobs' must be from 1 to {MAX_JOBS}")
    if config.engine not in ENGINES:
        raise ConfigError(f"{where}: 'engine' must be one of {', '.join(ENGINES)}")
    if config.review.report_full < 0:
        raise ConfigError(f"{where}.review: 'report_full' must be 0 or more")
    _validate_repair(config.repair, f"{where}.repair")
    _validate_dedup(config.dedup, f"{where}.dedup")
    _validate_furniture(config.furniture, f"{where}.furniture")
    for ext in config.input.extensions:
        if not ext.startswith("."):
            raise ConfigError(f"{where}.input: extension '{ext}' must start with '.'")
    return config


def validate_segmenter(config: Config, where: str) -> None:
    """Raise :class:`ConfigError` unless the config's segmenter can run as it is set."""
    segmentation = config.segmentation
    if segmentation.segmenter not in SEGMENTERS:
        raise ConfigError(f"{where}: 'segmenter' must be one of {', '.join(SEGMENTERS)}")
    if segmentation.segmenter != "rjieba":
        return
    if segmentation.user_dict or segmentation.user_words:
        # rjieba's own dictionary would weigh the words differently from jieba's
        message = "segmenter 'rjieba' takes no user_dict or user_words; use 'jieba' with them"
        raise ConfigError(f"{where}: {message}")
    if importlib.util.find_spec("rjieba") is None:
        message = "segmenter 'rjieba' needs rjieba: pip install 'career-article-pipeline[fast]'"
        raise ConfigError(f"{where}: {message}")


def _validate_repair(repair: RepairConfig, where: str) -> None:
    if repair.fix_level not in FIX_LEVELS:
        raise ConfigError(f"{where}: 'fix_level' must be one of {', '.join(FIX_LEVELS)}")
    unknown = sorted(set(repair.disabled_rules) - set(RULE_NAMES))
    if unknown:
        known = ", ".join(RULE_NAMES)
        raise ConfigError(f"{where}: unknown rule(s) {', '.join(unknown)} (rules: {known})")
    seen: set[str] = set()
    for number, rule in enumerate(repair.user_rules, 1):
        problem = user_rule_problem(rule.name, rule.pattern, rule.replacement, rule.confidence)
        if problem is None and rule.name in seen:
            problem = f"name {rule.name!r} is used twice"
        if problem:
            raise ConfigError(f"{where}.user_rules[{number}]: {problem}")
        seen.add(rule.name)


def _validate_dedup(dedup: DedupConfig, where: str) -> None:
    if dedup.keep not in KEEP_POLICIES:
        raise ConfigError(f"{where}: 'keep' must be one of {', '.join(KEEP_POLICIES)}")
    if not 50.0 <= dedup.similarity <= 100.0:
        raise ConfigError(f"{where}: 'similarity' must be between 50 and 100")
    for name in ("max_edits", "min_length_zh", "min_length_en"):
        if getattr(dedup, name) < 0:
            raise ConfigError(f"{where}: '{name}' must not be negative")


def _validate_furniture(furniture: FurnitureConfig, where: str) -> None:
    pages = furniture.boilerplate_min_pages
    if pages == 1 or pages < 0:
        raise ConfigError(f"{where}: 'boilerplate_min_pages' must be 0 (off) or at least 2")
