"""Encoding detection: BOMs, UTF-8, GB18030/GBK, Big5, UTF-16, and bytes that do not decode."""

from __future__ import annotations

import codecs

import pytest

from pipeline.decoding import decode_bytes

ZH_HANS = (
    "电信客服职位的招聘需求呈现稳定增长趋势，尤其是在一线城市。随着技术的发展，行业将面临变革。"
)
ZH_HANT = (
    "電信客服職位的招聘需求呈現穩定增長趨勢，尤其是在一線城市。隨著技術的發展，行業將面臨變革。"
)


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (ZH_HANS, "gb18030", "gb18030"),
        (ZH_HANS, "gbk", "gb18030"),
        (ZH_HANT, "big5", "big5"),
        (ZH_HANS[:12], "gb18030", "gb18030"),
        (ZH_HANT[:12], "big5", "big5"),
        ("Career prospects: salaries rose 5% in 2010.", "utf-8", "utf-8"),
        (ZH_HANS, "utf-8", "utf-8"),
    ],
)
def test_detects_common_encodings(text: str, encoding: str, expected: str) -> None:
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text == text
    assert decoded.encoding == expected
    assert decoded.replaced == 0
    assert decoded.problem_reason() is None


@pytest.mark.parametrize(
    ("bom", "encoding", "expected"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
    ],
)
def test_bom_decides_and_is_removed(bom: bytes, encoding: str, expected: str) -> None:
    decoded = decode_bytes(bom + ZH_HANS.encode(encoding))
    assert decoded.text == ZH_HANS
    assert decoded.encoding == expected


def test_utf16_without_bom_is_detected() -> None:
    decoded = decode_bytes(ZH_HANS.encode("utf-16-le"))
    assert decoded.text == ZH_HANS
    assert decoded.encoding.startswith("utf_16") or decoded.encoding.startswith("utf-16")


def test_undecodable_bytes_are_replaced_and_reported() -> None:
    data = b"Career prospects " + b"\xff\xfe\xfa" + b" in China"
    decoded = decode_bytes(data, "utf-8")
    assert decoded.text.startswith("Career prospects ")
    assert decoded.text.endswith(" in China")
    assert "\ufffd" in decoded.text
    assert decoded.first_bad_offset == len("Career prospects ")
    reason = decoded.problem_reason()
    assert reason is not None and "replaced by U+FFFD" in reason and "byte 17" in reason


def test_literal_replacement_character_is_not_counted_as_damage() -> None:
    data = "ok \ufffd already here ".encode() + b"\xff"
    decoded = decode_bytes(data, "utf-8")
    assert decoded.replaced == 1


def test_forced_encoding_is_used_as_given() -> None:
    decoded = decode_bytes(ZH_HANT.encode("big5"), "big5")
    assert decoded.text == ZH_HANT and decoded.encoding == "big5"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        # charset-normalizer alone reads these as cp949, Big5 or UTF-16-BE garbage.
        ("客服人员", "gbk", "gb18030"),
        ("薪资水平", "gbk", "gb18030"),
        ("工资", "gbk", "gb18030"),
        ("发展前景", "gbk", "gb18030"),
        ("職業現狀", "big5", "big5"),
        ("薪資", "big5", "big5"),
        # ...and the second opinion leaves real Korean and Japanese alone.
        ("콜센터 산업은 빠르게 성장하고 있습니다.", "cp949", "cp949"),
        ("業界は急速", "shift_jis", "cp932"),
    ],
)
def test_short_legacy_chinese_gets_a_second_opinion(
    text: str, encoding: str, expected: str
) -> None:
    decoded = decode_bytes(text.encode(encoding))
    assert (decoded.text, decoded.encoding) == (text, expected)


def test_latin_utf16_without_bom_is_not_taken_for_utf8() -> None:
    text = "Career prospects\n\nThe call center grows fast.\n"
    decoded = decode_bytes(text.encode("utf-16-le"))
    assert decoded.text == text
    assert decoded.encoding == "utf-16-le"


@pytest.mark.parametrize(
    "text",
    [
        "Le métier de conseiller: un salaire de 6 000 € par mois.",
        "客服专员的月薪约为五千元，夜班另有补贴。",
        "Ein Beruf für Menschen, die gern reden: Gehalt 2.500 € im Monat.",
    ],
)
def test_utf8_with_a_stray_byte_stays_utf8_with_a_warning(text: str) -> None:
    """A page that is UTF-8 but for one stray byte is not taken for another code page (it
    was read as cp1250: "mĂ©tier")."""
    middle = len(text) // 2  # between two characters
    decoded = decode_bytes(text[:middle].encode() + b"\xff" + text[middle:].encode())
    assert decoded.encoding == "utf-8"
    assert decoded.text.replace("\ufffd", "") == text
    assert decoded.replaced == 1 and decoded.problem_reason() is not None


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("招聘客服专员，月薪五千元，包吃住，夜班另有补贴。", "gbk"),
        ("电信客服行业近年来发展迅速，人才需求持续增长。", "gb18030"),
        ("招聘客服專員，月薪五千元，包吃住，夜班另有補貼。", "big5"),
    ],
)
def test_chinese_legacy_text_is_not_taken_for_utf8_with_errors(text: str, encoding: str) -> None:
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text == text and decoded.replaced == 0


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Le métier de conseiller, très bien payé à Paris.", "latin-1"),
        ("Très bien: où est la gare? Ça va.", "cp1252"),
        ("métier", "latin-1"),
        ("naïve café", "latin-1"),
        ("Grüße aus München, schöne Straße.", "latin-1"),
        ("The salary is 5000 € per month — really “good”.", "cp1252"),
        ("Zażółć gęślą jaźń, łódź.", "cp1250"),
        ("Příliš žluťoučký kůň úpěl ďábelské ódy.", "cp1250"),
        ("Привет, как дела? Работа оператора.", "cp1251"),
        ("Ελληνικά κείμενα εδώ.", "cp1253"),
        pytest.param(
            "İstanbul’da çalışan öğretmen.",
            "cp1254",
            marks=pytest.mark.xfail(
                strict=True, reason="Turkish reads as well in cp1252 (Ýstanbul), which wins ties"
            ),
        ),
    ],
)
def test_a_short_text_in_a_single_byte_code_page_is_read_in_one_that_reads_well(
    text: str, encoding: str
) -> None:
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text == text and decoded.replaced == 0
    assert decoded.confidence >= 0.9


def test_a_short_utf8_text_with_a_stray_byte_is_utf8_with_the_byte_replaced() -> None:
    decoded = decode_bytes("Le métier de conseiller".encode() + b"\xff")  # was cp1250: mĂ©tier
    assert decoded.encoding == "utf-8" and decoded.text == "Le métier de conseiller\ufffd"
    assert decoded.replaced == 1 and decoded.confidence == 0.5


@pytest.mark.parametrize(
    ("data", "confidence"),
    [
        (b"plain ASCII", 1.0),
        ("métier".encode(), 1.0),  # strict UTF-8
        (codecs.BOM_UTF8 + "métier".encode(), 1.0),
        ("métier".encode("latin-1"), 1.0),
        (b"caf\xe9 \x9d\x8f", 0.67),  # no code page reads it all well
    ],
)
def test_the_confidence_says_how_sure_the_choice_is(data: bytes, confidence: float) -> None:
    assert decode_bytes(data).confidence == confidence
