"""`unspin eval claim-retrieval`: CLEF CheckThat! "previously fact-checked claims" (2020 Task 2, 2022 Task 2A).

Given a tweet, rank the pool of verified claims so that the one it repeats comes first. The command reads the
task's own layout, so any split of it (the public ones, or one kept apart and scored elsewhere) is scored the
same way:

- verified claims: a folder of ``<vclaim_id>.json`` files (2022: title, subtitle, author, date, vclaim_id,
  vclaim), the same folder packed as ``vclaims.tar.gz``, or a TSV with header ``<tab>vclaim<tab>title``
  (2020 ``verified_claims.docs.tsv``, CSV quoting);
- queries: TSV ``tweet_id<tab>text``, with or without a header line (2020 has ``<tab>tweet_content``);
- qrels: TREC ``tweet_id 0 vclaim_id 1``, tab- or space-separated, no header.

The vclaims go into a knowledge base (the project's SQLite store: BM25 over FTS5, e5 vectors), kept in a cache
folder under the hash of the pool so that a rerun re-embeds nothing. Each tweet's candidates are the store's
BM25 hits, its e5 neighbours and its all-mpnet-base-v2 neighbours; the claim-retrieval reranker (a logistic
model over their scores, models/claim-retrieval-*) orders them.

Metrics (official first): MAP@5 as the CheckThat! scorers define it (per query, the precisions at the ranks of
the relevant vclaims within the top k, summed, over min(relevant, k)), MAP@1, MRR (over the whole ranking),
recall@1/5/10/20; each with a 95 % percentile interval from resampling the queries (bootstrap).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import re
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from unspin.errors import UnspinError
from unspin.kb.store import SqliteKB
from unspin.models.claim_ranker import Candidates, ClaimRanker, candidate_features

RECALL_AT = (1, 5, 10, 20)
BOOTSTRAP = 2000
RUN_DEPTH = 20  # vclaims written per tweet to the ranking file (the scorers read at most 1,000)
DEFAULT_CACHE = Path("build") / "claim-retrieval"


class TaskError(UnspinError):
    """A task folder or file that cannot be read as the CheckThat! layout (the message says which and why)."""


# --- the layout ---------------------------------------------------------------------------------------------
@dataclass
class VClaim:
    id: str
    claim: str
    title: str = ""
    subtitle: str = ""
    date: str = ""
    url: str = ""


@dataclass
class Task:
    queries: dict[str, str]  # tweet id -> text, only the tweets that have qrels
    qrels: dict[str, set[str]]  # tweet id -> relevant vclaim ids
    vclaims: list[VClaim]
    files: dict[str, str] = field(default_factory=dict)  # which file gave each part


def _names(folder: Path, pattern: str) -> list[Path]:
    rx = re.compile(pattern, re.IGNORECASE)
    return sorted(p for p in folder.iterdir() if rx.search(p.name))


def _pick(found: list[Path], what: str, folder: Path, split: str | None) -> Path:
    if split:
        chosen = [p for p in found if split.lower() in p.name.lower()]
        found = chosen or found
    if len(found) == 1:
        return found[0]
    if not found:
        raise TaskError(str(folder), f"no {what} file here (see `unspin eval claim-retrieval --help`)")
    names = ", ".join(p.name for p in found)
    raise TaskError(str(folder), f"{len(found)} {what} files ({names}): pick one with --split or --{what}")


def locate(
    task_dir: Path | None,
    split: str | None = None,
    queries: Path | None = None,
    qrels: Path | None = None,
    vclaims: Path | None = None,
) -> tuple[Path, Path, Path]:
    """(queries, qrels, vclaims) from a task folder and/or explicit paths (an explicit path wins).

    In a folder: the queries are the file whose name holds "queries", the qrels the one whose name holds
    "qrels", the pool ``vclaims/``, ``vclaims.tar.gz`` or ``verified_claims*.tsv``, looked for in the folder
    and then its parent (2020 keeps the pool beside the train/ and dev/ folders).
    """
    if task_dir is not None:
        if not task_dir.is_dir():
            raise TaskError(str(task_dir), "no such folder" if not task_dir.exists() else "not a folder")
        files = [p for p in task_dir.iterdir() if p.is_file()]
        if queries is None:
            queries = _pick([p for p in files if "queries" in p.name.lower()], "queries", task_dir, split)
        if qrels is None:
            qrels = _pick([p for p in files if "qrels" in p.name.lower()], "qrels", task_dir, split)
        if vclaims is None:
            for folder in (task_dir, task_dir.parent):
                pool = [
                    p
                    for p in sorted(folder.iterdir())
                    if (p.name == "vclaims" and p.is_dir())
                    or p.name.lower() == "vclaims.tar.gz"
                    or (p.name.lower().startswith("verified_claims") and p.suffix.lower() == ".tsv")
                ]
                if pool:
                    vclaims = pool[0]
                    break
            else:
                raise TaskError(
                    str(task_dir),
                    "no verified claims (vclaims/, vclaims.tar.gz or verified_claims*.tsv) here or in the "
                    "parent folder: give --vclaims",
                )
    missing = [
        name for name, p in (("queries", queries), ("qrels", qrels), ("vclaims", vclaims)) if p is None
    ]
    if missing:
        raise TaskError(
            "claim-retrieval", f"no {', '.join(missing)}: give --task-dir or --queries, --qrels and --vclaims"
        )
    assert queries is not None and qrels is not None and vclaims is not None
    for p in (queries, qrels, vclaims):
        if not p.exists():
            raise TaskError(str(p), "no such file or folder")
    return queries, qrels, vclaims


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TaskError(str(path), f"not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise TaskError(str(path), f"cannot read ({exc.strerror or exc})") from exc


def read_queries(path: Path) -> dict[str, str]:
    """tweet id -> text. A first line whose id field is empty or not an id (``tweet_id``) is the header."""
    out: dict[str, str] = {}
    for n, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t", 1)
        if len(parts) != 2:
            raise TaskError(f"{path}:{n}", "expected 'tweet_id<TAB>text'")
        qid, text = parts[0].strip(), parts[1].strip()
        if n == 1 and (not qid or qid.lower() in {"tweet_id", "iclaim_id", "id", "qid"}):
            continue
        if not qid:
            raise TaskError(f"{path}:{n}", "no tweet id")
        out[qid] = text
    if not out:
        raise TaskError(str(path), "no queries in this file")
    return out


def read_qrels(path: Path) -> dict[str, set[str]]:
    """tweet id -> ids of its relevant vclaims (rows with relevance > 0)."""
    out: dict[str, set[str]] = {}
    for n, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4:
            raise TaskError(
                f"{path}:{n}", f"expected 'tweet_id 0 vclaim_id relevance', got {len(parts)} fields"
            )
        try:
            relevant = float(parts[3]) > 0
        except ValueError as exc:
            raise TaskError(f"{path}:{n}", f"relevance {parts[3]!r} is not a number") from exc
        if relevant:
            out.setdefault(parts[0], set()).add(parts[2])
    if not out:
        raise TaskError(str(path), "no relevant pairs in this qrels file")
    return out


def _vclaim_json(data: object, where: str) -> VClaim:
    if not isinstance(data, dict) or not str(data.get("vclaim_id") or "").strip():
        raise TaskError(where, "not a verified claim (a JSON object with vclaim_id and vclaim)")
    return VClaim(
        id=str(data["vclaim_id"]).strip(),
        claim=str(data.get("vclaim") or "").strip(),
        title=str(data.get("title") or "").strip(),
        subtitle=str(data.get("subtitle") or "").strip(),
        date=str(data.get("date") or "").strip(),
        url=str(data.get("page_url") or "").strip(),
    )


def read_vclaims(path: Path) -> list[VClaim]:
    out: list[VClaim] = []
    if path.is_dir():
        for p in sorted(path.glob("*.json")):
            try:
                out.append(_vclaim_json(json.loads(_read(p)), str(p)))
            except json.JSONDecodeError as exc:
                raise TaskError(str(p), f"bad JSON ({exc.msg})") from exc
    elif path.name.lower().endswith((".tar.gz", ".tgz", ".tar")):
        try:
            with tarfile.open(path) as tar:
                for member in sorted(tar.getmembers(), key=lambda m: m.name):
                    if not (member.isfile() and member.name.endswith(".json")):
                        continue
                    raw = tar.extractfile(member)
                    assert raw is not None
                    try:
                        out.append(_vclaim_json(json.loads(raw.read().decode("utf-8")), member.name))
                    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                        raise TaskError(f"{path}:{member.name}", f"bad JSON ({exc})") from exc
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise TaskError(str(path), f"not a readable tar archive ({exc})") from exc
    else:
        csv.field_size_limit(1 << 24)
        rows = csv.reader(io.StringIO(_read(path), newline=""), delimiter="\t")
        try:
            header = [h.strip().lower() for h in next(rows, [])]
            if "vclaim" not in header:
                raise TaskError(str(path), f"expected a header '<TAB>vclaim<TAB>title', got {header[:4]}")
            ci, ti = header.index("vclaim"), header.index("title") if "title" in header else -1
            for n, row in enumerate(rows, start=2):
                if not row:
                    continue
                if len(row) <= ci or not row[0].strip():
                    raise TaskError(f"{path}:{n}", "a row without an id or a vclaim")
                out.append(
                    VClaim(row[0].strip(), row[ci].strip(), row[ti].strip() if 0 <= ti < len(row) else "")
                )
        except csv.Error as exc:
            raise TaskError(str(path), f"malformed TSV ({exc})") from exc
    if not out:
        raise TaskError(str(path), "no verified claims here")
    return out


def load_task(queries: Path, qrels: Path, vclaims: Path) -> Task:
    """The task: only the queries that have qrels (a 2022 queries file holds train and dev tweets)."""
    texts, gold, pool = read_queries(queries), read_qrels(qrels), read_vclaims(vclaims)
    unknown = sorted(q for q in gold if q not in texts)
    if unknown:
        raise TaskError(
            str(qrels), f"{len(unknown)} qrels tweet(s) not in {queries.name} (first: {unknown[0]})"
        )
    ids = {v.id for v in pool}
    absent = sorted(v for rel in gold.values() for v in rel if v not in ids)
    if absent:
        raise TaskError(str(qrels), f"{len(absent)} relevant vclaim(s) not in the pool (first: {absent[0]})")
    return Task(
        {q: texts[q] for q in gold},
        gold,
        pool,
        {"queries": str(queries), "qrels": str(qrels), "vclaims": str(vclaims)},
    )


# --- metrics ------------------------------------------------------------------------------------------------
def average_precision_at(ranking: Sequence[str], relevant: set[str], k: int) -> float:
    """AP@k: the precisions at the ranks (within the top k) of the relevant items, over min(|relevant|, k)."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, item in enumerate(ranking[:k], start=1):
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k)


