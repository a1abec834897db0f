"""Digests of what a partner's snapshots are computed from, so that a refresh skips the partners whose inputs have
not changed: no read of their observations, no scoring, no write.

A partner's digest mixes three parts:

- the **program's** digest (``program_digest``), shared by every partner: the engine's code (a digest of the source
  of the modules that read and score, so that any change to them recomputes every partner once; only the rows that
  differ are then written), the stored form's ``FINGERPRINT_VERSION``, the reference month, and every row of the
  templates, versions, items, target rules and metrics;
- the partner's **own fields** that the engine reads: type and stage (its segment, hence its template), tier (its
  targets), size factor (normalised items) and baseline month;
- one **digest per source**, which the database computes (``scorecards.selectors.snapshot_inputs.input_digests``):
  the XOR of a 64-bit hash of each of the partner's rows that the engine reads (observations of scored metrics up to
  the reference month; deals, and deal reviews, as they stood at the first day of the month under way, when a
  template scores them; open data-quality findings up to the reference month). Every hashed row carries its key or
  id, so two rows never cancel out; a row added, removed or changed changes the digest.

The percentile is not an input of a partner's snapshot in this sense: it depends on the other partners of the
segment, and the refresh checks it separately over the stored scores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from scorecards.domain.scoring import FINGERPRINT_VERSION, mix64

SOURCES: Final = ("observations", "deals", "deal_reviews", "findings")
PARTNER_FIELDS: Final = ("partner_type", "stage", "tier", "size_factor", "baseline_month")

IntArray = npt.NDArray[np.int64]


def text_digest(*texts: str) -> int:
    """A signed 64-bit digest of these texts (BLAKE2b), the same in every process."""
    digest = hashlib.blake2b(digest_size=8)
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\x00")
    return int.from_bytes(digest.digest(), "big", signed=True)


def code_digest(sources: Iterable[bytes]) -> int:
    """A digest of the engine's source files (their bytes, in the order given)."""
    digest = hashlib.blake2b(digest_size=8)
    for source in sources:
        digest.update(hashlib.blake2b(source, digest_size=16).digest())
    return int.from_bytes(digest.digest(), "big", signed=True)


def _rows_text(frame: pd.DataFrame) -> str:
    """Every row of a small table as text, in a fixed order whatever order the rows were read in."""
    columns = sorted(frame.columns)
    rows = sorted(repr(row) for row in frame[columns].itertuples(index=False, name=None))
    return "\n".join([",".join(columns), *rows])


def program_digest(code: int, reference_month: int | None, tables: Mapping[str, pd.DataFrame]) -> int:
    """What every partner's snapshots depend on: the engine's code, the reference month and these small tables."""
    parts = [f"code {code}", f"stored form {FINGERPRINT_VERSION}", f"reference {reference_month}"]
    parts += [f"{name}\n{_rows_text(tables[name])}" for name in sorted(tables)]
    return text_digest(*parts)


def partner_digests(
    program: int, partners: pd.DataFrame, sources: Mapping[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]
) -> IntArray:
    """One digest per row of ``partners`` (``id`` and ``PARTNER_FIELDS``), from the program's digest, the partner's own
    fields and its digest of each source (``sources``: name -> (partner ids, digests); a partner missing from a
    source has no rows there: 0). Signed 64-bit integers (a bigint column)."""
    ids = partners["id"].to_numpy(dtype=np.int64)
    fields = partners[list(PARTNER_FIELDS)].astype(object).where(partners[list(PARTNER_FIELDS)].notna(), None)
    own = np.array([repr(row) for row in fields.itertuples(index=False, name=None)], dtype=object)
    with np.errstate(over="ignore"):
        h = np.full(len(ids), np.int64(program).view(np.uint64), dtype=np.uint64)
        if len(ids):
            own_hash = pd.util.hash_array(own).astype(np.uint64)
            h = mix64(h ^ mix64(own_hash + np.uint64(1)))
        for salt, name in enumerate(SOURCES, start=2):
            values = np.zeros(len(ids), dtype=np.uint64)
            if name in sources:
                source_ids, digests = sources[name]
                found, where = _lookup(ids, np.asarray(source_ids, dtype=np.int64))
                values[found] = np.asarray(digests, dtype=np.int64)[where].view(np.uint64)
            h = mix64(h ^ mix64(values + np.uint64(salt)))
    return h.view(np.int64)


def _lookup(ids: IntArray, keys: IntArray) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Positions in ``ids`` of the ``keys`` found there, and the positions of those keys (each key once)."""
    if not len(keys) or not len(ids):
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    order = np.argsort(ids, kind="stable")
    at = np.minimum(np.searchsorted(ids, keys, sorter=order), len(ids) - 1)
    hit = ids[order[at]] == keys
    return order[at[hit]], np.flatnonzero(hit)


def changed_partners(
    ids: Sequence[int] | IntArray,
    digests: IntArray,
    stored: Mapping[int, tuple[int, int]],
    counts: Mapping[int, int],
) -> IntArray:
    """The partners whose snapshots must be recomputed: no stored source, a different digest, or a number of stored
    snapshots other than the one recorded (``stored``: partner id -> (digest, snapshots); ``counts``: partner id ->
    snapshots stored now)."""
    chosen = [
        int(partner_id)
        for partner_id, digest in zip(np.asarray(ids).tolist(), digests.tolist(), strict=True)
        if (known := stored.get(int(partner_id))) is None
        or known[0] != digest
        or known[1] != counts.get(int(partner_id), 0)
    ]
    return np.array(chosen, dtype=np.int64)
