"""The streamed run: records spilled to a work folder, light records for the corpus stages,
articles read one at a time, chunks kept in order with a few in flight."""

from __future__ import annotations

import itertools
import json
import random
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import write
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.config import Config, DedupConfig
from pipeline.dedup_items import SHORT_KEY, Item, ItemTable, LocalPairs
from pipeline.final import final_articles
from pipeline.fingerprint import comparison_key
from pipeline.ordered import in_order
from pipeline.output import OUTPUT_FILES, render_outputs
from pipeline.paragraph_table import StubParagraph, digest
from pipeline.reading import open_file
from pipeline.records import AppliedDecision, Paragraph, Record
from pipeline.runner import run_pipeline
from pipeline.spill import Spill, spill_chunk
from pipeline.text_width import is_prose

LONG = "Agents in Shanghai earn about 6,000 yuan a month before tax, more on night shifts."


def _record(source: str, texts: list[str], lang: str = "en") -> Record:
    paragraphs = [
        Paragraph(n, role="title" if n == 0 else "body", text=t, lang=lang, line=n + 1)
        for n, t in enumerate(texts)
    ]
    for paragraph in paragraphs:
        paragraph.hash = f"{n:08x}" if (n := paragraph.index) else "0000abcd"
    return Record(f"id-{source}-{lang}", source, None, None, lang, None, texts[0], paragraphs)


def test_a_stub_reads_its_text_key_line_and_hash_from_the_spill(tmp_path: Path) -> None:
    spill = Spill(tmp_path)
    record = _record("a.txt", ["Title", "Ｆｕｌｌ　ｗｉｄｔｈ text", "中文段落。"])
    light = spill.add(spill_chunk([[record]], {}))
    spill.seal()
    stubs = light[0][0].paragraphs
    assert all(isinstance(stub, StubParagraph) for stub in stubs)
    assert [stub.text for stub in stubs] == [p.text for p in record.paragraphs]
    assert [stub.line for stub in stubs] == [1, 2, 3]
    assert stubs[0].hash == "0000abcd"
    first = stubs[1]
    assert isinstance(first, StubParagraph)
    assert first.key_text == comparison_key(first.text) == "fullwidthtext"
    assert first.key == digest("fullwidthtext") and first.key_length == len("fullwidthtext")
    with pytest.raises(AttributeError):
        first.text = "changed"
    spill.close()
    assert list(tmp_path.iterdir()) == []  # the work folder is gone


def test_a_stub_gives_the_prose_and_shape_of_its_full_paragraph(tmp_path: Path) -> None:
    """Site furniture reads whether a stub is prose and its shape from the spill's rows: the
    same answers as for the full paragraph, one at a time or an article's at once."""
    from pipeline.furniture import site

    texts = [
        "Title",
        "",
        LONG,
        "Agents earn 6,000 yuan; some earn 7,000 yuan a month before tax in the city of Shanghai.",
        "某某公司招聘。岗位职责：负责日常的客户服务工作，解答客户的各种问题，并按时完成主管交给的其他任务。",
        "Home > Jobs",
    ]
    record = _record("a.txt", texts)
    spill = Spill(tmp_path)
    try:
        stubs = spill.add(spill_chunk([[record]], {}))[0][0].paragraphs
        spill.seal()
        full = record.paragraphs
        assert [site._prose(stub) for stub in stubs] == [is_prose(p.text) for p in full]
        assert [is_prose(p.text) for p in full] == [False, False, False, True, True, False]
        shapes = [site._shape(p) for p in full]
        assert [site._shape(stub) for stub in stubs] == shapes
        assert site._shapes(stubs).tolist() == site._shapes(full).tolist() == shapes
        assert shapes[1] == 0 and len(set(shapes)) == len(shapes)
    finally:
        spill.close()


def test_stubs_of_later_chunks_and_records_read_their_own_rows(tmp_path: Path) -> None:
    """A stub keeps its record's rows and its place among them, not a number of its own: the
    record's stubs share one rows object, and after a second chunk is spilled each stub still
    reads its own paragraph."""
    spill = Spill(tmp_path)
    chunks = [
        [[_record("a.txt", ["A title", "A one", "A two"])]],
        [
            [_record("b.txt", ["B title", "B one"]), _record("b.txt", ["B 中文", "B 二"], "zh")],
            [_record("c.txt", ["C title"] + [f"C {n}" for n in range(300)])],
        ],
    ]
    try:
        light = [
            record
            for chunk in chunks
            for records in spill.add(spill_chunk(chunk, {}))
            for record in records
        ]
        spill.seal()
        originals = [record for chunk in chunks for records in chunk for record in records]
        for record, original in zip(light, originals, strict=True):
            stubs = record.paragraphs
            assert all(isinstance(stub, StubParagraph) for stub in stubs)
            assert len({id(stub.rows) for stub in stubs if isinstance(stub, StubParagraph)}) == 1
            assert [stub.text for stub in stubs] == [p.text for p in original.paragraphs]
            assert [stub.line for stub in stubs] == [p.line for p in original.paragraphs]
        serials = [
            stub.serial
            for record in light
            for stub in record.paragraphs
            if isinstance(stub, StubParagraph)
        ]
        assert serials == list(range(3 + 2 + 2 + 301))
    finally:
        spill.close()


