"""Refit the technique head of a trained span model over its frozen encoder, with every context feature.

The head trained with the encoder reads the span's pooled token states and two context features (repetition,
length). This stage reads all of SpanContext's features (quotations, scare quotes, attribution, hedges,
questions) and keeps whichever head names the held-out articles' gold spans better. Cheap: the encoder runs
once per article (ONNX, no gradient), then a small MLP trains in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from unspin.datasets.ptc import TECHNIQUES_2020, LabelledArticle
from unspin.models.span_context import FEATURES
from unspin.models.span_model import SpanModel

HIDDEN = 256
MAX_EPOCHS = 60


def span_matrix(model: SpanModel, articles: list[LabelledArticle]) -> tuple[np.ndarray, np.ndarray]:
    """Head inputs (with all context features) and technique indices of the articles' gold spans."""
    xs, ys = [], []
    for a in articles:
        if not a.spans:
            continue
        spans = [(s, e) for s, e, _ in a.spans]
        xs.append(model.span_inputs(a.text, model.encode(a.text), spans, features=len(FEATURES)))
        ys += [TECHNIQUES_2020.index(t) for _, _, t in a.spans]
    return np.concatenate(xs), np.array(ys)


def _accuracy(model: SpanModel, x: np.ndarray, y: np.ndarray) -> float:
    return float((model.technique_logits(x).argmax(1) == y).mean())


def refit(folder: Path, train: list[LabelledArticle], heldout: list[LabelledArticle], seed: int = 13) -> dict:
    """Train the wider head, pick its epoch on the held-out articles, write it if it beats the joint head."""
    import torch

    model = SpanModel(folder)
    hidden = int(model.si_w.shape[1])
    joint_k = model.n_context_features
    x, y = span_matrix(model, train)
    xh, yh = span_matrix(model, heldout)
    heads = dict(np.load(folder / "heads.npz"))
    joint_acc = _accuracy(model, xh[:, : 2 * hidden + joint_k], yh)

    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], HIDDEN), torch.nn.GELU(), torch.nn.Dropout(0.1),
        torch.nn.Linear(HIDDEN, len(TECHNIQUES_2020)),
    )  # fmt: skip
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.01)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    rng = np.random.default_rng(seed)
    best: tuple[float, int, dict[str, np.ndarray]] = (-1.0, 0, {})
    for epoch in range(1, MAX_EPOCHS + 1):
        net.train()
        for b in np.array_split(rng.permutation(len(y)), max(1, len(y) // 64)):
            idx = torch.from_numpy(b)
            loss = torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            acc = float((net(torch.from_numpy(xh)).argmax(1).numpy() == yh).mean())
        if acc > best[0]:
            state = {f"tc.{k}": v.detach().numpy().copy() for k, v in net.state_dict().items()}
            best = (acc, epoch, state)
    acc, epoch, state = best
    kept = acc > joint_acc
    if kept:
        heads.update(state)
        np.savez(folder / "heads.npz", **heads)
    meta = {
        "features": list(FEATURES),
        "train_spans": len(y),
        "heldout_spans": len(yh),
        "heldout_accuracy_joint_head": round(joint_acc, 4),
        "heldout_accuracy_context_head": round(acc, 4),
        "epochs": epoch,
        "kept": "context head" if kept else "joint head",
    }
    (folder / "technique_head.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta
