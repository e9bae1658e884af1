"""A BERT encoder written in numpy (float64), reading its weights from one of unspin's ONNX encoder graphs.

The second execution path of tests/test_encoder_numerics.py: it shares nothing with onnxruntime except the
weights (int8 tensors, scales and zero points, dequantised here in numpy), so agreement shows that the graph
computes the textbook layers (post-norm BERT, exact GELU, 12 heads) in float, whatever the CPU.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LINEARS = (
    "attention/self/query",
    "attention/self/key",
    "attention/self/value",
    "attention/output/dense",
    "intermediate/dense",
    "output/dense",
)
_LAYER = re.compile(r"layer\.(\d+)/(" + "|".join(LINEARS) + r")/")


@dataclass
class NumpyBert:
    """Weights keyed by their BERT names; ``hidden(input_ids or embeddings)`` runs the encoder."""

    tensors: dict[str, np.ndarray]
    linears: dict[tuple[int, str], np.ndarray]  # (layer, part) -> (in, out) weight
    prefix: str  # "encoder." or "bert.": the name the module had when it was exported
    eps: float
    heads: int

    @classmethod
    def from_onnx(cls, path: Path, heads: int = 12) -> NumpyBert:
        import onnx
        from onnx import numpy_helper

        graph = onnx.load(str(path)).graph
        init = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        producer = {out: node for node in graph.node for out in node.output}
        linears = {}
        for node in graph.node:
            match = _LAYER.search(node.name)
            if node.op_type != "MatMul" or not match or node.input[1] not in producer:
                continue
            dq = producer[node.input[1]]
            assert dq.op_type == "DequantizeLinear", dq
            axis = next((a.i for a in dq.attribute if a.name == "axis"), 1)
            linears[(int(match.group(1)), match.group(2))] = _dequantize(*(init[i] for i in dq.input), axis)
        prefix = next(
            n[: -len("embeddings.LayerNorm.weight")]
            for n in init
            if n.endswith("embeddings.LayerNorm.weight")
        )
        eps = next(
            a.f
            for node in graph.node
            if node.op_type == "LayerNormalization"
            for a in node.attribute
            if a.name == "epsilon"
        )
        tensors: dict[str, np.ndarray] = {}
        for name, value in init.items():
            if name.endswith("_quantized") and name.startswith(prefix + "embeddings."):
                base = name[: -len("_quantized")]
                tensors[base] = _dequantize(value, init[base + "_scale"], init[base + "_zero_point"], 1)
            elif value.dtype == np.float32:
                tensors[name] = value.astype(np.float64)
        return cls(tensors, linears, prefix, float(eps), heads)

    @property
    def layers(self) -> int:
        return 1 + max(layer for layer, _ in self.linears)

    def _w(self, name: str) -> np.ndarray:
        return self.tensors[self.prefix + name]

    def hidden(self, input_ids: np.ndarray | None = None, embeds: np.ndarray | None = None) -> np.ndarray:
        """Last layer's token states, (tokens, hidden), for one window without padding."""
        x = (
            self._w("embeddings.word_embeddings.weight")[input_ids]
            if embeds is None
            else embeds.astype(np.float64)
        )
        n = x.shape[0]
        x = (
            x
            + self._w("embeddings.position_embeddings.weight")[:n]
            + self._w("embeddings.token_type_embeddings.weight")[0]
        )
        x = _layer_norm(
            x, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"), self.eps
        )
        for i in range(self.layers):
            x = self._block(i, x)
        return x

    def _linear(self, i: int, part: str, x: np.ndarray) -> np.ndarray:
        return x @ self.linears[(i, part)] + self._w(f"encoder.layer.{i}.{part.replace('/', '.')}.bias")

    def _block(self, i: int, x: np.ndarray) -> np.ndarray:
        n, d = x.shape
        h = self.heads
        q, k, v = (
            self._linear(i, f"attention/self/{p}", x).reshape(n, h, d // h).transpose(1, 0, 2)
            for p in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d // h)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attn = (scores / scores.sum(-1, keepdims=True)) @ v
        attn = attn.transpose(1, 0, 2).reshape(n, d)
        ln = f"encoder.layer.{i}.attention.output.LayerNorm"
        x = _layer_norm(
            self._linear(i, "attention/output/dense", attn) + x,
            self._w(ln + ".weight"),
            self._w(ln + ".bias"),
            self.eps,
        )
        inner = self._linear(i, "intermediate/dense", x)
        inner = 0.5 * inner * (1.0 + np.vectorize(math.erf)(inner / math.sqrt(2.0)))
        ln = f"encoder.layer.{i}.output.LayerNorm"
        return _layer_norm(
            self._linear(i, "output/dense", inner) + x,
            self._w(ln + ".weight"),
            self._w(ln + ".bias"),
            self.eps,
        )


def _dequantize(q: np.ndarray, scale: np.ndarray, zero: np.ndarray, axis: int) -> np.ndarray:
    """ONNX DequantizeLinear: (q - zero) * scale, per tensor or along ``axis``."""
    shape = [1] * q.ndim
    if np.ndim(scale):
        shape[axis] = -1
    return (q.astype(np.float64) - np.reshape(zero, shape)) * np.reshape(scale, shape).astype(np.float64)


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b