def test_a_pickled_chunk_arrives_with_the_same_light_records_and_stubs(tmp_path: Path) -> None:
    """A chunk comes back from a worker process pickled (its light records as plain tuples):
    loaded, each record and stub has the fields it had, a record's stubs share one rows object
    again, an emptied paragraph keeps its repairs, and once spilled each stub reads its own
    paragraph."""
    import pickle

    from pipeline.records import Fix

    first = _record("a.txt", ["A title", "", LONG])
    first.paragraphs[1].fixes = [Fix("drop_junk", "###", "", 0, 3)]
    first.paragraphs[2].role = "advert"
    first.paragraphs[2].evidence = ["a link to a shop"]
    first.paragraphs[2].decisions = [AppliedDecision("set_role", "advert", None, 2)]
    chinese = _record("a.txt", ["中文标题", "中文段落。"], "zh")
    chinese.url, chinese.article_id, chinese.script = "https://example.com/a", "a-1", "Hans"
    articles = [[first, chinese], [_record("b.txt", ["B title", "B one"])]]
    chunk = spill_chunk(articles, {"spill": 0.5})
    loaded = pickle.loads(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
    fields = ("index", "role", "lang", "evidence", "decisions", "offset", "empty_fixes")

    def described(records: list[list[Record]]) -> list[Any]:
        return [
            [
                (
                    (r.id, r.source, r.article_id, r.url, r.lang, r.script, r.title),
                    [tuple(getattr(stub, name) for name in fields) for stub in r.paragraphs],
                    r.paragraphs[0].rows.first,  # type: ignore[attr-defined]
                )
                for r in article
            ]
            for article in records
        ]

    assert described(loaded.light) == described(chunk.light)
    assert loaded.seconds == {"spill": 0.5}
    assert (loaded.blob, loaded.texts) == (chunk.blob, chunk.texts)
    assert loaded.rows.tolist() == chunk.rows.tolist()
    assert [rows.first for rows in loaded.stub_rows] == [0, 3, 5]
    for record, rows in zip(
        (r for article in loaded.light for r in article), loaded.stub_rows, strict=True
    ):
        assert all(stub.rows is rows for stub in record.paragraphs)  # type: ignore[attr-defined]
    spill = Spill(tmp_path)
    try:
        light = spill.add(loaded)
        spill.seal()
        stubs = [stub for article in light for record in article for stub in record.paragraphs]
        originals = [p for article in articles for record in article for p in record.paragraphs]
        assert [stub.text for stub in stubs] == [p.text for p in originals]
        assert stubs[1].fixes == first.paragraphs[1].fixes and stubs[1].text == ""
    finally:
        spill.close()


def test_chunks_written_by_workers_are_read_from_their_files(tmp_path: Path) -> None:
    """A worker process writes its chunks' blobs and texts into the work folder itself (two
    workers, two pairs of files), and the run spills only where they are, between chunks it
    writes itself: every stub reads its own text and key, every record blob its own records,
    and the processed lines (what the index keeps) are read back from the worker's file."""
    from pipeline.final import processed_lines
    from pipeline.spill import ChunkFiles

    spill = Spill(tmp_path)
    workers = [ChunkFiles(spill.folder, "one"), ChunkFiles(spill.folder, "two")]
    articles = [
        [[_record(f"{name}.txt", [f"{name} title", f"{name} 中文段落。", f"{name} {LONG}"])]]
        for name in "abcdef"
    ]
    try:
        written = []
        for n, chunk in enumerate(articles):
            spilled = spill_chunk(chunk, {})
            lines = processed_lines(spilled)
            if n % 3 != 2:  # a worker's, and every third chunk the run's own (from the index)
                spilled = workers[n % 3].store(spilled)
                assert spilled.blob == spilled.texts == b"" and spilled.stored is not None
                assert processed_lines(spilled) == lines
            written.append(spill.add(spilled))
        spill.seal()
        names = sorted(path.name for path in spill.folder.iterdir())
        assert {"records-one.bin", "texts-two.bin"} <= set(names)
        for light, chunk in zip(written, articles, strict=True):
            for stub, full in zip(light[0][0].paragraphs, chunk[0][0].paragraphs, strict=True):
                assert isinstance(stub, StubParagraph)
                assert (stub.text, stub.key_text) == (full.text, comparison_key(full.text))
        records = [record for chunk in articles for article in chunk for record in article]
        kept = [record for light in written for article in light for record in article]
        back = list(final_articles(spill, kept, []))
        assert [[r.source for r in article] for article, _ in back] == [
            [r.source for r in article] for chunk in articles for article in chunk
        ]
        texts = [[p.text for p in r.paragraphs] for article, _ in back for r in article]
        assert texts == [[p.text for p in r.paragraphs] for r in records]
    finally:
        spill.close()
    assert list(tmp_path.iterdir()) == []


def test_the_final_records_take_what_the_stages_changed_and_the_spill_the_rest(
    tmp_path: Path,
) -> None:
    spill = Spill(tmp_path)
    record = _record("a.txt", ["Title", LONG, "Breadcrumb > Jobs"])
    record.paragraphs[1].tokens = ("kept", "tokens")
    light = spill.add(spill_chunk([[record]], {}))
    spill.seal()
    kept = light[0][0]
    title, body, crumb = kept.paragraphs
    title.role, title.evidence = "heading", ["slogan"]
    body.decisions = [AppliedDecision("keep", None, None, 1, "applied")]
    kept.paragraphs, kept.title = [title, body], None
    from pipeline.records import dropped_from

    gone = dropped_from("a.txt", crumb, "breadcrumb", evidence=["a path of links"])
    [(records, dropped)] = list(final_articles(spill, [kept], [gone]))
    [final] = records
    assert final.title is None
    assert [(p.index, p.role, p.evidence) for p in final.paragraphs] == [
        (0, "heading", ["slogan"]),
        (1, "body", []),
    ]
    assert list(final.paragraphs[1].tokens or []) == ["kept", "tokens"]
    assert final.paragraphs[1].decisions[0].outcome == "applied"
    assert [(d.index, d.text, d.reason, d.evidence) for d in dropped] == [
        (2, "Breadcrumb > Jobs", "breadcrumb", ["a path of links"])
    ]
    spill.close()


def test_a_run_spills_into_its_work_folder_and_removes_it(raw_dir: Path, tmp_path: Path) -> None:
    write(raw_dir, "a.txt", f"Title\n\n{LONG}\n")
    work = tmp_path / "work"
    result = run_pipeline(raw_dir, Config(), work_dir=work)
    [folder] = list(work.iterdir())
    assert folder.name.startswith(".work-") and (folder / "records.bin").is_file()
    assert [p.text for r in result.records for p in r.paragraphs] == ["Title", LONG]
    result.close()
    assert list(work.iterdir()) == []


def test_run_leaves_no_work_or_temporary_folder_in_out_dir(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", f"Title\n\n{LONG}\n")
    code = CliRunner().invoke(main, ["run", str(raw_dir), "--out", "out", "-q"]).exit_code
    assert code == 0
    names = {p.name for p in Path("out").iterdir()}
    assert set(OUTPUT_FILES) <= names
    assert not [name for name in names if name.startswith((".work-", ".write-"))]


def test_a_jsonl_file_is_parsed_an_article_at_a_time(raw_dir: Path, config: Config) -> None:
    lines = [json.dumps({"title": f"Title {n}", "text": LONG}) for n in range(3)]
    write(raw_dir, "a.jsonl", "\n".join([*lines[:2], "{bad", lines[2]]) + "\n")
    item, articles = open_file(raw_dir, "a.jsonl", config)
    first = next(articles)
    assert first.source == "a.jsonl:1" and item.problems == [] and item.articles_read is None
    rest = list(articles)
    assert [a.source for a in rest] == ["a.jsonl:2", "a.jsonl:4"]
    assert [(p.line, p.kind) for p in item.problems] == [(3, "invalid_json")]
    assert item.articles_read == item.article_count == 3


def test_chunks_come_back_in_order_with_at_most_the_window_in_flight() -> None:
    in_flight, most = 0, 0

    def slow(n: int) -> int:
        return n * n

    with ThreadPoolExecutor(4) as pool:

        def submit(function: Any, item: int) -> Future[Any]:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            return pool.submit(function, item)

        results = []
        for value in in_order(submit, slow, range(20), window=3):
            in_flight -= 1
            results.append(value)
    assert results == [n * n for n in range(20)]
    assert most == 3


def _items(rng: random.Random) -> list[Item]:
    texts = ["short", "another short", LONG, LONG.replace("6,000", "7,000"), "x" * 45]
    items = []
    position = 0
    for article in range(3):
        for index in range(rng.randint(1, 6)):
            text = rng.choice(texts)
            paragraph = Paragraph(index, role="body", text=text, lang="en")
            key = comparison_key(text)
            long_enough = len(text) >= DedupConfig().min_length_en
            items.append(Item(position, article, f"{article}.txt", paragraph, key, long_enough))
            position += 1
    return items


@pytest.mark.parametrize("seed", range(30))
def test_local_pairs_are_every_pair_with_a_short_or_local_only_paragraph(seed: int) -> None:
    items = _items(random.Random(seed))
    table = ItemTable.of(items)
    pairs = LocalPairs(table)
    expected: dict[int, set[int]] = {item.position: set() for item in items}
    for a, b in itertools.permutations(items, 2):  # the definition: all pairs, then filter
        short = len(a.key) < SHORT_KEY or not a.across
        if a.article == b.article and a.key != b.key and short:
            expected[a.position].add(b.position)
            expected[b.position].add(a.position)
    assert {item.position: set(pairs.of(item.position)) for item in items} == expected


def test_a_file_from_the_index_between_fresh_ones_keeps_its_place(raw_dir: Path) -> None:
    for name in ("a", "b", "c"):
        write(raw_dir, f"{name}.txt", f"Title {name}\n\n{LONG}\n\nOwn line of {name}.\n")
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(raw_dir), "--out", "out", "-q"]).exit_code == 0
    for name in ("a", "c"):  # b stays in the index, between two files read again
        write(raw_dir, f"{name}.txt", f"Title {name}\n\n{LONG}\n\nNew line of {name}.\n")
    args = ["run", str(raw_dir), "--out", "out", "-q", "--jobs", "2"]
    assert runner.invoke(main, args).exit_code == 0
    full = run_pipeline(raw_dir, Config())
    expected = render_outputs(full, Config())
    full.close()
    for name in ("en.jsonl", "dropped.jsonl"):
        assert (Path("out") / name).read_bytes() == expected[name]
    dropped = [json.loads(line) for line in Path("out/dropped.jsonl").read_text().splitlines()]
    assert [(d["source"], d["duplicate_of"]["source"]) for d in dropped] == [
        ("b.txt", "a.txt"),
        ("c.txt", "a.txt"),
    ]


