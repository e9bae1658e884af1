"""SemEval-2025 Task 10 with the organisers' metrics, on any folder of the task's layout.

- Subtask 1 (entity framing): for each gold mention (its offsets are the task's input), the predicted main role
  and fine roles. Exact Match Ratio (the official metric): the share of mentions whose predicted set of fine
  roles equals the gold set; main-role accuracy beside it.
- Subtask 2 (narratives): samples-F1, i.e. the F1 of each document's predicted and gold label sets (over the
  organisers' label lists), averaged over documents; on narratives (coarse) and on subnarratives (fine).
Intervals: 95 % percentile bootstrap over documents (2,000 resamples, eval/protocol.py's settings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from unspin.datasets.semeval2025 import OTHER, Document
from unspin.datasets.war_news import WarNewsArticle
from unspin.eval.protocol import LEVEL, RESAMPLES
from unspin.models.storyline_features import DocVectors, embed_all, embed_lead, sentence_index
from unspin.models.storylines import (
    RoleModel,
    StorylineModel,
    article_vector,
    mention_features,
    read_count,
)


def _f1(g: set[str], p: set[str]) -> float:
    return 2 * len(g & p) / (len(g) + len(p)) if g or p else 1.0


def mean_interval(values: list[float], resamples: int = RESAMPLES, seed: int = 0) -> tuple[float, float]:
    """Percentile interval of a mean of per-document values when the documents are resampled."""
    v = np.asarray(values, dtype=np.float64)
    if not len(v):
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), (resamples, len(v)))].mean(axis=1)
    tail = (1 - LEVEL) / 2 * 100
    lo, hi = np.percentile(means, [tail, 100 - tail])
    return round(float(lo), 4), round(float(hi), 4)


def ratio_interval(
    hits: list[tuple[int, int]], resamples: int = RESAMPLES, seed: int = 0
) -> tuple[float, float]:
    """Interval of a ratio (sum of hits / sum of totals) when documents (hits, totals) are resampled."""
    rows = np.asarray(hits, dtype=np.float64).reshape(-1, 2)
    if not len(rows):
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    sums = rows[rng.integers(0, len(rows), (resamples, len(rows)))].sum(axis=1)
    r = sums[:, 0] / np.maximum(sums[:, 1], 1)
    tail = (1 - LEVEL) / 2 * 100
    lo, hi = np.percentile(r, [tail, 100 - tail])
    return round(float(lo), 4), round(float(hi), 4)


@dataclass
class Subtask2Result:
    language: str
    documents: int
    narratives_f1: float
    narratives_f1_interval: tuple[float, float]
    subnarratives_f1: float
    subnarratives_f1_interval: tuple[float, float]
    zero_shot: bool
    predictions: list[tuple[str, list[str], list[str]]] = field(default_factory=list, repr=False)


@dataclass
class Subtask1Result:
    language: str
    documents: int
    mentions: int
    exact_match_ratio: float
    exact_match_ratio_interval: tuple[float, float]
    main_role_accuracy: float
    main_role_accuracy_interval: tuple[float, float]
    zero_shot: bool
    predictions: list[tuple[str, str, int, int, str, list[str]]] = field(default_factory=list, repr=False)


def _read(d: Document, v: DocVectors) -> int:
    """The sentences the analyser reads of this document (models.storylines.read_count)."""
    return read_count([len(d.text[a:b].split()) for a, b in v.spans], d.language)


def evaluate_subtask2(
    model: StorylineModel, docs: list[Document], vectors: list[DocVectors], language: str
) -> Subtask2Result:
    narr_index, sub_index = set(model.narratives), set(model.subnarratives)
    fn, fs, preds = [], [], []
    for d, v in zip(docs, vectors, strict=True):
        if not d.annotated:
            continue
        pn, ps = model.labels(model.scores(v.vectors[: _read(d, v)]))
        fn.append(_f1(set(d.narratives) & narr_index, set(pn) & narr_index))
        fs.append(_f1(set(d.subnarratives) & sub_index, set(ps) & sub_index))
        preds.append((d.id, pn, ps))
    return Subtask2Result(
        language=language,
        documents=len(fn),
        narratives_f1=round(float(np.mean(fn)), 4) if fn else 0.0,
        narratives_f1_interval=mean_interval(fn),
        subnarratives_f1=round(float(np.mean(fs)), 4) if fs else 0.0,
        subnarratives_f1_interval=mean_interval(fs),
        zero_shot=language.lower() not in model.languages,
        predictions=preds,
    )


def predict_mentions(model: RoleModel, doc: Document, v: DocVectors) -> tuple[list[str], list[list[str]]]:
    """Main role and fine roles of each of the document's mentions (the mentions' offsets are given)."""
    if not doc.mentions:
        return [], []
    if not len(v.vectors):
        return ["Antagonist"] * len(doc.mentions), [[] for _ in doc.mentions]
    art = article_vector(v.vectors)
    x = np.stack(
        [
            mention_features(v.vectors, sentence_index(v.spans, m.start), v.names[i], art, v.states[i])
            for i, m in enumerate(doc.mentions)
        ]
    )
    main_p, fine_p = model.predict_proba(x)
    mains, fines = [], []
    for mp, fp in zip(main_p, fine_p, strict=True):
        m, f = model.decide(mp, fp)
        mains.append(model.main_roles[m])
        fines.append([model.fine_roles[j] for j in f])
    return mains, fines


def evaluate_subtask1(
    model: RoleModel, docs: list[Document], vectors: list[DocVectors], language: str
) -> Subtask1Result:
    emr_rows, acc_rows, preds = [], [], []
    for d, v in zip(docs, vectors, strict=True):
        if not d.mentions:
            continue
        mains, fines = predict_mentions(model, d, v)
        exact = sum(set(f) == set(m.fine) for f, m in zip(fines, d.mentions, strict=True))
        right = sum(p == m.main for p, m in zip(mains, d.mentions, strict=True))
        emr_rows.append((exact, len(d.mentions)))
        acc_rows.append((right, len(d.mentions)))
        preds += [
            (d.id, m.text, m.raw_start, m.raw_end, p, f)
            for m, p, f in zip(d.mentions, mains, fines, strict=True)
        ]
    total = sum(n for _, n in emr_rows)
    return Subtask1Result(
        language=language,
        documents=len(emr_rows),
        mentions=total,
        exact_match_ratio=round(sum(h for h, _ in emr_rows) / max(total, 1), 4),
        exact_match_ratio_interval=ratio_interval(emr_rows),
        main_role_accuracy=round(sum(h for h, _ in acc_rows) / max(total, 1), 4),
        main_role_accuracy_interval=ratio_interval(acc_rows),
        zero_shot=language.lower() not in model.languages,
        predictions=preds,
    )


def by_language(docs: list[Document]) -> dict[str, list[Document]]:
    out: dict[str, list[Document]] = {}
    for d in docs:
        out.setdefault(d.language, []).append(d)
    return out


def evaluate(
    subtask: int, model: StorylineModel | RoleModel, docs: list[Document], cache: Path | None
) -> list[Subtask1Result | Subtask2Result]:
    """Scores per language of ``docs`` (each language's documents embedded once, cached when asked)."""
    results: list[Subtask1Result | Subtask2Result] = []
    for lang, group in sorted(by_language(docs).items()):
        wanted = [d for d in group if (d.mentions if subtask == 1 else d.annotated)]
        vectors = embed_all(wanted, cache, echo=None)
        if subtask == 1:
            assert isinstance(model, RoleModel)
            results.append(evaluate_subtask1(model, wanted, vectors, lang))
        else:
            assert isinstance(model, StorylineModel)
            results.append(evaluate_subtask2(model, wanted, vectors, lang))
    return results


def write_predictions(results: list[Subtask1Result | Subtask2Result], path: Path) -> None:
    """The predictions in the organisers' submission format (tab-separated, as the annotation files)."""
    lines = []
    for r in results:
        if isinstance(r, Subtask2Result):
            lines += [f"{i}\t{';'.join(n)}\t{';'.join(s)}" for i, n, s in r.predictions]
        else:
            lines += [f"{i}\t{t}\t{s}\t{e}\t{m}\t" + "\t".join(f) for i, t, s, e, m, f in r.predictions]
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")


@dataclass
class MainstreamResult:
    part: str
    articles: int
    flagged: int
    rate: float
    rate_interval: tuple[float, float]
    threshold: float
    flagged_articles: list[dict] = field(default_factory=list)


def guardian_part(row_id: str) -> str:
    """Which half of the Guardian war articles a row is in: "negatives" (even source index: the storyline
    heads train on them as articles without a storyline) or "measured" (odd: the false-storyline rate is
    measured on them, never trained on)."""
    return "negatives" if int(row_id) % 2 == 0 else "measured"


def guardian_documents(
    data_dir: Path, part: str
) -> tuple[list[WarNewsArticle], list[Document], list[DocVectors]]:
    """The Guardian rows of one half ("negatives", "measured") or "all", as Documents (title line + text) with
    the vectors of what the analyser reads of them (English: the title and the lead)."""
    from unspin.datasets.war_news import GUARDIAN, load_war_news
    from unspin.models.registry import ModelRegistry

    rows = [a for a in load_war_news(data_dir, (GUARDIAN,)) if part == "all" or guardian_part(a.id) == part]
    docs = [
        Document(
            id=f"guardian-{a.id}",
            language="EN",
            text=f"{a.title}\n{a.text}",
            narratives=[OTHER],
            subnarratives=[OTHER],
            annotated=True,
        )
        for a in rows
    ]
    encoder = ModelRegistry().get("encoder")
    return rows, docs, [embed_lead(d, encoder) for d in docs]


def evaluate_mainstream(
    model: StorylineModel, data_dir: Path, measured_only: bool = True
) -> MainstreamResult:
    """The Guardian's war articles (mainstream reporting: no propaganda storyline expected) through the storyline
    heads at the reporting threshold; each flagged article with its storylines and best evidence sentence.
    ``measured_only``: only the half the heads never trained on (``guardian_part``)."""
    from unspin.datasets.war_news import GUARDIAN

    rows, docs, vectors = guardian_documents(data_dir, "measured" if measured_only else "all")
    flags, flagged = [], []
    for a, d, v in zip(rows, docs, vectors, strict=True):
        s = model.scores(v.vectors)
        narratives, subs = model.decide(s, model.report_threshold)
        hit = narratives[0][0] != model.other
        flags.append(float(hit))
        if not hit:
            continue
        stories = []
        for i, p in narratives:
            best = int(np.argmax(s.narrative_sentence_logits[:, i])) if len(v.vectors) else 0
            start, end = (int(x) for x in v.spans[best])
            # Offsets into the Guardian row's text (negative: the evidence is the title line).
            shift = len(a.title) + 1
            stories.append(
                {
                    "label": model.narratives[i],
                    "probability": round(p, 4),
                    "subnarratives": [
                        model.subnarratives[j]
                        for j, _ in subs
                        if model.subnarratives[j].startswith(model.narratives[i])
                    ],
                    "evidence": d.text[start:end],
                    "evidence_start": start - shift,
                    "evidence_end": end - shift,
                }
            )
        flagged.append(
            {
                "file": GUARDIAN,
                "id": a.id,
                "date": a.date,
                "title": a.title,
                "url": a.url,
                "storylines": stories,
            }
        )
    return MainstreamResult(
        part="measured half (odd source index)" if measured_only else "all rows",
        articles=len(flags),
        flagged=int(sum(flags)),
        rate=round(float(np.mean(flags)), 4) if flags else 0.0,
        rate_interval=mean_interval(flags),
        threshold=model.report_threshold,
        flagged_articles=flagged,
    )
