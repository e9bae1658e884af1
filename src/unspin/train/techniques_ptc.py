"""Train the span model on PTC: one MiniLM encoder, a token BIO head (SI) and a pooled-span head (TC).

One forward pass per window serves both tasks at inference. The encoder is exported to ONNX (int8) and the
two small heads to numpy, so unspin needs neither torch nor transformers to run the model.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.datasets.ptc import TECHNIQUES_2020, LabelledArticle
from unspin.models.span_context import SpanContext
from unspin.models.windows import MAX_TOKENS, special_ids, token_range, windows
from unspin.train.encoder import load_encoder

SI_LABELS = ("O", "B", "I")
JOINT_FEATURES = 2  # context features of the head trained with the encoder (repetition, length)


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping or touching spans (the SI task ignores techniques and overlaps)."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


@dataclass
class Example:
    ids: list[int]
    bio: list[int]
    spans: list[tuple[int, int, int, list[float]]]  # token start, token end, technique index, features


def make_examples(
    articles: list[LabelledArticle], tokenizer: object, rng: random.Random | None = None
) -> list[Example]:
    """Windows with BIO tags from the merged gold spans and the gold spans that fall inside them.

    With ``rng`` each article's first window gets a random length, so the window edges move.
    """
    out = []
    for a in articles:
        merged = merge_spans([(s, e) for s, e, _ in a.spans])
        first = rng.randint(16, MAX_TOKENS) if rng else None
        ctx = SpanContext(a.text)
        for w in windows(tokenizer, a.text, first=first):
            bio = [0] * len(w.ids)
            for s, e in merged:
                r = token_range(w, s, e)
                if r:
                    bio[r[0]] = 1 if w.offsets[r[0]][0] >= s else 2  # a span begun in an earlier window: I
                    for i in range(r[0] + 1, r[1]):
                        bio[i] = 2
            spans = []
            for s, e, tech in a.spans:
                r = token_range(w, s, e)
                # A technique PTC has no label for ("", other languages' gold) marks a span but trains no head.
                if r and tech and w.offsets[r[0]][0] >= s - 1 and w.offsets[r[1] - 1][1] <= e + 1:
                    spans.append(
                        (
                            r[0],
                            r[1],
                            TECHNIQUES_2020.index(tech),
                            ctx.features(s, e, r[1] - r[0], JOINT_FEATURES),
                        )
                    )
            out.append(Example(w.ids, bio, spans))
    return out


def build_model(n_techniques: int, encoder):  # type: ignore[no-untyped-def]
    import torch

    class SpanModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            hidden = self.encoder.config.hidden_size
            self.si = torch.nn.Linear(hidden, len(SI_LABELS))
            self.tc = torch.nn.Sequential(
                torch.nn.Linear(2 * hidden + 2, 256), torch.nn.GELU(), torch.nn.Dropout(0.1),
                torch.nn.Linear(256, n_techniques),
            )  # fmt: skip
            self.drop = torch.nn.Dropout(0.1)

        def forward(self, ids, mask):  # type: ignore[no-untyped-def]
            return self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state

    return SpanModel()


def pool(h, s: int, e: int):  # type: ignore[no-untyped-def]
    """Mean and max of the span's token states (offset by 1 for [CLS])."""
    import torch

    seg = h[s + 1 : e + 1]
    return torch.cat([seg.mean(0), seg.max(0).values])


def batch_loss(model, batch: list, cls_id: int, sep_id: int, si_weight, device: str):  # type: ignore[no-untyped-def]
    """Span identification (BIO tokens, spans weighed up) plus technique classification of the gold spans."""
    import torch

    width = max(len(x.ids) for x in batch) + 2
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    bio = torch.full((len(batch), width), -100, dtype=torch.long)
    for i, x in enumerate(batch):
        seq = [cls_id, *x.ids, sep_id]
        ids[i, : len(seq)] = torch.tensor(seq)
        mask[i, : len(seq)] = 1
        bio[i, 1 : len(x.ids) + 1] = torch.tensor(x.bio)
    ids, mask, bio = ids.to(device), mask.to(device), bio.to(device)
    h = model.drop(model(ids, mask))
    loss = torch.nn.functional.cross_entropy(model.si(h).view(-1, 3), bio.view(-1), weight=si_weight)
    pooled, targets = [], []
    for i, x in enumerate(batch):
        for s, e, t, feats in x.spans:
            pooled.append(torch.cat([pool(h[i], s, e), torch.tensor(feats, device=device)]))
            targets.append(t)
    if pooled:
        loss = loss + torch.nn.functional.cross_entropy(
            model.tc(torch.stack(pooled)), torch.tensor(targets, device=device)
        )
    return loss


