"""Near-duplicate and propagation clusters: MinHash over word 3-shingles, LSH for the candidate pairs.

Articles whose estimated Jaccard similarity (of their word 3-shingle sets) reaches the threshold are
linked; clusters are the connected components. Each cluster names its earliest article (by date, then
input order) and, for every copy, how it differs from that one: sentences added and removed, names added
and removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from datasketch import MinHash, MinHashLSH

SHINGLE_WORDS = 3  # 3-word shingles: measured better recall on rewrites than 5 (docs/BENCHMARKS.md)
NUM_PERM = 128
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?…])[\"»”']?\s+")
_NAME = re.compile(r"\b[A-ZА-ЯЁІЇЄ][\w'’-]+(?:\s+[A-ZА-ЯЁІЇЄ][\w'’-]+)+")


@dataclass
class Doc:
    key: str
    id: str
    outlet: str | None
    date: str | None
    title: str | None
    text: str


@dataclass
class Cluster:
    members: list[Doc]  # earliest first
    changes: list[dict[str, Any]] = field(default_factory=list)  # one per copy (members[1:])

    @property
    def earliest(self) -> Doc:
        return self.members[0]


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def minhash(text: str, num_perm: int = NUM_PERM) -> MinHash:
    sketch = MinHash(num_perm=num_perm, seed=1)
    sketch.update_batch([s.encode("utf-8") for s in shingles(text)])
    return sketch


def link(
    docs: Iterable[tuple[str, str]], threshold: float = 0.5, num_perm: int = NUM_PERM
) -> list[list[str]]:
    """Connected components (of size ≥ 2) of the near-duplicate graph over (key, text) pairs, in input order."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sketches: dict[str, MinHash] = {}
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    order: list[str] = []
    for key, text in docs:
        if not text.strip():
            continue
        sketch = minhash(text, num_perm)
        parent[key] = key
        order.append(key)
        for other in lsh.query(sketch):  # LSH gives candidates; the estimate decides
            if sketch.jaccard(sketches[other]) >= threshold:
                parent[find(key)] = find(other)
        lsh.insert(key, sketch)
        sketches[key] = sketch
    groups: dict[str, list[str]] = {}
    for key in order:
        groups.setdefault(find(key), []).append(key)
    return [keys for keys in groups.values() if len(keys) > 1]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def names(text: str) -> set[str]:
    return set(_NAME.findall(text))


def differences(original: str, copy: str) -> dict[str, Any]:
    """What a copy added and removed relative to the original: sentences and multi-word names."""
    before, after = sentences(original), sentences(copy)
    before_set, after_set = set(before), set(after)
    return {
        "sentences_added": [s for s in after if s not in before_set],
        "sentences_removed": [s for s in before if s not in after_set],
        "names_added": sorted(names(copy) - names(original)),
        "names_removed": sorted(names(original) - names(copy)),
        "similarity": round(
            len(shingles(original) & shingles(copy)) / max(1, len(shingles(original) | shingles(copy))), 3
        ),
    }


def build_clusters(docs: dict[str, Doc], groups: list[list[str]]) -> list[Cluster]:
    """Order each group by date (undated last, then input order) and describe every copy's changes."""
    clusters = []
    for keys in groups:
        members = sorted((docs[k] for k in keys), key=lambda d: (d.date or "9999", _key_order(d.key)))
        cluster = Cluster(members)
        cluster.changes = [differences(members[0].text, copy.text) for copy in members[1:]]
        clusters.append(cluster)
    clusters.sort(key=lambda c: (-len(c.members), c.earliest.date or "9999", _key_order(c.earliest.key)))
    return clusters


def _key_order(key: str) -> tuple[int, ...]:
    return tuple(int(part) for part in key.split(":"))


def pairs(groups: Iterable[Iterable[str]]) -> set[frozenset[str]]:
    """Every unordered pair of items that share a group (for pairwise precision/recall)."""
    out: set[frozenset[str]] = set()
    for group in groups:
        items = sorted(group)
        out.update(frozenset((a, b)) for i, a in enumerate(items) for b in items[i + 1 :])
    return out
