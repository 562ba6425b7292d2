"""Language labels: short headings, mixed paragraphs, other languages, scripts, determinism."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import LanguageConfig
from pipeline.language import Label, LanguageDetector, resolve_undecided


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(LanguageConfig())


# Short headings of the kind scraped career pages carry: langdetect alone mislabels many of these.
SHORT_EN = [
    "Career prospects",
    "Occupational characteristics",
    "Salary",
    "Job outlook",
    "Skills needed",
    "Work environment",
    "Education",
    "FAQ",
    "Summary",
    "Training and promotion",
]
SHORT_ZH = [
    "职业现状",
    "发展前景",
    "职业成功要素",
    "薪资",
    "未来工作内容/场景:",
    "工作环境",
    "就业前景",
]


@pytest.mark.parametrize("text", SHORT_EN)
def test_short_english_headings(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text).lang == "en"


@pytest.mark.parametrize("text", SHORT_ZH)
def test_short_chinese_headings(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text) == Label("zh", "Hans")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The call center industry is growing at an annual rate of 30%.", "en"),
        ("随着5G、6G技术的发展和数字化转型的推进,电信客服行业将面临重大变革。", "zh"),
        ("客服人员需要掌握CRM系统和Excel等办公软件,并具备良好的沟通能力。", "zh"),
        ("在HR部门,KPI考核和OKR管理是日常工作的核心内容之一。", "zh"),
        ("Career prospects 发展前景", "mixed"),
        ("The call center (呼叫中心) industry 在中国发展迅速，前景广阔。", "mixed"),
        (
            "This English paragraph mentions 呼叫中心 once but is otherwise entirely English text.",
            "en",
        ),
        (
            "Las perspectivas profesionales en la industria de los centros de llamadas son buenas.",
            "es",
        ),
        ("Les perspectives de carrière dans les centres d'appels sont très bonnes.", "fr"),
        ("콜센터 산업은 빠르게 성장하고 있습니다.", "ko"),
        ("コールセンター業界は急速に成長しています。", "ja"),
        ("Индустрия колл-центров быстро растет в Китае.", "ru"),
        ("2023", "und"),
        ("3000-5000 / 8,000 !!", "und"),
        ("", "und"),
    ],
)
def test_paragraph_languages(detector: LanguageDetector, text: str, lang: str) -> None:
    assert detector.detect(text).lang == lang


def test_traditional_chinese_is_hant(detector: LanguageDetector) -> None:
    assert detector.detect("電信客服職位的招聘需求呈現穩定增長趨勢") == Label("zh", "Hant")
    assert detector.detect("職業現狀") == Label("zh", "Hant")


def test_mixed_paragraphs_carry_a_script(detector: LanguageDetector) -> None:
    assert detector.detect("Career prospects 發展前景") == Label("mixed", "Hant")


def test_short_latin_text_without_english_words_is_undecided(detector: LanguageDetector) -> None:
    label = detector.detect("Perspectivas profesionales")
    assert label == Label("en", decided=False)


def test_undecided_paragraphs_take_their_articles_latin_language() -> None:
    labels = [Label("en", decided=False), Label("es"), Label("es"), Label("zh", "Hans")]
    resolved = resolve_undecided(labels, [20, 200, 150, 80])
    assert [label.lang for label in resolved] == ["es", "es", "es", "zh"]


def test_undecided_paragraphs_keep_the_default_without_context() -> None:
    labels = [Label("en", decided=False), Label("zh", "Hans")]
    assert resolve_undecided(labels, [10, 10]) == labels


def test_detection_is_deterministic_across_detectors() -> None:
    texts = ["Perspectivas profesionales en la industria de los centros de llamadas"] * 3
    first = [LanguageDetector(LanguageConfig()).detect(t) for t in texts]
    second = [LanguageDetector(LanguageConfig()).detect(t) for t in texts]
    assert first == second


def test_short_heading_accuracy_beats_langdetect_alone() -> None:
    """The reason scripts decide first: langdetect on its own gets many short headings wrong."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0
    ours = LanguageDetector(LanguageConfig())
    cases = [(t, "en") for t in SHORT_EN] + [(t, "zh") for t in SHORT_ZH]
    ours_right = sum(ours.detect(t).lang == lang for t, lang in cases)
    theirs_right = 0
    for text, lang in cases:
        d = factory.create()
        d.append(text)
        theirs_right += d.detect().split("-")[0] == lang
    assert ours_right == len(cases)
    assert theirs_right < len(cases)


