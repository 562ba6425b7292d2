"""Fingerprints of paragraphs for deduplication: the comparison key and its MinHash signature.

The comparison key is the text normalised for comparison only (the output is never changed by
it): Unicode NFKC, case folded, full-width and Chinese punctuation mapped to ASCII, white space
removed. Digits are kept. The MinHash signature is computed on character n-grams of the key
(3-grams for Chinese, 5-grams otherwise) with fixed seeds, so it is the same on every machine and
can be stored in the index between runs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

BANDS = 21
ROWS = 3
PERMUTATIONS = BANDS * ROWS
BUCKET_HEADS = 4
_SEED = 20261130
_PRIME = np.uint64(1_000_003)
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_SPACE = re.compile(r"\s+")
_PUNCTUATION = str.maketrans(
    {
        "。": ".",
        "、": ",",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "《": "<",
        "》": ">",
        "〈": "<",
        "〉": ">",
        "【": "[",
        "】": "]",
        "〔": "(",
        "〕": ")",
        "…": "...",
        "—": "-",
        "–": "-",
        "～": "~",
        "·": ".",
    }
)

# The same, and white space taken out in the same pass (``_SPACE`` matches what isspace() is).
_PUNCTUATION_NO_SPACE = {
    **_PUNCTUATION,
    **{code: None for code in range(0x3001) if chr(code).isspace()},
}

Signatures = npt.NDArray[np.uint64]


# What is left of an HTML character reference that did not decode ("&nbp;", a broken copy of
# "&nbsp;"): noise beside the space its intact twin became, so it is no difference.
_BROKEN_REFERENCE = re.compile(r"&#?[a-z0-9]{2,8};")


# Full-width ASCII forms and the ideographic space: what NFKC makes of them is their ASCII
# twin. Chinese text is full of them ("，", "：", "１"), and each one sends NFKC from its quick
# check down its slow path; mapped first, most Chinese paragraphs pass the quick check.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_PUNCTUATION_PAIRS = tuple((chr(code), ascii) for code, ascii in _PUNCTUATION.items())


def _ascii_twin(match: re.Match[str]) -> str:
    char = match[0]
    return " " if char == "\u3000" else chr(ord(char) - 0xFEE0)


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, quicker on Chinese text. A character may be
    replaced by its compatibility decomposition before NFKC without changing the result (NFKC
    decomposes every character that way first); the full-width forms are replaced so, and NFKC
    runs only when its quick check says the text still needs it."""
    if text.isascii():
        return text
    if _FULL_WIDTH.search(text):
        text = _FULL_WIDTH.sub(_ascii_twin, text)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def comparison_key(text: str) -> str:
    """The text as compared for duplicates: NFKC, case folded, punctuation unified, no spaces
    and no undecoded HTML references."""
    folded = nfkc(text).casefold()
    if "&" in folded:
        key = _BROKEN_REFERENCE.sub("", folded.translate(_PUNCTUATION))
        return _SPACE.sub("", key)
    if folded.isascii():  # str.translate is quick on ASCII text, white space out in the pass
        return folded.translate(_PUNCTUATION_NO_SPACE)
    # On other text str.translate looks up every character; replacing the few that occur is
    # quicker. The replacements are ASCII, never white space nor another one's source.
    key = "".join(folded.split())  # str.split's white space is str.isspace's
    for source, target in _PUNCTUATION_PAIRS:
        if source in key:
            key = key.replace(source, target)
    return key


def shingle_size(key: str) -> int:
    """3 characters for mostly-Chinese keys (a character carries a word's worth), else 5."""
    sample = key[:60]
    return 3 if sample and 2 * len(_HAN.findall(sample)) >= len(sample) else 5


def _permutations() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    generator = np.random.default_rng(_SEED)
    multipliers = generator.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64)
    offsets = generator.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
    return multipliers | np.uint64(1), offsets


def signatures(keys: Sequence[str]) -> Signatures:
    """MinHash signatures, one row of ``PERMUTATIONS`` values per key, computed in batches."""
    result = np.zeros((len(keys), PERMUTATIONS), dtype=np.uint64)
    multipliers, offsets = _permutations()
    groups: dict[int, list[int]] = {}
    for position, key in enumerate(keys):
        groups.setdefault(shingle_size(key), []).append(position)
    for size, positions in groups.items():
        # A batch's arrays take about 100 bytes per character of its keys: 256 keys at a time.
        for batch_start in range(0, len(positions), 256):
            batch = positions[batch_start : batch_start + 256]
            result[batch] = _batch_signatures([keys[p] for p in batch], size, multipliers, offsets)
    return result