def reciprocal_rank(ranking: Sequence[str], relevant: set[str]) -> float:
    return next((1.0 / r for r, item in enumerate(ranking, start=1) if item in relevant), 0.0)


def recall_at(ranking: Sequence[str], relevant: set[str], k: int) -> float:
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else 0.0


METRICS: dict[str, Callable[[Sequence[str], set[str]], float]] = {
    "map@5": lambda r, g: average_precision_at(r, g, 5),
    "map@1": lambda r, g: average_precision_at(r, g, 1),
    "mrr": reciprocal_rank,
    **{f"recall@{k}": (lambda r, g, k=k: recall_at(r, g, k)) for k in RECALL_AT},  # type: ignore[misc]
}


@dataclass
class Score:
    value: float
    low: float
    high: float


def per_query_scores(rankings: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, list[float]]:
    """Each metric's value per query (sorted by query id); a query with no ranking scores 0."""
    keys = sorted(qrels)
    return {name: [fn(rankings.get(q, []), qrels[q]) for q in keys] for name, fn in METRICS.items()}


def bootstrap(values: Sequence[float], resamples: int = BOOTSTRAP, seed: int = 0) -> Score:
    """The mean with a 95 % percentile interval over resampled queries."""
    arr = np.asarray(values, dtype=np.float64)
    if not len(arr):
        return Score(0.0, 0.0, 0.0)
    rng = random.Random(seed)
    n = len(arr)
    means = [float(arr[[rng.randrange(n) for _ in range(n)]].mean()) for _ in range(resamples)]
    return Score(float(arr.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5)))