def test_langdetect_guess_on_a_short_fragment_yields_to_its_article(
    detector: LanguageDetector,
) -> None:
    """langdetect calls fragments like these Romanian or Norwegian; the article says English."""
    texts = [
        "The call center industry is growing at an annual rate of 30%.",
        "Cultural practices include crop rotation",
        "Toaster, kettle (1.5 kW): 12.5 A",
    ]
    labels = [detector.detect(t) for t in texts]
    assert [label.decided for label in labels] == [True, False, False]
    resolved = resolve_undecided(labels, [len(t) for t in texts])
    assert [label.lang for label in resolved] == ["en", "en", "en"]


def test_long_foreign_paragraph_in_an_english_article_keeps_its_language(
    detector: LanguageDetector,
) -> None:
    texts = [
        "The call center industry is growing at an annual rate of 30%.",
        "Los centros de llamadas emplean a muchas personas en China y el sector crece cada año.",
    ]
    labels = [detector.detect(t) for t in texts]
    assert [label.lang for label in resolve_undecided(labels, [1, 1])] == ["en", "es"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("深证Ａ股４２４．３５点，成交量明显放大。", "zh"),
        ("（Ａ、Ｄ）", "en"),
        (
            "ＣＡＲＥＥＲ ａｎｄ ｔｈｅ ｆｕｔｕｒｅ ｏｆ ｔｈｅ ｉｎｄｕｓｔｒｙ",
            "en",
        ),
        ("Toaster, kettle (1.5&nbsp;kW): 12.5&nbsp;A and the&nbsp;cable", "en"),
        ("&nbsp;&nbsp;&nbsp;", "und"),
    ],
)
def test_full_width_letters_and_html_entities(
    detector: LanguageDetector, text: str, lang: str
) -> None:
    assert detector.detect(text).lang == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("尺寸：30×40厘米", "zh"),
        ("价格为5×10元", "zh"),
        ("π ≈ 3.14", "und"),
        ("x³ + y³", "en"),
        ("100 m²", "en"),
    ],
)
def test_symbols_are_not_words(detector: LanguageDetector, text: str, lang: str) -> None:
    assert detector.detect(text).lang == lang


def test_the_one_pass_counts_are_the_regular_expressions_counts_on_every_bmp_character() -> None:
    from pipeline.language import regex_script_counts

    detector = LanguageDetector(LanguageConfig())
    every = "".join(chr(code) for code in range(0x10000) if not 0xD800 <= code < 0xE000)
    assert detector.script_counts(every) == regex_script_counts(every)


_COUNTER = LanguageDetector(LanguageConfig())  # its class table is built once for all examples


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_the_ascii_counts_agree_with_the_regular_expressions(text: str) -> None:
    from pipeline.language import regex_script_counts

    every_ascii = "".join(map(chr, range(128)))
    expected = (52, 0, 0, 0, 52, 0, 0)  # A-Z and a-z: letters, and Latin ones
    assert _COUNTER.script_counts(every_ascii) == regex_script_counts(every_ascii) == expected
    assert _COUNTER.script_counts(text) == regex_script_counts(text)


@given(st.text(max_size=200))
def test_the_one_pass_counts_agree_with_the_regular_expressions(text: str) -> None:
    from pipeline.language import regex_script_counts

    assert _COUNTER.script_counts(text) == regex_script_counts(text)


def _script_by_sets(text: str) -> str:
    """The script as counted character by character: GB2312-only against Big5-only."""

    def only(ch: str, encoding: str, other: str) -> bool:
        def fits(name: str) -> bool:
            try:
                ch.encode(name)
            except UnicodeError:
                return False
            return True

        return "\u4e00" <= ch <= "\u9fff" and fits(encoding) and not fits(other)

    simp = sum(only(ch, "gb2312", "big5") for ch in text)
    trad = sum(only(ch, "big5", "gb2312") for ch in text)
    return "Hant" if trad > simp else "Hans"


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
            st.sampled_from("\x01\x02 abc电信職業现状發展"),
        ),
        max_size=40,
    )
)
def test_the_script_is_counted_as_character_by_character(
    detector: LanguageDetector, text: str
) -> None:
    assert detector.script(text) == _script_by_sets(text)
