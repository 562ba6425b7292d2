"""Chinese segmentation with rjieba that gives jieba's tokens (``segmenter = "rjieba"``).

rjieba (jieba-rs) has jieba's dictionary and cuts a text as jieba does: block by block (jieba's
``re_han_default`` blocks, each on its own), a block along its best route through the
dictionary, with the HMM over each run of single characters the route leaves. The two part only
where that HMM meets letters, digits or symbols: rjieba keeps ``0.6cm`` or ``2008-06-04`` whole,
jieba splits them (``0.6`` ``cm``). So:

- a block of Chinese characters alone is rjieba's;
- without the HMM, every block is rjieba's (the route is the same, and so are the tokens);
- a block that mixes in other characters takes rjieba's route (its cut without the HMM, where
  jieba joins runs of single letters and digits, which no dictionary word is made of alone), and
  then jieba's own rule for each run of single characters: one character as it is, a word of
  the dictionary character by character, anything else through jieba's HMM (``finalseg``);
- between blocks, white space is a token and every other character one of its own, as jieba
  does.

rjieba takes no user words here (its dictionary would weigh them differently); the config's
check refuses them. ``pipeline bench --segmenter rjieba`` compares its tokens with jieba's on
the whole corpus.
"""

from __future__ import annotations

import re
from typing import Any

_LETTERS_AND_DIGITS = re.compile("[a-zA-Z0-9]+")  # jieba's re_eng, a run of it


class FastSegmenter:
    """jieba's tokens, mostly from rjieba (see the module's docstring)."""

    def __init__(self, hmm: bool) -> None:
        self._hmm = hmm
        self._libraries: tuple[Any, Any, Any] | None = None

    def tokens(self, text: str) -> list[str]:
        """Segment ``text`` as jieba would; ``"".join(tokens(text)) == text``."""
        rjieba, jieba, finalseg = self._loaded()
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
            elif not self._hmm or finalseg.re_han.fullmatch(piece):
                tokens += rjieba.cut(piece, self._hmm)
            else:
                tokens += self._mixed_block(piece)
        return [token for token in tokens if token]

    def _mixed_block(self, block: str) -> list[str]:
        rjieba, _, finalseg = self._loaded()
        route: list[str] = []
        for word in rjieba.cut(block, False):
            if len(word) > 1 and _LETTERS_AND_DIGITS.fullmatch(word):
                route.extend(word)  # single steps of the route, joined by the cut without HMM
            else:
                route.append(word)
        tokens: list[str] = []
        run: list[str] = []
        for word in [*route, ""]:  # "" ends the last run
            if len(word) == 1:
                run.append(word)
                continue
            if len(run) == 1:
                tokens += run
            elif run:
                joined = "".join(run)
                tokens += list(joined) if rjieba.has_word(joined) else finalseg.cut(joined)
            run = []
            tokens.append(word)
        return tokens

    def _loaded(self) -> tuple[Any, Any, Any]:
        if self._libraries is None:
            # rjieba loads its dictionary into a default instance as it is imported; this uses
            # that one (never changed here) rather than loading a second. Importing jieba does
            # not load jieba's dictionary: only its patterns and its HMM are used.
            import jieba
            import rjieba
            from jieba import finalseg

            self._libraries = (rjieba, jieba, finalseg)
        return self._libraries
