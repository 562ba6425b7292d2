"""The Parquet writer: the same records and dropped paragraphs as the JSONL files, one file per
language plus ``dropped.parquet``, same fields, rows in the same order.

The schema is explicit (nested lists of structs for paragraphs, fixes, flags and decisions), so
that a file with no flags has the same types as one with many. Parquet strings must be valid
UTF-8: a lone surrogate (from an undecodable file name or a JSON escape) is written as the same
``\\udXXX`` escape text the JSONL files hold. The bytes depend only on the rows and the pyarrow
version (recorded in the manifest), never on the clock.
"""

from __future__ import annotations

import io
import re
from typing import Any

from pipeline.records import DroppedParagraph, Record, dropped_data, record_data

PARQUET_FILES = {"en": "en.parquet", "zh": "zh.parquet"}
OTHER_PARQUET = "other.parquet"
DROPPED_PARQUET = "dropped.parquet"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _schemas() -> tuple[Any, Any]:
    import pyarrow as pa

    text = pa.string()
    fix = pa.struct(
        [
            ("rule", text),
            ("before", text),
            ("after", text),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("confidence", text),
        ]
    )
    flag = pa.struct(
        [
            ("rule", text),
            ("span", text),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("reason", text),
            ("candidates", pa.list_(text)),
        ]
    )
    decision = pa.struct(
        [
            ("action", text),
            ("value", text),
            ("rule", text),
            ("index", pa.int64()),
            ("outcome", text),
        ]
    )
    shared = [("fixes", pa.list_(fix)), ("flags", pa.list_(flag))]
    paragraph = pa.struct(
        [
            ("index", pa.int64()),
            ("line", pa.int64()),
            ("hash", text),
            ("role", text),
            ("text", text),
            ("lang", text),
            ("script", text),
            ("tokens", pa.list_(text)),
            *shared,
            ("evidence", pa.list_(text)),
            ("decisions", pa.list_(decision)),
        ]
    )
    record = pa.schema(
        [
            ("id", text),
            ("source", text),
            ("article_id", text),
            ("url", text),
            ("lang", text),
            ("script", text),
            ("title", text),
            ("paragraphs", pa.list_(paragraph)),
        ]
    )
    dropped = pa.schema(
        [
            ("source", text),
            ("index", pa.int64()),
            ("text", text),
            ("reason", text),
            ("duplicate_of", pa.struct([("source", text), ("index", pa.int64())])),
            ("similarity", pa.float64()),
            ("evidence", pa.list_(text)),
            ("line", pa.int64()),
            ("hash", text),
            ("lang", text),
            *shared,
            ("decisions", pa.list_(decision)),
        ]
    )
    return record, dropped


def _valid(value: Any) -> Any:
    """``value`` with lone surrogates in its strings written as ``\\udXXX`` escapes."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
        return value
    if isinstance(value, dict):
        return {key: _valid(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_valid(item) for item in value]
    return value


def _table_bytes(rows: list[dict[str, Any]], schema: Any) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([_valid(row) for row in rows], schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", write_statistics=False)
    return sink.getvalue()


def render_parquet_file(name: str, records: list[Record], dropped: list[DroppedParagraph]) -> bytes:
    """One Parquet file of a run: a language file's records, or the dropped paragraphs."""
    record_schema, dropped_schema = _schemas()
    if name == DROPPED_PARQUET:
        return _table_bytes([dropped_data(d) for d in dropped], dropped_schema)
    rows = [record_data(r) for r in records if PARQUET_FILES.get(r.lang, OTHER_PARQUET) == name]
    return _table_bytes(rows, record_schema)


def render_parquet(records: list[Record], dropped: list[DroppedParagraph]) -> dict[str, bytes]:
    """The Parquet files of a run: one per output language file, and the dropped paragraphs."""
    names = (*PARQUET_FILES.values(), OTHER_PARQUET, DROPPED_PARQUET)
    return {name: render_parquet_file(name, records, dropped) for name in names}


def parquet_rows(data: bytes) -> list[dict[str, Any]]:
    """The rows of a Parquet file's bytes (as :func:`render_parquet` wrote them)."""
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = pq.read_table(io.BytesIO(data)).to_pylist()
    return rows