def train(
    articles: list[LabelledArticle], out_dir: Path, *, epochs: int = 3, batch_size: int = 8, lr: float = 6e-5,
    seed: int = 13, max_steps: int | None = None, log: bool = True, shift_windows: bool = False,
    encoder: str = "minilm", vocab_texts: list[str] | None = None, device: str = "cpu",
) -> dict[str, object]:  # fmt: skip
    """Fine-tune and write encoder.onnx (int8), heads.npz and training metadata into out_dir.

    With ``vocab_texts`` (e5 only) the exported vocabulary keeps just the pieces those texts use. ``device``
    is a torch device ("cuda" for the cross-validation folds); the export always runs on the CPU.
    """
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    bert, tokenizer = load_encoder(encoder)
    if encoder == "e5":
        # 47k multilingual word vectors against 334 English articles: fine-tuning them only overfits.
        bert.embeddings.word_embeddings.weight.requires_grad_(False)
    examples = make_examples(articles, tokenizer)
    model = build_model(len(TECHNIQUES_2020), bert).to(device)
    cls_id, sep_id = special_ids(tokenizer)
    head_params = list(model.si.parameters()) + list(model.tc.parameters())
    opt = torch.optim.AdamW(
        [
            {"params": [p for p in model.encoder.parameters() if p.requires_grad], "lr": lr},
            {"params": head_params, "lr": 1e-3},
        ],
        weight_decay=0.01,
    )
    steps = math.ceil(len(examples) / batch_size) * epochs
    if max_steps:
        steps = min(steps, max_steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: min(1.0, (k + 1) / max(1, steps // 10)) * max(0.0, (steps - k) / steps)
    )
    si_weight = torch.tensor([1.0, 3.0, 2.0], device=device)  # spans are rare tokens: weigh them up
    step, t0 = 0, time.time()
    model.train()
    shifts = random.Random(seed + 1)
    for epoch in range(epochs):
        if shift_windows and epoch > 0:
            examples = make_examples(articles, tokenizer, shifts)
        random.shuffle(examples)
        for b in range(0, len(examples), batch_size):
            loss = batch_loss(model, examples[b : b + batch_size], cls_id, sep_id, si_weight, device)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if log and step % 20 == 0:
                rate = step / (time.time() - t0)
                print(
                    f"epoch {epoch} step {step}/{steps} loss {loss.item():.3f} ({rate:.2f} steps/s)",
                    flush=True,
                )
            if step >= steps:
                break
        if step >= steps:
            break
    export(model.to("cpu"), tokenizer, out_dir)
    vocabulary = None
    if vocab_texts and encoder == "e5":
        from unspin.train.e5_encoder import MIN_PIECE_COUNT, pieces_in_use, trim_vocabulary

        keep = pieces_in_use(tokenizer, vocab_texts, min_count=MIN_PIECE_COUNT)
        trim_vocabulary(out_dir, keep)
        vocabulary = len(keep)
    meta: dict[str, object] = {"epochs": epochs, "batch_size": batch_size, "lr": lr, "seed": seed, "steps": step,
            "shift_windows": shift_windows, "encoder": encoder, "vocabulary": vocabulary,
            "train_windows": len(examples), "train_seconds": round(time.time() - t0, 1)}  # fmt: skip
    (out_dir / "training.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def export(model, tokenizer: object, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Encoder to ONNX with int8 weights and float arithmetic; heads to numpy; the tokenizer beside them."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from unspin.models.float_graph import convert_file

    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    fp32 = out_dir / "encoder.fp32.onnx"
    ids = torch.ones((1, 16), dtype=torch.long)
    torch.onnx.export(
        model, (ids, torch.ones_like(ids)), str(fp32), input_names=["input_ids", "attention_mask"],
        output_names=["hidden"], dynamic_axes={"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"},
                                                "hidden": {0: "b", 1: "t"}},
        opset_version=17, dynamo=False,
    )  # fmt: skip
    # Per output channel: per tensor, one scale per matrix cost the MiniLM member 0.036 held-out SI F1 alone
    # (0.3913 against 0.4275; float32 0.4253; docs/RESEARCH_LOG.md).
    quantize_dynamic(str(fp32), str(out_dir / "encoder.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()
    # Int8 weights stay on disk; the arithmetic becomes float, so every CPU gives the same scores.
    convert_file(out_dir / "encoder.onnx", out_dir / "encoder.onnx")
    state = {k: v.detach().numpy() for k, v in model.state_dict().items() if k.startswith(("si.", "tc."))}
    np.savez(out_dir / "heads.npz", **state)
    tokenizer.save(str(out_dir / "tokenizer.json"))  # type: ignore[attr-defined]
