"""Chinese segmentation with rjieba that gives jieba's tokens (``segmenter = "rjieba"``).

jieba cuts a text block by block (its ``re_han_default`` blocks, each on its own): a block along
its best route through the dictionary (dynamic programming over word frequencies), then, with
the HMM, each run of single characters that route leaves through its HMM (``finalseg``). Route
finding is most of jieba's time, and rjieba (jieba-rs, the same dictionary) does it in Rust. Its
HMM is not jieba's, though: it keeps ``0.6cm`` or ``2008-06-04`` whole where jieba splits them,
and its emission table is rounded to six decimals, which flips near ties (``米消豁``). So rjieba
gives the route, and jieba the rest:

- rjieba's cut without the HMM is the route, except that it joins runs of single letters and
  digits, which are split again here (no word of the dictionary is letters and digits alone);
- each run of single characters on the route gets jieba's own rule: one character as it is, a
  word of the dictionary character by character, anything else through jieba's ``finalseg``
  (its HMM unrolled in ``pipeline.jieba_hmm``: the same answer, quicker);
- without the HMM, rjieba's cut is jieba's;
- between blocks, white space is a token and every other character one of its own, as jieba
  does.

jieba's dictionary file lists one word twice (``B超``, 3), and jieba adds both to its total
while rjieba counts it once. Every word's cost depends on that total, so near ties would flip
(``勘定理屈曲骨``). This module's rjieba therefore gets a word of frequency 3 that no block can
hold, and the totals agree.

rjieba takes no user words here (its dictionary would weigh them differently); the config's
check refuses them. ``pipeline bench --segmenter rjieba`` compares its tokens with jieba's on
the whole corpus.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import Any

from pipeline.jieba_hmm import JiebaHmm

_LETTERS_AND_DIGITS = re.compile("[a-zA-Z0-9]+")  # jieba's re_eng, a run of it
# What jieba's total has and rjieba's lacks: the frequency of the word its dictionary lists
# twice (tests/test_fast_segmentation.py reads it off the dictionary file).
TOTAL_SHORTFALL = 3
_RUNS_REMEMBERED = 1 << 13  # about 3.5 MB (420 bytes a run); 48% of the corpus's runs are found
_FILLER = "\x00\x00"  # a word no block holds (blocks are letters, digits, Han and +#&._%-)


def rjieba_class() -> Any:
    """rjieba's ``Jieba`` class, taken from its extension module without running the package's
    ``__init__``, which makes a default instance at import (its dictionary, about 26 MB and
    0.1 s, held for the process's life though this module never uses it). The extension is put
    in ``sys.modules`` under its own name, so that a later ``import rjieba`` uses it (it is
    loaded once); when it cannot be found that way, the package is imported as usual."""
    import importlib.machinery
    import importlib.util
    import sys

    name = "rjieba.rjieba"
    loaded = sys.modules.get(name)
    if loaded is None:
        package = importlib.util.find_spec("rjieba")  # found, not run
        folders = (package.submodule_search_locations or []) if package else []
        paths = [
            os.path.join(folder, f"rjieba{suffix}")
            for folder in folders
            for suffix in importlib.machinery.EXTENSION_SUFFIXES
        ]
        path = next((path for path in paths if os.path.isfile(path)), None)
        if path is None:
            import rjieba

            return rjieba.Jieba
        loader = importlib.machinery.ExtensionFileLoader(name, path)
        spec = importlib.util.spec_from_file_location(name, path, loader=loader)
        assert spec is not None
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded
        loader.exec_module(loaded)
    return loaded.Jieba


class FastSegmenter:
    """jieba's tokens, with rjieba finding the routes (see the module's docstring)."""

    def __init__(self, hmm: bool) -> None:
        self._hmm = hmm
        self._libraries: tuple[Any, Any, JiebaHmm] | None = None
        self._runs: Callable[[str], tuple[str, ...]] | None = None

    def tokens(self, text: str) -> list[str]:
        """Segment ``text`` as jieba would; ``"".join(tokens(text)) == text``."""
        rjieba, jieba, _ = self._loaded()
        skip = jieba.re_skip_default
        tokens: list[str] = []
        for number, piece in enumerate(jieba.re_han_default.split(text)):
            if not piece:
                continue
            if number % 2 == 0:  # between blocks
                if len(piece) == 1:  # white space or not, a token
                    tokens.append(piece)
                    continue
                for part in skip.split(piece):
                    if skip.match(part):
                        tokens.append(part)
                    else:
                        tokens.extend(part)
            elif self._hmm:
                tokens += self._block_with_hmm(piece)
            else:
                tokens += rjieba.cut(piece, False)
        return [token for token in tokens if token]

    def _block_with_hmm(self, block: str) -> list[str]:
        rjieba, _, _ = self._loaded()
        route: list[str] = rjieba.cut(block, False)
        if _LETTERS_AND_DIGITS.search(block):
            cut, route = route, []
            for word in cut:
                if len(word) > 1 and _LETTERS_AND_DIGITS.fullmatch(word):
                    route.extend(word)  # single steps of the route, joined by the cut
                else:
                    route.append(word)
        tokens: list[str] = []
        run: list[str] = []
        for word in route:
            if len(word) == 1:
                run.append(word)
                continue
            if run:
                tokens += run if len(run) == 1 else self._run_tokens("".join(run))
                run = []
            tokens.append(word)
        if run:
            tokens += run if len(run) == 1 else self._run_tokens("".join(run))
        return tokens

    def _run_tokens(self, run: str) -> tuple[str, ...]:
        """jieba's tokens for a run of two or more single characters of a route, remembered
        (runs recur: the last few thousand seen hold about half of those a corpus asks for)."""
        if self._runs is None:
            self._runs = functools.lru_cache(maxsize=_RUNS_REMEMBERED)(self._new_run_tokens)
        return self._runs(run)

    def _new_run_tokens(self, run: str) -> tuple[str, ...]:
        # Remembering is sound because finalseg's answer depends on the run alone: its tables are
        # fixed, and nothing here adds force-split words (jieba's add_word with frequency 0).
        rjieba, _, hmm = self._loaded()
        return tuple(run) if rjieba.has_word(run) else tuple(hmm.cut(run))

    def _loaded(self) -> tuple[Any, Any, JiebaHmm]:
        if self._libraries is None:
            # Importing jieba does not load jieba's dictionary: only its patterns and its HMM
            # are used.
            import jieba
            from jieba import finalseg

            own = rjieba_class()()  # not rjieba's default instance: this one is changed
            own.add_word(_FILLER, TOTAL_SHORTFALL, None)
            self._libraries = (own, jieba, JiebaHmm(finalseg))
        return self._libraries
