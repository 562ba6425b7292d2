"""Chinese word segmentation with jieba.

Each :class:`Segmenter` owns a private ``jieba.Tokenizer`` (not jieba's global one), loaded on first
use: once per process. jieba's start-up log lines are silenced and its dictionary cache goes to the
user's cache folder (``$XDG_CACHE_HOME/career-pipeline``, else ``~/.cache/career-pipeline``), not to
the working directory; when that folder cannot be written, jieba's own temp folder is used.
The default dictionary's cache is read whole before jieba's ``initialize`` (which then has
nothing to do): jieba reads it with ``marshal.load`` on the open file, a few bytes at a time,
and took about 1.1 s where ``marshal.loads`` of the file's bytes takes 0.3 s.
Tokens joined give back the paragraph text exactly: white space is kept as tokens.

With ``segmenter = "rjieba"`` (the ``fast`` extra) the tokens come from
:class:`pipeline.fast_segmentation.FastSegmenter`: jieba's tokens, mostly cut by rjieba.
"""

from __future__ import annotations

import logging
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

from pipeline.config import SegmentationConfig
from pipeline.fast_segmentation import FastSegmenter


def cache_dir() -> Path:
    """Where jieba's dictionary cache is kept."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory: jieba's cache goes to the temp folder
            base = tempfile.gettempdir()
    return Path(base) / "career-pipeline"


def load_cached_dictionary(tokenizer: Any) -> bool:
    """Load a ``jieba.Tokenizer`` of the default dictionary from the cache its ``initialize``
    would read (jieba 0.42.1: ``jieba.cache`` in its ``tmp_dir``, else the temp folder), read
    whole. Whether it was loaded: when not (another dictionary, a cache file of its own, no
    cache, a cache that does not load), ``initialize`` does what it always does."""
    import jieba

    if tokenizer.initialized or tokenizer.dictionary != jieba.DEFAULT_DICT or tokenizer.cache_file:
        return False
    path = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
    try:
        frequencies, total = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return False  # jieba's initialize tries it again, then builds the dictionary
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = frequencies, total, True
    return True


class Segmenter:
    """Splits Chinese (and mixed) text into words."""

    def __init__(self, config: SegmentationConfig) -> None:
        if config.segmenter == "rjieba" and (config.user_words or config.user_dict):
            raise ValueError("the rjieba segmenter takes no user words (the config check says)")
        self._config = config
        self._tokenizer: Any = None
        self._fast: FastSegmenter | None = None

    def tokens(self, text: str) -> list[str]:
        """Segment ``text``; ``"".join(tokens(text)) == text``."""
        if self._config.segmenter == "rjieba":
            if self._fast is None:
                self._fast = FastSegmenter(self._config.hmm)
            return self._fast.tokens(text)
        return [token for token in self._jieba().cut(text, HMM=self._config.hmm) if token]

    def _jieba(self) -> Any:
        if self._tokenizer is None:
            import jieba

            logging.getLogger("jieba").setLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            directory = cache_dir()
            try:
                directory.mkdir(parents=True, exist_ok=True)
                tokenizer.tmp_dir = str(directory)
            except OSError:
                pass
            load_cached_dictionary(tokenizer)
            tokenizer.initialize()  # builds the dictionary (and its cache) when not loaded
            if self._config.user_dict:
                tokenizer.load_userdict(self._config.user_dict)
            for word in self._config.user_words:
                tokenizer.add_word(word)
            self._tokenizer = tokenizer
        return self._tokenizer
