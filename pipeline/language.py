"""Paragraph language: scripts first, langdetect only where scripts cannot decide.

Han, kana, Hangul, Latin and Cyrillic letters are counted. Text with no letters is ``und``. Han with
kana is Japanese, Hangul Korean. Han against Latin decides between ``zh``, ``en`` and ``mixed``: a
Latin word weighs as much as 1.5 Han characters (about one Chinese word), and a paragraph is
``mixed`` when each side has at least ``mixed_min_share`` of the weight. Full-width Latin letters
("Ａ股") count as Chinese typography, not English, and HTML entities ("&nbsp;") are ignored.
So a Chinese paragraph with "HR" and "KPI" in it stays ``zh``, and short headings are labelled by
script, where langdetect is wrong about a quarter of the time.

Latin text is English when English function words make up enough of it; otherwise langdetect (with
a fixed seed, so deterministic) names the language when the text is long enough and it is sure.
Its verdict on text under three times ``langdetect_min_letters`` letters, and short Latin text it is
not asked about, are undecided: they take their article's decided Latin language
(:func:`resolve_undecided`), else keep langdetect's guess, else ``default_latin``.

Chinese paragraphs get a script, ``Hans`` or ``Hant``: characters that GB2312 can encode and Big5
cannot are simplified forms, and the reverse traditional; the larger count wins, ties are Hans.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from pipeline.config import LanguageConfig
from pipeline.recent import Recent

_LETTER = re.compile(r"[^\W\d_]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Katakana middle dot and prolonged sound mark are left out: Chinese uses them in foreign names.
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u31f0-\u31ff\uff66-\uff9d]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_LATIN_WORD = re.compile(
    r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+"
)  # not × ÷
# Full-width Latin letters are Chinese typography ("Ａ股"): they are not English words.
_FULLWIDTH_LATIN = re.compile(r"[Ａ-Ｚａ-ｚ]")
# HTML entities left in scraped text ("&nbsp;") are not words of any language.
_HTML_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_CJK_RANGE = range(0x4E00, 0xA000)
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))  # deleted to count them
# One code per class of character for the one-pass count: its script (if one of those counted)
# and whether it is a letter (nearly all are; a few Hangul fillers, Cyrillic signs and
# unassigned compatibility ideographs are not).
_SCRIPTS = ("han", "kana", "hangul", "latin", "cyrillic", "fullwidth")
_CODE = {
    (script, letter): chr(ord("A") + 2 * number + letter)
    for number, script in enumerate(("", *_SCRIPTS))
    for letter in (0, 1)
}
_LETTER_CODES = tuple(code for (_, letter), code in _CODE.items() if letter)
_LANGDETECT_MEMORY = 100_000  # answers kept per detector
_RECENT_LABELS = 4096  # the labels of the paragraphs labelled last, by text
_HAN_PER_WORD = 1.5
_ENGLISH_SHARE = 0.12
# Function words that are frequent in English and rare as words in other Latin-script languages.
# fmt: off
_ENGLISH_WORDS = frozenset({
    "the", "and", "of", "to", "that", "with", "for", "are", "this", "from", "have", "has",
    "which", "was", "were", "will", "by", "its", "their", "you", "your", "they", "these", "been",
    "but", "into", "than", "more", "also", "about", "would", "should", "what", "when", "how",
    "who", "there", "can", "not", "our", "we", "is", "be", "his", "her", "he", "she", "had",
    "him", "them", "then", "where", "while", "after", "before", "between", "during", "such",
    "other", "some", "only", "most", "many", "two", "three",
})
# fmt: on
_CYRILLIC_LANGS = frozenset({"ru", "uk", "bg", "mk", "sr", "be", "kk"})
_MIN_PROBABILITY = 0.9
_SURE_LETTERS_FACTOR = 3
_MIN_OTHER_LETTERS = 3  # fewer letters of another script are symbols, not a language


@dataclass(frozen=True)
class Label:
    """A paragraph's language (ISO 639-1, ``mixed`` or ``und``), its Chinese script when it has
    Chinese, and whether it is settled, by the text itself or by its article (short Latin text
    may be neither: it then goes with its neighbours' record)."""

    lang: str
    script: str | None = None
    decided: bool = True


class LanguageDetector:
    """Labels paragraphs; langdetect profiles and the script tables load on first use."""

    def __init__(self, config: LanguageConfig) -> None:
        self._config = config
        self._factory: Any = None
        self._script_marks: dict[int, str] | None = None  # simplified-only, traditional-only
        self._langdetect_seen: dict[tuple[str, str, bool], Label] = {}
        self._recent_labels: Recent[str, Label] = Recent(_RECENT_LABELS)

    def detect(self, text: str) -> Label:
        """Label one paragraph."""
        return self._recent_labels.get_or_make(text, self._detect)  # a label depends on it alone

    def _detect(self, text: str) -> Label:
        if "&" in text:
            text = _HTML_ENTITY.sub(" ", text)
        letters, han, kana, hangul, latin, cyrillic, fullwidth = self.script_counts(text)
        if not letters:
            return Label("und")
        latin_words = _LATIN_WORD.findall(text) if latin else []
        if fullwidth and not han + kana:
            return self._detect(unicodedata.normalize("NFKC", text))
        other = letters - han - kana - hangul - latin - cyrillic - fullwidth
        top = max(han + kana, hangul, latin, cyrillic, other)
        if hangul == top:
            return Label("ko")
        if cyrillic == top:
            return self._cyrillic(text, letters)
        if other == top and other > han + kana and other >= _MIN_OTHER_LETTERS:
            return self._by_langdetect(text, default="und", short_ok=True)
        if han + kana and latin:
            cjk_weight = (han + kana) / _HAN_PER_WORD
            latin_share = len(latin_words) / (len(latin_words) + cjk_weight)
            minimum = self._config.mixed_min_share
            if minimum <= latin_share <= 1 - minimum and not kana:
                return Label("mixed", self.script(text))
            if latin_share > 0.5:
                return self._latin(text, latin_words, latin)
        elif latin:
            return self._latin(text, latin_words, latin)
        if not han + kana:  # a stray Greek letter or symbol: "π ≈ 3.14", "μm"
            return Label("und")
        if kana:
            return Label("ja")
        return Label("zh", self.script(text))

    def script_counts(self, text: str) -> tuple[int, int, int, int, int, int, int]:
        """Letters, and of them Han, kana, Hangul, Latin, Cyrillic and full-width Latin ones, in
        one pass (a table of each character's class), as the regular expressions count them."""
        if text.isascii():  # most English text: its letters are A-Z and a-z, all Latin
            latin = len(text) - len(text.encode("ascii").translate(None, _ASCII_LETTERS))
            return latin, 0, 0, 0, latin, 0, 0
        if _BEYOND_BMP.search(text):  # rare: Han extension B and up, emoji
            return regex_script_counts(text)
        classes = text.translate(_class_table())
        letters = sum(classes.count(code) for code in _LETTER_CODES)
        han, kana, hangul, latin, cyrillic, fullwidth = (
            classes.count(_CODE[script, 0]) + classes.count(_CODE[script, 1]) for script in _SCRIPTS
        )
        return letters, han, kana, hangul, latin, cyrillic, fullwidth

    def script(self, text: str) -> str:
        """``Hant`` when traditional-only characters outnumber simplified-only ones, else
        ``Hans``."""
        # One pass in C: each simplified-only character becomes \x01, each traditional-only
        # one \x02 (those the text held already are taken off).
        marked = text.translate(self._script_table())
        simp = marked.count("\x01") - text.count("\x01")
        trad = marked.count("\x02") - text.count("\x02")
        return "Hant" if trad > simp else "Hans"

    def _script_table(self) -> dict[int, str]:
        if self._script_marks is None:
            table = {}
            for code in _CJK_RANGE:
                ch = chr(code)
                in_gb = _encodable(ch, "gb2312")
                in_big5 = _encodable(ch, "big5")
                if in_gb and not in_big5:
                    table[code] = "\x01"
                elif in_big5 and not in_gb:
                    table[code] = "\x02"
            self._script_marks = table
        return self._script_marks

    def _latin(self, text: str, words: list[str], letters: int) -> Label:
        english = sum(map(_ENGLISH_WORDS.__contains__, map(str.lower, words)))  # in C
        if len(words) >= 3 and english >= _ENGLISH_SHARE * len(words):
            return Label("en")
        if letters >= self._config.langdetect_min_letters:
            label = self._by_langdetect(text, default=self._config.default_latin)
            if letters < _SURE_LETTERS_FACTOR * self._config.langdetect_min_letters:
                # langdetect is often wrong on short fragments (names, references, "Toaster,
                # kettle (1.5 kW)"): its guess stands only if the article has no Latin language.
                return replace(label, decided=False)
            return label
        return Label(self._config.default_latin, decided=False)

    def _cyrillic(self, text: str, letters: int) -> Label:
        if letters >= self._config.langdetect_min_letters:
            label = self._by_langdetect(text, default="ru")
            if label.lang in _CYRILLIC_LANGS:
                return label
        return Label("ru", decided=False)

    def _by_langdetect(self, text: str, default: str, short_ok: bool = False) -> Label:
        # langdetect is seeded, so the same text always gets the same answer: ask it once.
        key = (text, default, short_ok)
        label = self._langdetect_seen.get(key)
        if label is None:
            label = self._ask_langdetect(text, default, short_ok)
            if len(self._langdetect_seen) < _LANGDETECT_MEMORY:
                self._langdetect_seen[key] = label
        return label

    def _ask_langdetect(self, text: str, default: str, short_ok: bool) -> Label:
        from langdetect.lang_detect_exception import LangDetectException

        from pipeline.langdetect_numpy import probabilities

        factory = self._detector_factory()
        detector = factory.create()
        detector.append(text)
        try:
            best = probabilities(detector, factory.weights)[0]
        except (LangDetectException, IndexError):
            return Label(default, decided=False)
        if best.prob < _MIN_PROBABILITY and not short_ok:
            return Label(default, decided=False)
        lang = str(best.lang)
        if lang.startswith("zh"):
            return Label("zh", "Hant" if lang == "zh-tw" else "Hans")
        return Label(lang)

    def _detector_factory(self) -> Any:
        if self._factory is None:
            from langdetect.detector_factory import PROFILES_DIRECTORY

            from pipeline.langdetect_numpy import table_factory

            factory = table_factory(PROFILES_DIRECTORY)
            factory.seed = 0  # langdetect samples at random; a fixed seed makes it repeatable
            self._factory = factory
        return self._factory


def regex_script_counts(text: str) -> tuple[int, int, int, int, int, int, int]:
    """What :meth:`LanguageDetector.script_counts` counts, with one regular expression per
    class (for text beyond the BMP, and as the reference the table is tested against)."""
    return (
        len(_LETTER.findall(text)),
        len(_HAN.findall(text)),
        len(_KANA.findall(text)),
        len(_HANGUL.findall(text)),
        sum(map(len, _LATIN_WORD.findall(text))),
        len(_CYRILLIC.findall(text)),
        len(_FULLWIDTH_LATIN.findall(text)),
    )


@functools.cache
def _class_table() -> str:
    """The class code of every BMP character: built once per process on first use (80 ms),
    immutable, shared by every detector."""
    return "".join(_class_of(chr(code)) for code in range(0x10000))


def _class_of(ch: str) -> str:
    """The class code of one character: its script (of those counted) and whether it is a
    letter."""
    letter = int(bool(_LETTER.match(ch)))
    for script, pattern in zip(
        _SCRIPTS, (_HAN, _KANA, _HANGUL, _LATIN_WORD, _CYRILLIC, _FULLWIDTH_LATIN), strict=True
    ):
        if pattern.match(ch):
            return _CODE[script, letter]
    return _CODE["", letter]


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def resolve_undecided(labels: list[Label], weights: list[int]) -> list[Label]:
    """Give undecided (short Latin or Cyrillic) paragraphs their article's language of the same
    kind: the decided language with the most letters among paragraphs of that script family."""
    totals: Counter[str] = Counter()
    for label, weight in zip(labels, weights, strict=True):
        if label.decided and label.lang not in ("zh", "mixed", "und", "ja", "ko"):
            totals[label.lang] += weight
    if not totals:
        return labels
    resolved = []
    for label in labels:
        if label.decided:
            resolved.append(label)
            continue
        family = _CYRILLIC_LANGS if label.lang in _CYRILLIC_LANGS else None
        candidates = [
            (count, lang)
            for lang, count in totals.items()
            if (lang in _CYRILLIC_LANGS) == (family is not None)
        ]
        if candidates:
            _, best = max(candidates)
            resolved.append(replace(label, lang=best, decided=True))
        else:
            resolved.append(label)
    return resolved
