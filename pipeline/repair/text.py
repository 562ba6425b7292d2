"""Rules for damaged characters: full-width digits, mojibake, and bytes lost for good."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterator
from functools import cached_property

import ftfy
import ftfy.badness

from pipeline.decoding import Decoder
from pipeline.repair.base import Finding, found

_HAN = re.compile("[\u4e00-\u9fff]")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class HtmlEntitiesRule:
    """HTML character references left in scraped text are decoded: ``AT&amp;T`` → ``AT&T``,
    ``300&nbsp;lbf`` → ``300 lbf``, ``&#183;`` → ``·``.

    A no-break space becomes a plain space, and a space-like reference at either edge of the
    paragraph is removed (``&#12288;&#12288;`` indenting a Chinese paragraph). Unknown names
    (``&nbnsp;``) are left as they are. A reference escaped twice (``&amp;nbsp;``) is decoded
    in two passes, to the character.
    """

    name = "html_entities"
    _pattern = re.compile(r"(?:&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)+")
    hint = re.compile("&")

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a certain repair for each run of references that decode."""
        if not self.hint.search(text):
            return
        for match in self._pattern.finditer(text):
            decoded = html.unescape(match.group())
            if decoded == match.group():
                continue  # no reference HTML knows
            decoded = decoded.replace("\xa0", " ")
            at_edge = match.start() == 0 or match.end() == len(text)
            if at_edge and not decoded.strip():
                decoded = ""
            yield found(self.name, match, decoded, "certain", "an HTML character reference")


class FullwidthDigitsRule:
    """Full-width digits become ASCII digits in every language: ``１２３`` → ``123``.

    Full-width punctuation around them (``３．５％``) is left as it is: it is normal in Chinese.
    """

    name = "fullwidth_digits"
    _pattern = re.compile("[０-９]+")
    hint = re.compile("[０-９]")  # one character: a quicker search than the run

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a certain repair for each run of full-width digits."""
        for match in self._pattern.finditer(text):
            yield found(
                self.name,
                match,
                match.group().translate(_FULLWIDTH_DIGITS),
                "certain",
                "full-width digits",
            )


class MojibakeRule:
    """UTF-8 read as Latin-1, cp1252 or another single-byte code page, undone by ftfy:
    ``doesnâ€™t`` → ``doesn’t``, ``CafÃ©`` → ``Café``.

    Only ftfy's encoding fixes are used; its width, quote, ligature and normalisation fixes are
    off (the width fix breaks Chinese punctuation), and so is its guess that "Ã " lost a
    no-break space (Portuguese writes "Ã"), so nothing else in the text changes.
    """

    name = "mojibake"
    _suspect = re.compile("[\u0080-\u02ff\u2010-\u2122\u2500-\u25ff]")
    hint = _suspect
    _token = re.compile("[^ \t\n]+")  # ASCII white space only: U+00A0 can be part of mojibake

    @cached_property
    def _config(self) -> ftfy.TextFixerConfig:
        return ftfy.TextFixerConfig(
            unescape_html=False,
            remove_terminal_escapes=False,
            restore_byte_a0=False,  # it turns a real "Ã " into "à"
            fix_latin_ligatures=False,
            fix_character_width=False,
            uncurl_quotes=False,
            fix_line_breaks=False,
            fix_surrogates=False,
            remove_control_chars=False,
            normalization=None,
        )

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a certain repair for each stretch that ftfy's encoding fixes change. Each
        space-separated token is fixed on its own, and a long token's change is one stretch, so
        that long text costs linear time."""
        if not self._suspect.search(text):
            return
        for token in self._token.finditer(text):
            piece = token.group()
            if not self._suspect.search(piece) or not ftfy.badness.is_bad(piece):
                continue
            fixed, steps = ftfy.fix_and_explain(piece, self._config)
            if fixed == piece:
                continue
            how = ", ".join(f"{action} {parameter}" for action, parameter in steps or [])
            for start, end, replacement in _hunks(piece, fixed):
                yield Finding(
                    self.name,
                    token.start() + start,
                    token.start() + end,
                    replacement,
                    "certain",
                    f"mojibake: {how}",
                )


_DIFF_LIMIT = 200  # characters: difflib is quadratic or worse on longer tokens


def _hunks(old: str, new: str) -> list[tuple[int, int, str]]:
    """The changed stretches from ``old`` to ``new`` as (start, end, replacement), neighbours
    closer than two characters merged, and pure insertions widened to one character of
    ``old``. A token longer than ``_DIFF_LIMIT`` (Chinese, or English spaced with U+00A0) is one
    stretch, from its first change to its last."""
    if len(old) > _DIFF_LIMIT or len(new) > _DIFF_LIMIT:
        prefix = 0
        while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < min(len(old), len(new)) - prefix
            and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
        ):
            suffix += 1
        start, end = prefix, max(prefix + 1, len(old) - suffix)
        return [(start, end, new[start : len(new) - (len(old) - end)])]
    hunks: list[list[int]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if hunks and i1 - hunks[-1][1] < 2:
            hunks[-1][1], hunks[-1][3] = i2, j2
        else:
            hunks.append([i1, i2, j1, j2])
    result = []
    for i1, i2, j1, j2 in hunks:
        if i1 == i2:  # an insertion: take in a neighbouring character so the span is not empty
            if i1 > 0:
                i1, j1 = i1 - 1, j1 - 1
            else:
                i2, j2 = i2 + 1, j2 + 1
        result.append((i1, i2, new[j1:j2]))
    return result


class GbkMojibakeRule:
    """UTF-8 Chinese read as GBK: ``鑱屼笟`` → ``职业``. Repaired only when the run's GBK bytes
    are valid UTF-8 and give Chinese text; anything less is left alone."""

    name = "gbk_mojibake"
    _run = re.compile("[^\x00-\x7f]{3,}")
    hint = re.compile("[^\x00-\x7f]{3}")
    _chinese = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a certain repair for each run that decodes back to Chinese."""
        for match in self._run.finditer(text):
            run = match.group()
            try:
                decoded = run.encode("gbk").decode("utf-8")
            except UnicodeError:
                continue
            if "\ufffd" in decoded or len(decoded) < 2:
                continue
            if len(self._chinese.findall(decoded)) < 0.8 * len(decoded):
                continue
            yield found(
                self.name,
                match,
                decoded,
                "certain",
                "mojibake: UTF-8 text read as GBK (its GBK bytes are valid UTF-8)",
            )


class Big5MojibakeRule:
    """Big5 (traditional Chinese) read as GBK: ``┬丁祑砰砞琁ぃ`` → ``房間硬體設施不``.

    A run of non-ASCII text is repaired when it is at least half Han and private-use characters
    and holds some of what Big5's common bytes become in GBK (kana, box drawing, Greek, Cyrillic,
    private use), its GB18030 bytes decode as Big5 without error, and the result is mostly
    common Chinese characters where the run was not; and only in a paragraph where at least one
    such run is six characters long with two telltale characters. Japanese text is left alone.
    Probable: the evidence is statistical.
    """

    name = "big5_mojibake"
    _run = re.compile("[^\x00-\x7f]{2,}")
    _signal = re.compile("[\u0370-\u04ff\u2500-\u257f\u3041-\u30ff\ue000-\uf8ff]")
    hint = _signal
    _japanese = re.compile("[のはをにがでとてたしすま]")
    _kana_word = re.compile("[\u30a1-\u30fa\u30fc]{2,}|[\u3041-\u3096]{3,}")
    _punctuation = re.compile("[\u3000-\u303f\uff00-\uffef]")
    _han_or_private = re.compile("[\u4e00-\u9fff\ue000-\uf8ff]")

    @cached_property
    def _common(self) -> frozenset[str]:
        return Decoder().common_han()

    def _score(self, text: str) -> float:
        common = self._common
        good = sum(1 for ch in text if ch in common or self._punctuation.match(ch))
        return good / len(text)

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a probable repair for each run that decodes back to plausible Big5 text."""
        if not self._signal.search(text):
            return
        wide = [ch for ch in text if ord(ch) > 0x7F]
        if len(self._japanese.findall(text)) >= max(2, 0.05 * len(wide)):
            return  # real Japanese: its particles are not what mojibake looks like
        decodable = []
        for match in self._run.finditer(text):
            run = match.group()
            if not self._signal.search(run) or not _HAN.search(run):
                continue
            if self._kana_word.search(run):
                continue  # a Japanese word (ニトリ): mojibake scatters single kana
            if len(self._han_or_private.findall(run)) < 0.5 * len(run):
                continue  # Greek, Cyrillic, kana or box drawing of their own, not mojibake
            try:
                decoded = run.encode("gb18030").decode("big5")
            except UnicodeError:
                continue
            score = self._score(decoded)
            if score >= 0.85 and score - self._score(run) >= 0.4:
                decodable.append((match, decoded))
        # Short runs ("β版", "α角") decode by chance: only a paragraph with at least one long
        # run full of the telltale characters is taken for mojibake.
        if not any(
            len(match.group()) >= 6 and len(self._signal.findall(match.group())) >= 2
            for match, _ in decodable
        ):
            return
        for match, decoded in decodable:
            yield found(
                self.name,
                match,
                decoded,
                "probable",
                "mojibake: Big5 text read as GBK (its bytes decode as Big5 into common characters)",
            )


