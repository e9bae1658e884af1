"""The near-duplicate clustering on Spark, for corpora too large for one machine's memory.

The same MinHash signatures as ``clusters.link`` (datasketch, same seed and permutations) are computed in
``mapInPandas``; each signature is cut into the bands datasketch's LSH uses for the threshold, articles that
share a band are candidates (``groupBy`` band), and a candidate pair is kept when the estimated Jaccard
similarity reaches the threshold, exactly as locally. Only the kept pairs come back to the driver, which
joins them into clusters. Same edges, so the same clusters as the local code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unspin.corpus.clusters import NUM_PERM, minhash
from unspin.engines.records import PARTS_DIR

if TYPE_CHECKING:
    import pandas as pd


def spark_link(
    spark: Any, out_dir: Path, threshold: float = 0.5, num_perm: int = NUM_PERM
) -> list[list[str]]:
    """Connected components (size ≥ 2) of the near-duplicate graph of a batch output, computed on Spark."""
    from datasketch import MinHashLSH

    ranges = MinHashLSH(threshold=threshold, num_perm=num_perm).hashranges
    dtype = minhash("", num_perm).hashvalues.dtype.str  # datasketch's hash width, for reading signatures back
    articles = (
        spark.read.parquet(str((out_dir / PARTS_DIR).resolve()))
        .where("status = 'ok'")
        .selectExpr("key", "get_json_object(report_json, '$.body') AS text")
    )

    def bands(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        for frame in batches:
            rows: dict[str, list[Any]] = {"band": [], "bucket": [], "key": [], "signature": []}
            for key, text in zip(frame["key"], frame["text"], strict=True):
                if not text or not text.strip():
                    continue
                values = minhash(text, num_perm).hashvalues
                for band, (start, end) in enumerate(ranges):
                    rows["band"].append(band)
                    rows["bucket"].append(values[start:end].tobytes())
                    rows["key"].append(key)
                    rows["signature"].append(values.tobytes())
            yield pd.DataFrame(rows)

    def pairs(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import numpy as np
        import pandas as pd

        for frame in batches:
            kept = []
            for keys, raw in zip(frame["keys"], frame["signatures"], strict=True):
                signatures = [np.frombuffer(s, dtype=dtype) for s in raw]
                kept += [
                    (min(keys[i], keys[j]), max(keys[i], keys[j]))
                    for i in range(len(keys))
                    for j in range(i + 1, len(keys))
                    if np.count_nonzero(signatures[i] == signatures[j]) / num_perm >= threshold
                ]
            yield pd.DataFrame(kept, columns=["a", "b"])

    from pyspark.sql import functions as F

    buckets = (
        articles.mapInPandas(bands, schema="band int, bucket binary, key string, signature binary")
        .groupBy("band", "bucket")
        .agg(F.collect_list("key").alias("keys"), F.collect_list("signature").alias("signatures"))
        .where(F.size("keys") > 1)  # most buckets hold one article: no pairs, no Python call
    )
    edges = (
        buckets.select("keys", "signatures")
        .mapInPandas(pairs, schema="a string, b string")
        .distinct()
        .collect()
    )
    return components([(row["a"], row["b"]) for row in edges])


def components(edges: list[tuple[str, str]]) -> list[list[str]]:
    """Connected components of an edge list, each in input order (keys 'FILE:ROW'), ordered by first member."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for key in sorted(parent, key=lambda k: tuple(int(p) for p in k.split(":"))):
        groups.setdefault(find(key), []).append(key)
    return sorted(groups.values(), key=lambda g: tuple(int(p) for p in g[0].split(":")))
