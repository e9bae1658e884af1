"""thinc's CPU ops with matrix products done by numpy's BLAS instead of blis.

Why: spaCy's tok2vec and NER layers spend most of their time in ``Ops.gemm``. With the installed wheels
(blis 1.3.4, numpy 2.4 with OpenBLAS 0.3.31) numpy's single-threaded product is about 3.3x faster for the
shapes of en_core_web_sm (2,000 x 288 by 288 x 288: 0.20 s against 0.65 s for 50 products on an AVX2 EPYC
core), which makes the whole parse about a fifth faster. The products are the same up to float rounding; on
the 547,297 tokens of the PTC train and dev articles every tag, parse arc, entity and POS came out the same
(docs/RESEARCH_LOG.md). OpenBLAS picks its kernels by CPU (AVX2, AVX-512, ARM), so products may differ in
the last bits from machine to machine; the parse's labels did not move under the larger difference between
blis and OpenBLAS above. The transition loops of the parser and NER call blis from Cython and are unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from thinc.api import NumpyOps


class NumpyMatmulOps(NumpyOps):  # type: ignore[misc]
    """NumpyOps whose ``gemm`` is ``numpy.matmul``."""

    def gemm(self, x: Any, y: Any, out: Any = None, trans1: bool = False, trans2: bool = False) -> Any:
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return np.matmul(a, b)
        np.matmul(a, b, out=out)
        return out


def use_numpy_matmul(nlp: Any) -> None:
    """Give every layer of every component of a loaded spaCy pipeline NumpyMatmulOps."""
    ops = NumpyMatmulOps()
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is not None and hasattr(model, "walk"):
            for node in model.walk():
                node.ops = ops