def _batch_signatures(
    keys: list[str],
    size: int,
    multipliers: npt.NDArray[np.uint64],
    offsets: npt.NDArray[np.uint64],
) -> Signatures:
    padded = [key.ljust(size, "\0") for key in keys]  # a key shorter than n is one shingle
    lengths = np.array([len(key) for key in padded], dtype=np.int64)
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - size + 1
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(size):
            hashes = hashes * _PRIME + codes[offset : offset + count]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    shingles = lengths - size + 1
    valid = np.repeat(starts, shingles) + (
        np.arange(int(shingles.sum())) - np.repeat(np.cumsum(shingles) - shingles, shingles)
    )
    values = hashes[valid]
    firsts = np.concatenate(([0], np.cumsum(shingles)[:-1]))
    out = np.empty((len(keys), PERMUTATIONS), dtype=np.uint64)
    permuted = np.empty_like(values)  # one buffer for every permutation: no temporaries
    shift = np.uint64(32)
    with np.errstate(over="ignore"):
        for column in range(PERMUTATIONS):
            np.multiply(values, multipliers[column], out=permuted)
            permuted += offsets[column]
            permuted >>= shift
            out[:, column] = np.minimum.reduceat(permuted, firsts)
    return out


def candidate_pairs(signature_rows: Signatures) -> set[tuple[int, int]]:
    """:func:`candidate_pair_arrays` as a set of ``(i, j)`` tuples."""
    low, high = candidate_pair_arrays(signature_rows)
    return set(zip(low.tolist(), high.tolist(), strict=True))


def band_keys(signature_rows: Signatures) -> Signatures:
    """One mixed 64-bit key per band of each row: rows that share a band's ``ROWS`` values
    share its key (a rare false collision costs one verification, never a wrong drop)."""
    mix = np.random.default_rng(_SEED + 1).integers(1, 2**63, size=ROWS, dtype=np.uint64) | 1
    count = len(signature_rows)
    blocks = signature_rows.reshape(count, BANDS, ROWS)
    with np.errstate(over="ignore"):
        keys: Signatures = (blocks * mix).sum(axis=2, dtype=np.uint64)
    return keys


def candidate_pair_arrays(
    signature_rows: Signatures,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """:func:`band_pair_arrays` of the rows' :func:`band_keys`."""
    return band_pair_arrays(band_keys(signature_rows))


def band_pair_arrays(
    bands: Signatures,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pairs of rows (i < j, as two arrays, sorted) that share the key of at least one band
    (MinHash LSH): the union of :func:`bucket_pair_codes` over the bands. The work grows linearly
    with the number of rows."""
    count = len(bands)
    codes = [bucket_pair_codes(bands[:, band]) for band in range(BANDS)]
    return pairs_of_codes(codes, count)


def bucket_pair_codes(keys: Signatures) -> npt.NDArray[np.int64]:
    """The pairs of rows whose keys in one band are equal, as codes ``i * len(keys) + j`` (i <
    j): each row paired with the first ``BUCKET_HEADS`` rows of its bucket."""
    count = len(keys)
    if count < 2:
        return np.zeros(0, dtype=np.int64)
    # Rows sorted by key, then by row number: a bucket is a run, its heads come first.
    order = np.lexsort((np.arange(count), keys))
    ordered = keys[order]
    new_run = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(count), 0))
    offset = np.arange(count) - run_start  # place of each row in its bucket
    # Each row is paired with the first few rows of its bucket only, not with all: a popular
    # paragraph with hundreds of variants would make the pairs grow with the square of the
    # corpus.
    firsts, seconds = [], []
    for head in range(BUCKET_HEADS):
        later = np.flatnonzero(offset > head)
        firsts.append(order[run_start[later] + head])
        seconds.append(order[later])
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    low, high = np.minimum(first, second), np.maximum(first, second)
    codes: npt.NDArray[np.int64] = low.astype(np.int64) * count + high
    return codes


def pairs_of_codes(
    codes: list[npt.NDArray[np.int64]], count: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The distinct pairs among the codes of :func:`bucket_pair_codes` (for ``count`` rows), as
    two arrays, sorted."""
    if count < 2 or not codes:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    unique = np.unique(np.concatenate(codes))
    return unique // count, unique % count