def score(rankings: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, Score]:
    return {name: bootstrap(v) for name, v in per_query_scores(rankings, qrels).items()}


def write_run(
    path: Path, rankings: dict[str, list[tuple[str, float]]], tag: str, depth: int = RUN_DEPTH
) -> None:
    """The official run format: ``tweet_id Q0 vclaim_id rank score tag``, tab-separated."""
    lines = [
        f"{q}\tQ0\t{v}\t{rank}\t{s:.6f}\t{tag}"
        for q in sorted(rankings)
        for rank, (v, s) in enumerate(rankings[q][:depth], start=1)
    ]
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        raise TaskError(str(path), f"cannot write ({exc.strerror or exc})") from exc


# --- vectors, cached by text ----------------------------------------------------------------------------------
class VectorCache:
    """An encoder's vectors by text hash in one .npz (float16), saved as it grows so an interrupted run
    resumes where it stopped."""

    def __init__(self, path: Path, encode: Callable[[list[str]], np.ndarray], save_every: int = 500) -> None:
        self.path, self.encode, self.save_every = path, encode, save_every
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as z:
                self.vectors = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))
        tmp.replace(self.path)

    def get(self, texts: list[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self.vectors))
        for i in range(0, len(missing), 32):
            chunk = missing[i : i + 32]
            for t, v in zip(chunk, self.encode(chunk), strict=True):
                self.vectors[self.key(t)] = np.asarray(v, dtype=np.float16)
            done = i + len(chunk)
            if progress:
                progress(done, len(missing))
            if done % self.save_every < 32 or done == len(missing):
                self.save()
        return np.stack([self.vectors[self.key(t)].astype(np.float32) for t in texts])


