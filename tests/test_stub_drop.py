"""The light entry a corpus stage makes for a dropped spilled paragraph: it says what the full
entry says, pickles, is filled in from the spill, and holds far less memory."""

from __future__ import annotations

import json
import pickle
import tracemalloc
from pathlib import Path

from pipeline.records import (
    AppliedDecision,
    DroppedParagraph,
    Fix,
    Paragraph,
    Record,
    dropped_from,
    to_json_line,
)
from pipeline.spill import Spill, spill_chunk
from pipeline.stub_drop import StubDrop

TEXTS = ["Title", "Agents earn about 6,000 yuan a month.", "中文段落。"]


def _spilled(tmp_path: Path, texts: list[str] = TEXTS) -> tuple[Spill, Record, list[Paragraph]]:
    paragraphs = [
        Paragraph(n, role="body", text=t, lang="en", line=n + 3, hash=f"{n + 10:08x}")
        for n, t in enumerate(texts)
    ]
    record = Record("id-a", "a.txt", None, None, "en", None, None, paragraphs)
    spill = Spill(tmp_path)
    light = spill.add(spill_chunk([[record]], {}))
    spill.seal()
    return spill, record, light[0][0].paragraphs


def test_a_dropped_stub_is_light_and_says_what_the_full_entry_says(tmp_path: Path) -> None:
    spill, record, stubs = _spilled(tmp_path)
    try:
        kept = {"source": "b.txt", "index": 4}
        light = dropped_from("a.txt", stubs[1], "exact_duplicate", dict(kept), 100.0, [])
        full = dropped_from("a.txt", record.paragraphs[1], "exact_duplicate", dict(kept), 100.0, [])
        assert isinstance(light, StubDrop) and type(full) is DroppedParagraph
        # The light entry has no text, repairs or flags: the spill has them. The rest is equal.
        assert json.loads(to_json_line(light)) == {**json.loads(to_json_line(full)), "text": ""}
        assert light.line == 4 and light.hash == "0000000b" and light.duplicate_of == kept
        filled = light.with_content(full.text, [], [])
        assert type(filled) is DroppedParagraph and filled == full
        assert pickle.loads(pickle.dumps(light)) == light
    finally:
        spill.close()


def test_what_is_assigned_to_a_light_entry_stays(tmp_path: Path) -> None:
    spill, _, stubs = _spilled(tmp_path)
    try:
        decision = AppliedDecision("keep", None, None, 2)
        entry = dropped_from("a.txt", stubs[2], "boilerplate", None, None, ["seen on 3 pages"])
        assert entry.duplicate_of is None and entry.evidence == ["seen on 3 pages"]
        entry.evidence = ["changed"]
        entry.duplicate_of = {"source": "c.txt", "index": 1, "note": "other keys are kept"}
        entry.decisions = [decision]
        again = pickle.loads(pickle.dumps(entry))
        for item in (entry, again):
            assert item.evidence == ["changed"] and item.decisions == [decision]
            assert item.duplicate_of == {
                "source": "c.txt",
                "index": 1,
                "note": "other keys are kept",
            }
    finally:
        spill.close()


def test_a_light_entry_reads_its_line_and_hash_and_keeps_those_set_on_it(
    tmp_path: Path,
) -> None:
    spill, record, stubs = _spilled(tmp_path)
    try:
        entries = [dropped_from("a.txt", p, "near_duplicate", None, 95.0, []) for p in stubs]
        assert [(e.line, e.hash) for e in entries] == [(p.line, p.hash) for p in record.paragraphs]
        entries[0].line = 40
        entries[1].hash = "00000fff"
        entries[2].line = None
        assert (entries[0].line, entries[0].hash) == (40, record.paragraphs[0].hash)
        assert (entries[1].line, entries[1].hash) == (record.paragraphs[1].line, "00000fff")
        assert (entries[2].line, entries[2].hash) == (None, record.paragraphs[2].hash)
        # The spill's rows stay in this process: an entry pickles with its line and hash.
        for entry in entries:
            again = pickle.loads(pickle.dumps(entry))
            assert (again.line, again.hash) == (entry.line, entry.hash)
    finally:
        spill.close()


def test_a_paragraph_repair_left_empty_keeps_its_repairs_in_the_light_entry(
    tmp_path: Path,
) -> None:
    spill = Spill(tmp_path)
    fix = Fix("nbsp", "\xa0", "", 0, 1)
    paragraph = Paragraph(1, role="body", text="", lang="und", fixes=[fix])
    record = Record("id-a", "a.txt", None, None, "en", None, None, [paragraph])
    try:
        stub = spill.add(spill_chunk([[record]], {}))[0][0].paragraphs[0]
        spill.seal()
        entry = dropped_from("a.txt", stub, "empty", evidence=["no text left"])
        assert entry.fixes == [fix] and entry.line is None and entry.hash == ""
    finally:
        spill.close()


def _bytes_held(make: object) -> int:
    assert callable(make)
    tracemalloc.start()
    try:
        entries = make()
        held = tracemalloc.get_traced_memory()[0]
        del entries
    finally:
        tracemalloc.stop()
    return held


def test_light_entries_hold_well_under_half_the_memory_of_full_ones(tmp_path: Path) -> None:
    texts = [f"Paragraph number {n} of a long article about careers." for n in range(2000)]
    spill, _, stubs = _spilled(tmp_path, texts)
    kept = {"source": "b", "index": 9}
    try:

        def light() -> list[DroppedParagraph]:
            return [dropped_from("a.txt", p, "near_duplicate", dict(kept), 91.5) for p in stubs]

        def full() -> list[DroppedParagraph]:  # the same stubs' entries, full (as made before)
            return [
                DroppedParagraph(
                    "a.txt",
                    p.index,
                    "",
                    "near_duplicate",
                    dict(kept),
                    91.5,
                    list(p.evidence),
                    p.line,
                    p.hash,
                    p.lang,
                    p.fixes,
                    p.flags,
                    p.decisions,
                )
                for p in stubs
            ]

        assert _bytes_held(light) < 0.5 * _bytes_held(full)
    finally:
        spill.close()
