"""The marker guard cannot be escaped: whatever stands around a marker, it is repaired or flagged;
a number that merely holds 65438 is left alone."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import RepairConfig
from pipeline.repair.engine import Repaired, Repairer
from pipeline.repair.guard import marker_traces
from pipeline.repair.ledger import Ledger

REPAIRERS = (Repairer(RepairConfig()), Repairer(RepairConfig(fix_level="certain")))
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The digits 6 5 4 3 8 (or their tail) formatted as a number, with every separator the
# translator used, and what follows them in the damage.
_FULL = ["65438", "65,438", "65, 438", "65，438", "654.38", "6.5438", "6543.8", "65.438"]
_TAIL = ["5438", "5,438", "54.38", "543.8"]
_PLUS = ["+", "＋", " +", "+0", "+00", "+ 0", "+1", "+ 1", "+ 10", "+10,000"]
_BEFORE = [
    "",
    "20 ",
    "20 1",
    "1",
    "2021",
    "In ",
    "In mid-February, ",
    "generally ",
    "the end of ",
    "招收",
    "年",
    "(",
    '"',
    ": ",
    ":",
    "。",
    ", ",
    "-",
    "June ",
    "8-",
    "about ",
]
_AFTER = [
    "",
    " ",
    "0",
    " students",
    " was made",
    "began",
    "February",
    " early February",
    "1early October",
    "next year1early October",
    " million",
    "million",
    " billion",
    " yuan",
    "名学生",
    "年",
    ")",
    '".',
    ",Tsinghua",
    ", and",
    "/KLOC-0",
    "/kloc-0/",
    "%",
    " 10, and",
]
_KLOC = ["/kloc-0/", "/kloc-0", "/KLOC-0", "kloc-0/", "1kloc-0/0", "/kloc-the school 0/", "/kloc-"]


def _covered(repaired: Repaired, original: str, start: int, end: int) -> bool:
    """Whether a fix or a flag covers ``original[start:end]``."""
    spans = [(f.start, f.end) for f in repaired.fixes] + [(f.start, f.end) for f in repaired.flags]
    return any(a < end and b > start for a, b in spans)


def _assert_every_trace_is_handled(text: str, repairer: Repairer) -> None:
    repaired = repairer.repair(text)
    for _guard, start, end in marker_traces(text):
        assert _covered(repaired, text, start, end), (text, text[start:end])
    ledger = Ledger(text, repaired.fixes)
    for _guard, start, end in marker_traces(repaired.text):  # nothing left silently
        start, end = ledger.original_span(start, end)
        assert any(f.start < end and f.end > start for f in repaired.flags), (text, repaired)


@SETTINGS
@given(
    st.sampled_from(_BEFORE),
    st.sampled_from(_FULL + _TAIL),
    st.sampled_from(_PLUS),
    st.sampled_from(_AFTER),
    st.booleans(),
)
def test_a_marker_with_its_plus_is_always_repaired_or_flagged(
    before: str, marker: str, plus: str, after: str, cautious: bool
) -> None:
    text = before + marker + plus + after
    if marker in _TAIL and re.search(r"[0-9][.,]?$", before):
        return  # a tail after digits is the end of a longer number (25,438+)
    repaired = REPAIRERS[cautious].repair(text)
    start = len(before)
    assert _covered(repaired, text, start, start + len(marker) + len(plus)), (text, repaired)
    _assert_every_trace_is_handled(text, REPAIRERS[cautious])


@SETTINGS
@given(
    st.sampled_from(_BEFORE),
    st.sampled_from(_FULL),
    st.sampled_from([" million", "million", " billion", "February", " January 5", "万", "亿元"]),
)
def test_a_marker_before_a_magnitude_or_a_month_is_repaired_or_flagged(
    before: str, marker: str, after: str
) -> None:
    text = before + marker + after
    if re.search(r"[0-9][.,]?$", before):
        return  # 1,654.38 million is a real number
    repaired = REPAIRERS[0].repair(text)
    assert _covered(repaired, text, len(before), len(before) + len(marker)), (text, repaired)


@SETTINGS
@given(st.sampled_from(_BEFORE), st.sampled_from(_KLOC), st.sampled_from(_AFTER))
def test_a_kloc_marker_is_always_repaired_or_flagged(before: str, kloc: str, after: str) -> None:
    text = before + kloc + after
    repaired = REPAIRERS[0].repair(text)
    start = len(before)
    assert _covered(repaired, text, start, start + len(kloc)), (text, repaired)
    _assert_every_trace_is_handled(text, REPAIRERS[0])


@SETTINGS
@given(
    st.sampled_from(["", "The site had ", "共", "(", ": ", "In 2010, ", "about "]),
    st.sampled_from(_FULL),
    st.sampled_from([" visitors", " people.", "人", ")", "", " in 2021", ", and", " yuan"]),
)
def test_a_number_that_merely_holds_65438_is_left_alone(
    before: str, number: str, after: str
) -> None:
    text = before + number + after
    repaired = REPAIRERS[0].repair(text)
    assert repaired.text == text and not repaired.fixes and not repaired.flags, repaired