_URL = re.compile(r"(?:https?://|pic\.twitter\.com/)\S+")


def query_text(tweet: str) -> str:
    """The tweet without its links (a t.co or pic.twitter.com address says nothing about the claim)."""
    return " ".join(_URL.sub(" ", tweet).split())


def vclaim_text(v: VClaim) -> str:
    return v.claim or v.title


def mpnet_cache(cache_dir: Path) -> VectorCache:
    """all-mpnet-base-v2 vectors (the registry's sentence encoder), loaded only when a text is new."""
    holder: list[object] = []

    def encode(texts: list[str]) -> np.ndarray:
        if not holder:
            from unspin.models.registry import ModelRegistry

            holder.append(ModelRegistry().get("sentence_encoder"))
        return holder[0].embed(texts)  # type: ignore[attr-defined,no-any-return]

    return VectorCache(cache_dir / "vectors-mpnet-sentence-v1.npz", encode)


def e5_cache(cache_dir: Path) -> VectorCache:
    """multilingual-e5-small vectors of the queries (the registry's encoder, as `kb search` embeds a query)."""
    holder: list[object] = []

    def encode(texts: list[str]) -> np.ndarray:
        if not holder:
            from unspin.models.registry import ModelRegistry

            holder.append(ModelRegistry().get("encoder"))
        return holder[0].embed(texts)  # type: ignore[attr-defined,no-any-return]

    return VectorCache(cache_dir / "vectors-e5-small-int8-v1.npz", encode)


