"""How well a decoding of a short text in an alphabet reads: the score that picks its
single-byte code page (cp1252, cp1250, cp1251...) and weighs it against UTF-8.

A non-ASCII character reads well when it is a letter in a word of one script (a Latin word with
an ASCII letter in it, or of one or two letters: ``métier``, ``à``; a Cyrillic or Greek word of
any length; no capital after a small letter), or common punctuation (quotes, dashes, the euro
sign, a no-break space) that is not wedged between two letters (``mĂ©tier`` is mojibake), bar
apostrophes and hyphens. The wrong code page gives symbols inside words (``Za¿ó³æ``), words
of accented letters alone (``Ïðèâåò`` for ``Привет``) or letters of two scripts in one word.
"""

from __future__ import annotations

import itertools
import unicodedata

# Punctuation and symbols real text holds; those that may also join two letters.
_COMMON = set("‘’‚“”„–—…€£¥¢©®°±·«»×÷§¶•†‰′″№\u00a0\u202f")
_JOINING = set("’‘'´-‐‑–·")


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def _word_reads_well(word: str) -> bool:
    scripts = {_script(ch) for ch in word}
    if len(scripts) != 1:
        return False
    if any(a.islower() and b.isupper() for a, b in itertools.pairwise(word)):
        return False  # a capital after a small letter: ЕллзнйкЬ is Greek read as Cyrillic
    if scripts == {"LATIN"}:
        return len(word) <= 2 or any(ch.isascii() for ch in word)
    return True


def reads_well(text: str) -> float:
    """The share of ``text``'s non-ASCII characters that read well, 0 to 1 (1 when it has
    none)."""
    total = good = 0
    word_start = 0
    for position, ch in enumerate(text):
        if not ch.isalpha():
            word_start = position + 1
        if ch.isascii():
            continue
        total += 1
        if ch.isalpha():
            end = position
            while end < len(text) and text[end].isalpha():
                end += 1
            good += _word_reads_well(text[word_start:end])
        elif ch in _COMMON:
            before, after = text[position - 1 : position], text[position + 1 : position + 2]
            wedged = before.isalpha() and after.isalpha()
            good += not wedged or ch in _JOINING
    return good / total if total else 1.0


def utf8_share(text: str, replaced: int) -> float:
    """How well UTF-8 with ``replaced`` bad sequences reads: its valid non-ASCII characters
    over those and the bad ones."""
    valid = sum(1 for ch in text if not ch.isascii() and ch != "\ufffd")
    return valid / (valid + replaced) if valid + replaced else 1.0
