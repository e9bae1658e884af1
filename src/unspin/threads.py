"""Keep numpy's BLAS off the cores that onnxruntime needs.

The encoders run in onnxruntime on all cores; the heads around them are small numpy matrix products. A
multi-threaded OpenBLAS wakes its worker threads for those products, and the workers then spin, waiting for
more work, while onnxruntime runs the next window: on 2 cores the techniques stage took 107 ms instead of 43 ms
for an 800-word article (`bench/bench_techniques.py`). Products this small gain nothing from
threads, so unspin runs its own numpy work with one BLAS thread. Code outside unspin keeps its settings.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import lru_cache, wraps
from typing import Any, ParamSpec, TypeVar

from threadpoolctl import ThreadpoolController

P = ParamSpec("P")
R = TypeVar("R")


@lru_cache(maxsize=1)
def _controller() -> ThreadpoolController:
    import numpy  # noqa: F401  (load numpy's BLAS first, so that the controller finds it)

    return ThreadpoolController()


def single_threaded_blas() -> AbstractContextManager[Any]:
    """A context in which numpy's BLAS uses one thread (costs microseconds to enter)."""
    return _controller().limit(limits=1, user_api="blas")


def blas_single_threaded(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` inside ``single_threaded_blas()``."""

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with single_threaded_blas():
            return fn(*args, **kwargs)

    return run