# --- retrieval ------------------------------------------------------------------------------------------------
# Candidates per retriever; their union is reranked (on 2020 dev the BM25 and e5 top 50 alone hold 99.5 % of
# the relevant claims).
CANDIDATES = 50
# BM25 reads up to this many of a tweet's rarest content words (the store's default, 6, suits article sentences
# against 100,000 cases; on 2020 dev BM25 alone scored MAP@5 0.536 with 6 words, 0.676 with 12, 0.759 with 32).
QUERY_TERMS = 32
Progress = Callable[[str, int, int], None]


def pool_key(pool: list[VClaim]) -> str:
    digest = hashlib.sha1()
    for v in sorted(pool, key=lambda v: v.id):
        digest.update("\x1f".join((v.id, v.claim, v.title, v.subtitle)).encode("utf-8") + b"\x1e")
    return digest.hexdigest()[:16]


def build_kb(pool: list[VClaim], cache_dir: Path, progress: Progress | None = None) -> SqliteKB:
    """The pool imported into a knowledge base with e5 vectors, kept under the pool's hash (a rerun reuses it)."""
    from unspin.kb.embeddings import embed_missing
    from unspin.kb.store import Entry, SqliteKB
    from unspin.models.registry import ModelRegistry

    kb = SqliteKB(cache_dir / f"kb-{pool_key(pool)}.sqlite")
    if len(list(kb.db.execute("SELECT id FROM entries LIMIT 1"))) == 0:
        kb.upsert(
            [
                Entry(
                    id=v.id,
                    claim=vclaim_text(v),
                    title=v.title,
                    explanation=v.subtitle,
                    verdict="fact-checked",
                    date=v.date,
                    url=v.url,
                    source="checkthat",
                )
                for v in pool
                if vclaim_text(v)
            ]
        )
    if kb.missing_vectors():
        embed_missing(
            kb,
            ModelRegistry().get("encoder"),
            progress=(lambda i, n: progress("e5", i, n)) if progress else None,
        )
    return kb


@dataclass
class QueryCandidates:
    text: str
    candidates: Candidates


def retrieve_candidates(
    task: Task, cache_dir: Path, depth: int = CANDIDATES, progress: Progress | None = None
) -> dict[str, QueryCandidates]:
    """Each query's candidates: the union of BM25's, e5's and mpnet's top ``depth``, with all three scores."""
    kb = build_kb(task.vclaims, cache_dir, progress)
    pool = [v for v in task.vclaims if vclaim_text(v)]
    texts = {v.id: vclaim_text(v) for v in pool}
    ids = [v.id for v in pool]
    mp = mpnet_cache(cache_dir)
    pool_mpnet = mp.get(
        [texts[i] for i in ids], progress=(lambda i, n: progress("mpnet", i, n)) if progress else None
    )
    qids = sorted(task.queries)
    qtexts = [query_text(task.queries[q]) for q in qids]
    q_mpnet = mp.get(qtexts)
    q_e5 = e5_cache(cache_dir).get(qtexts)
    index = {v: n for n, v in enumerate(ids)}
    out: dict[str, QueryCandidates] = {}
    for qn, (q, qtext) in enumerate(zip(qids, qtexts, strict=True)):
        mp_cos = np.einsum("ij,j->i", pool_mpnet, q_mpnet[qn])
        top_mp = np.argpartition(-mp_cos, min(depth, len(ids) - 1))[:depth]
        bm25 = {h.entry.id: h.score for h in kb.search(qtext, limit=depth, max_terms=QUERY_TERMS)}
        dense = [e.id for e, _ in kb.dense_search(q_e5[qn], limit=depth)]
        chosen = list(dict.fromkeys([ids[int(i)] for i in top_mp] + list(bm25) + dense))
        chosen = [c for c in chosen if c in index]
        e5 = kb.dense_scores(q_e5[qn], chosen)
        out[q] = QueryCandidates(
            qtext,
            Candidates(
                ids=chosen,
                texts=[texts[c] for c in chosen],
                mpnet=np.array([mp_cos[index[c]] for c in chosen]),
                e5=np.array([e5.get(c, 0.0) for c in chosen]),
                bm25=np.array([bm25.get(c, 0.0) for c in chosen]),
            ),
        )
        if progress and (qn + 1) % 100 == 0:
            progress("queries", qn + 1, len(qids))
    return out


