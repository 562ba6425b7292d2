"""Bytes to text: byte-order marks, strict UTF-8, then charset-normalizer for the rest.

Detection order: a BOM (UTF-8, UTF-16, UTF-32) decides; otherwise text that decodes as strict UTF-8
is UTF-8 (unless it holds NUL bytes, as UTF-16 without BOM does), and so is text that is UTF-8 but
for a few stray bytes (they are replaced, with a warning); otherwise charset-normalizer picks
the encoding (GB18030/GBK, Big5, UTF-16 without BOM, Shift-JIS, cp1252...). On short input (under
512 bytes) its guess gets a second opinion: when its decoding is implausible (scripts mixed as no
real text mixes them, rare characters) and GB18030 or Big5 decodes to clearly more plausible,
common Chinese characters, that is taken.
GB2312 and GBK answers are widened to GB18030, their superset, so that no byte sequence valid in a
Chinese page is lost. Bytes that still do not decode become U+FFFD and a
warning that says how many and where the first one was.
"""

from __future__ import annotations

import codecs
import dataclasses
from dataclasses import dataclass

import charset_normalizer

from pipeline.legacy_text import reads_well, utf8_share

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SHORT_INPUT = 512  # bytes; below this charset-normalizer's guess gets a second opinion
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "big5hkscs": "big5hkscs"}


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the encoding used, and a description of undecodable bytes (if any)."""

    text: str
    encoding: str
    replaced: int = 0
    first_bad_offset: int | None = None
    confidence: float = 1.0  # how sure the choice of encoding is, 0 to 1 (see the manifest)

    def problem_reason(self) -> str | None:
        """A one-line reason for the warning, or None when every byte decoded."""
        if not self.replaced:
            return None
        return (
            f"{self.replaced} undecodable byte sequence(s) as {self.encoding} replaced by U+FFFD "
            f"(first at byte {self.first_bad_offset})"
        )


def _decode_counting(data: bytes, encoding: str) -> Decoded:
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError as error:
        first_bad = error.start
    replaced = data.decode(encoding, errors="replace")
    # Both decodings keep the same valid characters, so the difference in U+FFFD is the number of
    # replaced runs, literal U+FFFD in the input not counted.
    count = replaced.count("\ufffd") - data.decode(encoding, errors="ignore").count("\ufffd")
    return Decoded(replaced, encoding, count, first_bad)


def _with_confidence(decoded: Decoded, confidence: float) -> Decoded:
    return dataclasses.replace(decoded, confidence=round(max(0.0, min(1.0, confidence)), 2))


def _normalise_name(name: str) -> str:
    name = codecs.lookup(name).name
    return _WIDEN.get(name, name)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


class Decoder:
    """Decodes input files; the table of common Chinese characters loads on first need."""

    def __init__(self) -> None:
        self._common_han: frozenset[str] | None = None

    def decode(self, data: bytes, encoding: str = "auto") -> Decoded:
        """Decode ``data`` with ``encoding``, or detect the encoding when it is ``"auto"``."""
        if encoding != "auto":
            return _decode_counting(data, encoding)
        for bom, name in _BOMS:
            if data.startswith(bom):
                return _decode_counting(data, name)
        if b"\x00" not in data:  # NUL bytes: UTF-16/32 without BOM, even when ASCII-valid
            try:
                return Decoded(data.decode("utf-8"), "utf-8")
            except UnicodeDecodeError:
                pass
            nearly = self._nearly_utf8(data)
            if nearly is not None:
                return nearly
        best = charset_normalizer.from_bytes(data).best()
        name = _normalise_name(best.encoding) if best is not None else "utf-8"
        if len(data) >= _SHORT_INPUT:
            confidence = 1.0 - best.chaos if best is not None else 0.0
            return _with_confidence(_decode_counting(data, name), confidence)
        return self._short(data, self._second_opinion(data, name))

    def _short(self, data: bytes, guess: str) -> Decoded:
        """Short input that is not UTF-8: charset-normalizer's guess (after the Chinese second
        opinion) against the common single-byte code pages, and the winner against UTF-8
        with its bad bytes replaced, which a legacy code page must beat clearly."""
        guessed = _strict(data, guess)
        utf16 = guess.startswith(("utf-16", "utf-32")) and b"\x00" in data  # no BOM: NUL bytes
        if utf16 and guessed is not None:
            return _decode_counting(data, guess)
        if guess in _CHINESE and guessed is not None:
            return _with_confidence(_decode_counting(data, guess), self.plausibility(guessed))
        if guessed is None or _is_single_byte(guess):
            known = guessed is not None and _is_single_byte(guess)
            best, score = _best_single_byte(data, guess if known else None)
        else:  # Japanese, Korean, UTF-16 guessed: kept when they read as such
            best, score = guess, self.plausibility(guessed)
            single, single_score = _best_single_byte(data, None)
            if score < 0.8 or single_score > score:
                best, score = single, single_score
        as_utf8 = _decode_counting(data, "utf-8")
        if score < utf8_share(as_utf8.text, as_utf8.replaced) + 0.25:
            return _with_confidence(as_utf8, utf8_share(as_utf8.text, as_utf8.replaced))
        return _with_confidence(_decode_counting(data, best), score)

    def _nearly_utf8(self, data: bytes) -> Decoded | None:
        """``data`` as UTF-8 with its few bad bytes replaced, when it is UTF-8 but for them: a
        stray byte in a UTF-8 page. Its valid multi-byte characters are at least twice its bad
        sequences and ten times as many less one, and it is no plausible Chinese text in GB18030
        or Big5 (whose bytes make a valid UTF-8 sequence now and then by chance). Else
        ``None``: another encoding is looked for."""
        decoded = _decode_counting(data, "utf-8")
        multibyte = sum(1 for ch in decoded.text if ord(ch) > 0x7F and ch != "\ufffd")
        bad = decoded.replaced
        if multibyte < 2 * bad or bad > max(1, multibyte // 10):
            return None
        for chinese in ("gb18030", "big5"):
            text = _strict(data, chinese)
            if text is not None and self.plausibility(text) >= 0.8:
                return None
        return _with_confidence(decoded, utf8_share(decoded.text, decoded.replaced))

    def _second_opinion(self, data: bytes, detected: str) -> str:
        """On short input charset-normalizer often guesses wrong (GBK as cp949 or Big5, Big5 as
        UTF-16). When its decoding is implausible and GB18030 or Big5 gives plausible Chinese,
        take that instead."""
        text = _strict(data, detected)
        base = self.plausibility(text) if text is not None else 0.0
        scored = []
        for candidate in ("gb18030", "big5"):
            decoded = _strict(data, candidate)
            if decoded is not None and candidate != detected:
                scored.append((self.plausibility(decoded), candidate))
        if scored:
            score, candidate = max(scored)
            if score >= 0.8 and score - base >= 0.3:
                return candidate
        return detected

    def plausibility(self, text: str) -> float:
        """How much ``text`` looks like real writing, 0 to 1: its non-ASCII letters are of one
        script, and Chinese text is mostly common characters."""
        letters = [ch for ch in text if ord(ch) > 0x7F and ch.isalpha()]
        if not letters:
            return 0.0
        hangul = sum(1 for ch in letters if "\uac00" <= ch <= "\ud7a3")
        kana = sum(1 for ch in letters if "\u3041" <= ch <= "\u30ff")
        han = [ch for ch in letters if "\u4e00" <= ch <= "\u9fff"]
        if hangul == len(letters):
            return 0.9
        if len(han) + kana != len(letters):
            return 0.1  # scripts mixed in a way real text is not
        if kana * 10 >= len(letters) * 3:
            return 0.9  # Japanese: kana are a good share of it
        common = self.common_han()
        return sum(1 for ch in han if ch in common) / len(letters)

    def common_han(self) -> frozenset[str]:
        """The common Chinese characters: GB2312 level 1 and Big5 level 1 (built once)."""
        if self._common_han is None:
            chars: set[str] = set()
            # GB2312 level 1 (3,755 most used simplified) and Big5 level 1 (5,401 common
            # traditional): the characters nearly all of any real Chinese text is made of.
            for lead in range(0xB0, 0xD8):
                for trail in range(0xA1, 0xFF):
                    chars.update(_strict(bytes([lead, trail]), "gb2312") or "")
            for lead in range(0xA4, 0xC7):
                for trail in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
                    chars.update(_strict(bytes([lead, trail]), "big5") or "")
            self._common_han = frozenset(chars)
        return self._common_han


_CHINESE = ("gb18030", "big5", "big5hkscs")
# The single-byte code pages a short text is tried in, the most common on the web first (a tie
# goes to the first): Western, Central European, Cyrillic, Greek, Turkish, Baltic.
# Latin-1 last: every byte decodes in it (0x80-0x9F as C1 controls, which read badly).
_SINGLE_BYTE = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "latin-1")
_ASCII = bytes(range(128))


def _is_single_byte(name: str) -> bool:
    """Whether ``name`` is a single-byte code page that keeps ASCII (not EBCDIC's cp037)."""
    try:
        every = bytes(range(256)).decode(name, errors="replace")
    except LookupError:
        return False
    return len(every) == 256 and every[:128] == _ASCII.decode("ascii")


def _best_single_byte(data: bytes, guess: str | None) -> tuple[str, float]:
    """The code page whose text reads best (of the common ones and ``guess``), and its score."""
    scored = []
    for order, name in enumerate((*_SINGLE_BYTE, guess)):
        text = _strict(data, name) if name else None
        if name and text is not None:
            scored.append((reads_well(text), -order, name))
    if not scored:
        return "cp1252", 0.0
    score, _, name = max(scored)
    return name, score


def decode_bytes(data: bytes, encoding: str = "auto") -> Decoded:
    """Decode ``data`` with a new :class:`Decoder` (use one Decoder for many files)."""
    return Decoder().decode(data, encoding)
