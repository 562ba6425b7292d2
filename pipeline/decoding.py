"""Bytes to text: byte-order marks, strict UTF-8, then charset-normalizer for the rest.

Detection order: a BOM (UTF-8, UTF-16, UTF-32) decides; otherwise text that decodes as strict UTF-8
is UTF-8; otherwise charset-normalizer picks the encoding (GB18030/GBK, Big5, UTF-16 without BOM,
Shift-JIS, cp1252...). GB2312 and GBK answers are widened to GB18030, their superset, so that no
byte sequence valid in a Chinese page is lost. Bytes that still do not decode become U+FFFD and a
warning that says how many and where the first one was.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "big5hkscs": "big5hkscs"}


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the encoding used, and a description of undecodable bytes (if any)."""

    text: str
    encoding: str
    replaced: int = 0
    first_bad_offset: int | None = None

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


def _normalise_name(name: str) -> str:
    name = codecs.lookup(name).name
    return _WIDEN.get(name, name)


def decode_bytes(data: bytes, encoding: str = "auto") -> Decoded:
    """Decode ``data`` with ``encoding``, or detect the encoding when it is ``"auto"``."""
    if encoding != "auto":
        return _decode_counting(data, encoding)
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode_counting(data, name)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return _decode_counting(data, "utf-8")
    return _decode_counting(data, _normalise_name(best.encoding))
