"""jieba's HMM for words outside its dictionary (``jieba.finalseg.cut``), the same answer with
less work: for the rjieba segmenter, where this HMM is most of the time left after rjieba.

``finalseg.viterbi`` keeps a dictionary per step and copies every path at every step. Here the
four states are unrolled: the same sums, in the same order, of the same table entries (so the
same floating-point numbers), and the same choice where two are equal (Python's ``max`` over
``(probability, state)`` pairs keeps the later state letter on a tie), with one back pointer per
state and step in place of the copied paths. The words are then cut from the states as
``finalseg.__cut`` cuts them. ``tests/test_jieba_hmm.py`` compares the two on random text and
on tables made to tie, and ``pipeline bench --segmenter rjieba`` on the whole corpus.
"""

from __future__ import annotations

from typing import Any


class JiebaHmm:
    """``finalseg.cut(text)`` as a list, from finalseg's own tables and patterns."""

    def __init__(self, finalseg: Any) -> None:
        self._finalseg = finalseg
        floor = finalseg.MIN_FLOAT
        start, trans, emit = finalseg.start_P, finalseg.trans_P, finalseg.emit_P
        self._floor = floor
        self._start = (start["B"], start["M"], start["E"], start["S"])
        self._emit = (emit["B"], emit["M"], emit["E"], emit["S"])
        # The moves finalseg's PrevStatus allows, into B (from E, S), M (M, B), S (S, E) and
        # E (B, M): every one is in its transition table.
        self._trans = (
            trans["E"]["B"],
            trans["S"]["B"],
            trans["M"]["M"],
            trans["B"]["M"],
            trans["S"]["S"],
            trans["E"]["S"],
            trans["B"]["E"],
            trans["M"]["E"],
        )

    def cut(self, text: str) -> list[str]:
        """The words ``finalseg.cut(text)`` yields, in order."""
        finalseg = self._finalseg
        if finalseg.Force_Split_Words:  # words jieba was told to split: its own loop does it
            return list(finalseg.cut(text))
        han, skip = finalseg.re_han, finalseg.re_skip
        words: list[str] = []
        for block in han.split(text):
            if han.match(block):
                words += self._han_words(block)
            else:
                words += [part for part in skip.split(block) if part]
        return words

    def _han_words(self, block: str) -> list[str]:
        states = self._states(block)
        words: list[str] = []
        begin = following = 0
        for position, state in enumerate(states):
            if state == "B":
                begin = position
            elif state == "E":
                words.append(block[begin : position + 1])
                following = position + 1
            elif state == "S":
                words.append(block[position])
                following = position + 1
        if following < len(block):
            words.append(block[following:])
        return words

    def _states(self, block: str) -> list[str]:
        """The most probable states of ``block``'s characters, as ``finalseg.viterbi`` finds
        them (its probability sums and its choice on ties)."""
        floor = self._floor
        emit_b, emit_m, emit_e, emit_s = self._emit
        eb, sb, mm, bm, ss, es, be, me = self._trans
        char = block[0]
        start_b, start_m, start_e, start_s = self._start
        in_b = start_b + emit_b.get(char, floor)
        in_m = start_m + emit_m.get(char, floor)
        in_e = start_e + emit_e.get(char, floor)
        in_s = start_s + emit_s.get(char, floor)
        # Per step, whether each state (B, M, E, S) came from the second of its two sources.
        from_second: list[tuple[bool, bool, bool, bool]] = []
        for char in block[1:]:
            weight = emit_b.get(char, floor)
            first, second = in_e + eb + weight, in_s + sb + weight
            b_second = second >= first  # S beats E on a tie
            next_b = second if b_second else first
            weight = emit_m.get(char, floor)
            first, second = in_m + mm + weight, in_b + bm + weight
            m_second = second > first  # M beats B on a tie
            next_m = second if m_second else first
            weight = emit_s.get(char, floor)
            first, second = in_s + ss + weight, in_e + es + weight
            s_second = second > first  # S beats E on a tie
            next_s = second if s_second else first
            weight = emit_e.get(char, floor)
            first, second = in_b + be + weight, in_m + me + weight
            e_second = second >= first  # M beats B on a tie
            next_e = second if e_second else first
            from_second.append((b_second, m_second, e_second, s_second))
            in_b, in_m, in_e, in_s = next_b, next_m, next_e, next_s
        state = "S" if in_s >= in_e else "E"
        states = [state]
        for b_second, m_second, e_second, s_second in reversed(from_second):
            if state == "B":
                state = "S" if b_second else "E"
            elif state == "M":
                state = "B" if m_second else "M"
            elif state == "E":
                state = "M" if e_second else "B"
            else:
                state = "E" if s_second else "S"
            states.append(state)
        states.reverse()
        return states