class C1ControlsRule:
    """C1 control characters (U+0080 to U+009F) mean nothing in text; after the mojibake rules
    had their chance to decode them (ftfy maps U+0085 to "…"), those left are removed:
    ``a\x9db`` → ``ab``."""

    name = "c1_controls"
    _pattern = re.compile("[\x80-\x9f]+")
    hint = re.compile("[\x80-\x9f]")

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a certain removal for each run of C1 controls."""
        for match in self._pattern.finditer(text):
            yield found(self.name, match, "", "certain", "C1 control characters")


class LostBytesRule:
    """Flags ``锟斤拷`` (U+FFFD as UTF-8, read as GBK) and runs of U+FFFD: bytes lost in an
    earlier decoding. Nothing can bring the text back, so these are never changed."""

    name = "lost_bytes"
    _pattern = re.compile("(?:锟斤拷)+|(?:\ufffd)+")
    # One class of two characters, not the alternation: a search for it is about seven times
    # faster, and every match of the pattern holds one of them.
    hint = re.compile("[锟\ufffd]")

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a flag for each run of lost-byte characters."""
        if not self.hint.search(text):
            return
        for match in self._pattern.finditer(text):
            yield found(
                self.name,
                match,
                None,
                "certain",
                "bytes lost in an earlier decoding: the text here cannot be recovered",
            )
