"""Int8 weights on disk, float arithmetic at run time: the same answers on every CPU.

Why: onnxruntime's ``quantize_dynamic`` writes graphs that quantise every activation at run time
(DynamicQuantizeLinear) and multiply in integers (MatMulInteger). Those kernels take different code paths on
AVX2, AVX-512 VNNI and ARM (u8s8 saturation, accumulation order), so the shipped encoders gave technique scores
that differed by up to 0.06 between machines. This module rewrites such a graph so that each weight is
``DequantizeLinear(int8 constant, per-channel scale, zero point)`` feeding a float ``MatMul``: the file stays as
small as before (the int8 tensors are kept), and the arithmetic is float32, whose results differ between CPUs
only by rounding (~1e-6). Sessions must be created with ``session_options()`` so that onnxruntime constant-folds
the DequantizeLinear nodes into float weights once, at load time, instead of running them on every call.

The rewrite needs the ``onnx`` package (the ``dev`` and ``train`` extras); running the result needs only
onnxruntime.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

INTEGER_OPS = frozenset({"MatMulInteger", "DynamicQuantizeLinear", "ConvInteger", "QLinearMatMul"})


def session_options(threads: int = 0) -> Any:
    """onnxruntime options for unspin's encoders.

    - ``session.disable_quant_qdq=1``: treat DequantizeLinear of a constant as foldable, so that weights become
      float tensors at load time (by default onnxruntime keeps QDQ pairs for its integer kernels).
    - ``threads`` intra-op threads (0: one per core), one inter-op thread, and no spinning: a spinning worker
      burns its core while it waits, so two processes sharing the cores slowed each other down several-fold.
    """
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.add_session_config_entry("session.disable_quant_qdq", "1")
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return opts


def load_session(path: Path, threads: int = 0) -> Any:
    """An onnxruntime CPU session for an encoder graph, with ``session_options(threads)``."""
    import onnxruntime as ort

    return ort.InferenceSession(str(path), session_options(threads), providers=["CPUExecutionProvider"])


def integer_ops(model: Any) -> list[str]:
    """The op types of ``model`` (an onnx ModelProto) whose result depends on the CPU's integer kernels."""
    return sorted({n.op_type for n in model.graph.node if n.op_type in INTEGER_OPS})


def to_float_compute(model: Any) -> Any:
    """Rewrite every ``DynamicQuantizeLinear → MatMulInteger → Cast → Mul(scale)`` chain of a
    ``quantize_dynamic`` graph into ``DequantizeLinear(int8 weight) → MatMul(float input)``; returns the model.

    The float MatMul's output takes the name of the chain's last Mul, so the rest of the graph is unchanged.
    Raises ValueError on a chain of another shape (the graph is then left as it was).
    """
    from onnx import helper

    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    initializers = {t.name for t in graph.initializer}

    drop: set[int] = set()
    new_nodes: dict[int, list[Any]] = {}  # index of the MatMulInteger -> nodes that replace the chain
    for index, node in enumerate(graph.node):
        if node.op_type != "MatMulInteger":
            continue
        a_q, w_q, _a_zp, w_zp = node.input
        dql = producer.get(a_q)
        if dql is None or dql.op_type != "DynamicQuantizeLinear" or w_q not in initializers:
            raise ValueError(f"{node.name}: expected a dynamically quantised input and an int8 weight")
        (cast,) = consumers[node.output[0]]
        (mul,) = consumers[cast.output[0]]
        if cast.op_type != "Cast" or mul.op_type != "Mul":
            raise ValueError(f"{node.name}: expected Cast then Mul after the MatMulInteger")
        scales_name = next(i for i in mul.input if i != cast.output[0])
        scales = producer[scales_name]  # Mul(activation scale, weight scale)
        w_scale = next(i for i in scales.input if i in initializers)
        weight = f"{w_q}_float"
        label = node.name or mul.output[0]  # quantize_dynamic leaves nodes of an unnamed graph unnamed
        new_nodes[index] = [
            helper.make_node("DequantizeLinear", [w_q, w_scale, w_zp], [weight], name=f"{label}_dq", axis=1),
            helper.make_node("MatMul", [dql.input[0], weight], [mul.output[0]], name=f"{label}_float"),
        ]
        drop.update(id(n) for n in (node, cast, mul, scales))

    # The DynamicQuantizeLinear nodes whose every output has lost its consumers go too.
    dropped = {id(n) for n in graph.node if id(n) in drop}
    for node in graph.node:
        if node.op_type == "DynamicQuantizeLinear" and all(
            all(id(c) in dropped for c in consumers.get(out, [])) for out in node.output
        ):
            drop.add(id(node))

    rebuilt = []
    for index, node in enumerate(graph.node):
        if index in new_nodes:
            rebuilt.extend(new_nodes[index])
        elif id(node) not in drop:
            rebuilt.append(node)
    del graph.node[:]
    graph.node.extend(rebuilt)
    _drop_unused_initializers(graph)
    left = integer_ops(model)
    if left:
        raise ValueError(f"integer ops left after the rewrite: {left}")
    return model


def _drop_unused_initializers(graph: Any) -> None:
    used = {name for node in graph.node for name in node.input} | {o.name for o in graph.output}
    keep = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(keep)


def convert_file(source: Path, target: Path) -> None:
    """Read a ``quantize_dynamic`` ONNX file, rewrite it with ``to_float_compute`` and save it (may be the same
    path), after onnx's checker has accepted it."""
    import onnx

    model = to_float_compute(onnx.load(str(source)))
    onnx.checker.check_model(model)
    onnx.save(model, str(target))
