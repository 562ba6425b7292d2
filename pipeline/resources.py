"""The heavy objects of the per-article stages, kept between runs for a caller that makes many.

A run loads jieba's dictionary and langdetect's profiles on first use (about 1.8 s) and lets
them go when its articles are done, so that the corpus stages reuse the memory: right for the
command line, which makes one run a process. A program that makes many runs in one process (a
service, a notebook, a test suite) gives them one :class:`Resources` instead; each run then
takes the segmenter and the language detector made for its config by an earlier run. They
answer from the text and their config alone (what they remember of earlier texts is bounded and
changes no answer), so a run's output is the same with or without them.

They serve runs in this process: worker processes (``jobs`` above 1, or Ray) load their own.
"""

from __future__ import annotations

import os
from typing import Any

from pipeline.config import LanguageConfig, SegmentationConfig
from pipeline.language import LanguageDetector
from pipeline.segmentation import Segmenter


class Resources:
    """Segmenters and language detectors by config, each made once, loaded on first use."""

    def __init__(self) -> None:
        self._segmenters: dict[SegmentationConfig, tuple[Any, Segmenter]] = {}
        self._detectors: dict[LanguageConfig, LanguageDetector] = {}

    def segmenter(self, config: SegmentationConfig) -> Segmenter:
        """The segmenter for ``config``; a user dictionary changed on disk since it was read
        gets a new one."""
        state = file_state(config.user_dict)
        kept = self._segmenters.get(config)
        if kept is None or kept[0] != state:
            kept = self._segmenters[config] = (state, Segmenter(config))
        return kept[1]

    def detector(self, config: LanguageConfig) -> LanguageDetector:
        """The language detector for ``config``."""
        detector = self._detectors.get(config)
        if detector is None:
            detector = self._detectors[config] = LanguageDetector(config)
        return detector


def file_state(path: str) -> tuple[int, int, int] | None:
    """What tells a file's content changed without reading it: its inode, size and time."""
    if not path:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None  # the segmenter reports it when it loads
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)