SCORERS = ("ranker", "mpnet", "e5", "bm25")
_NOT_WORD = re.compile(r"\W+")


def same_claims(pool: list[VClaim]) -> dict[str, tuple[str, int]]:
    """vclaim id -> (its claim's text lowercased without punctuation, its place in the pool).

    The 2020 pool lists 184 claims twice with only quotes or case changed (369 entries); the qrels name one
    of them, almost always the earlier (train: 185 of 189 such golds, dev: 49 of 49).
    """
    return {v.id: (_NOT_WORD.sub(" ", vclaim_text(v).lower()).strip(), n) for n, v in enumerate(pool)}


def pool_order_ties(
    ranked: list[tuple[str, float]], claims: dict[str, tuple[str, int]]
) -> list[tuple[str, float]]:
    """Candidates that state the same claim keep the places their scores earned, taken in pool order.

    The encoders score two copies of one claim a hair apart (a curly quote against a straight one), so which
    copy comes first is chance; this makes it the first listed, as `kb import` keeps the first of repeated
    rows. It only reorders copies of one claim among themselves.
    """
    places: dict[str, list[int]] = {}
    for i, (v, _) in enumerate(ranked):
        places.setdefault(claims[v][0], []).append(i)
    out = list(ranked)
    for spots in places.values():
        if len(spots) > 1:
            members = sorted((ranked[i][0] for i in spots), key=lambda v: claims[v][1])
            for i, v in zip(spots, members, strict=True):
                out[i] = (v, ranked[i][1])
    return out


def rank(
    found: dict[str, QueryCandidates],
    scorer: str = "ranker",
    ranker: ClaimRanker | None = None,
    claims: dict[str, tuple[str, int]] | None = None,
) -> dict[str, list[tuple[str, float]]]:
    """Each query's candidates ordered by ``scorer`` (the reranker, or one retriever's score alone); with
    ``claims`` (`same_claims`), copies of one claim in pool order (`pool_order_ties`)."""
    out = {}
    for q, qc in found.items():
        c = qc.candidates
        if scorer == "ranker":
            assert ranker is not None
            s = ranker.predict_proba(candidate_features(qc.text, c))[:, 1]
        else:
            s = {"mpnet": c.mpnet, "e5": c.e5, "bm25": c.bm25}[scorer]
        order = np.argsort(-s, kind="stable")
        ranked = [(c.ids[int(i)], float(s[int(i)])) for i in order]
        out[q] = pool_order_ties(ranked, claims) if claims is not None else ranked
    return out


def evaluate(
    task: Task,
    cache_dir: Path = DEFAULT_CACHE,
    scorer: str = "ranker",
    ranker: ClaimRanker | None = None,
    progress: Progress | None = None,
    ties: str = "pool-order",
) -> tuple[dict[str, Score], dict[str, list[tuple[str, float]]], float]:
    """(metrics, rankings, recall of the candidate pool): the whole command but the printing. ``ties``:
    'pool-order' puts copies of one claim in pool order (`pool_order_ties`), 'score' leaves the scores' order."""
    found = retrieve_candidates(task, cache_dir, progress=progress)
    rankings = rank(found, scorer, ranker, same_claims(task.vclaims) if ties == "pool-order" else None)
    pool_recall = float(
        np.mean(
            [
                recall_at(found[q].candidates.ids, task.qrels[q], len(found[q].candidates.ids))
                for q in task.qrels
            ]
        )
    )
    return score({q: [v for v, _ in r] for q, r in rankings.items()}, task.qrels), rankings, pool_recall