EDGES = ["Example Careers Network", "Subscribe to our newsletter", "Home > Jobs", "Intro"]
NAMES = ["alpha", "beta", "gamma", "delta", "epsilon"]


def _site_articles(pages: list[tuple[list[str], str]]) -> list[Any]:
    from pipeline.furniture.site import SiteArticle

    made = []
    for number, (edges, name) in enumerate(pages):
        prose = [
            f"Agents in {name} earn a good wage before tax, more on night shifts. They work in "
            "teams of ten.",
            f"Night shifts pay more than day shifts, and the work is hard in {name}.",
        ]
        texts = [*edges[:1], *prose, *edges[1:]]
        paragraphs = [Paragraph(i, role="body", text=t, lang="en") for i, t in enumerate(texts)]
        made.append(SiteArticle(f"{number}.txt", "folder:.", paragraphs))
    return made


def _described(found: dict[int, Any], made: list[Any]) -> list[Any]:
    return [(a.source, p.index, found[id(p)]) for a in made for p in a.paragraphs if id(p) in found]


PAGES = st.lists(
    st.tuples(st.lists(st.sampled_from(EDGES), max_size=3), st.sampled_from(NAMES)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(PAGES)
def test_counting_only_frequent_lines_changes_nothing(pages: list[tuple[list[str], str]]) -> None:
    from pipeline.furniture import site

    filtered, everything = _site_articles(pages), _site_articles(pages)
    with pytest.MonkeyPatch.context() as patch:  # every line counted page by page
        patch.setattr(site, "_frequent", lambda lines, least: np.ones(len(lines), dtype=bool))
        expected = _described(site.repeated_furniture(everything, 2), everything)
    assert _described(site.repeated_furniture(filtered, 2), filtered) == expected


def test_the_frequent_lines_example_does_find_furniture() -> None:
    from pipeline.furniture import site

    pages = [(["Example Careers Network", "Subscribe to our newsletter"], n) for n in NAMES]
    made = _site_articles(pages)
    found = _described(site.repeated_furniture(made, 2), made)
    assert {(index, change[0]) for _, index, change in found} == {(0, "boilerplate"), (3, "advert")}


def test_the_one_job_processor_is_freed_when_the_chunks_are_done(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without waiting for the garbage collector: the corpus stages reuse its memory."""
    import gc
    import weakref

    from pipeline import parallel

    write(raw_dir, "a.txt", f"Title\n\n{LONG}\n")
    made: list[weakref.ref[Any]] = []
    original = parallel.ArticleProcessor.__init__

    def remember(self: Any, config: Config, resources: Any = None) -> None:
        original(self, config, resources)
        made.append(weakref.ref(self))

    monkeypatch.setattr(parallel.ArticleProcessor, "__init__", remember)
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = run_pipeline(raw_dir, Config())
        [processor] = made
        assert processor() is None
    finally:
        if collecting:
            gc.enable()
    result.close()


def test_site_repetition_over_no_paragraphs_finds_nothing() -> None:
    from pipeline.furniture.site import SiteArticle, repeated_furniture

    assert repeated_furniture([], 2) == {}
    assert repeated_furniture([SiteArticle("a.txt", "folder:.", []) for _ in range(3)], 2) == {}
