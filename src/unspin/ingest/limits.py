"""The byte limit on one article: every source is read through `read_bounded`, so that a stream without an
end (stdin from `yes`, /dev/zero, a never-ending HTTP body) costs at most ``limit + 1`` bytes of memory."""

from __future__ import annotations

import os
from typing import BinaryIO

from unspin.errors import IngestError

DEFAULT_MAX_BYTES = 2_000_000
MAX_BYTES_ENV = "UNSPIN_MAX_BYTES"
_CHUNK = 1 << 16


LIMIT_HINT = f"--max-bytes; raise it with --max-bytes or ${MAX_BYTES_ENV}"


def too_big(source: str, limit: int, size: int | None = None, hint: str = LIMIT_HINT) -> IngestError:
    """The one error every source gives when it passes the limit."""
    what = f"input is {size:,} bytes, over" if size is not None else "input goes on past"
    return IngestError(source, f"{what} the {limit:,}-byte limit ({hint})")


def check_limit(limit: int, source: str = "--max-bytes") -> int:
    """A usable byte limit (a positive integer), or an IngestError naming the bad value."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise IngestError(source, f"must be a positive number of bytes, not {limit!r}")
    return limit


def max_bytes_from_env(default: int = DEFAULT_MAX_BYTES) -> int:
    """$UNSPIN_MAX_BYTES when set (validated when used, so a bad value never breaks an unrelated command)."""
    raw = os.environ.get(MAX_BYTES_ENV)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError:
        raise IngestError(f"${MAX_BYTES_ENV}", f"must be a positive number of bytes, not {raw!r}") from None
    return check_limit(value, f"${MAX_BYTES_ENV}")


def read_bounded(stream: BinaryIO, limit: int, source: str, hint: str = LIMIT_HINT) -> bytes:
    """At most ``limit`` bytes from ``stream``; reading stops at ``limit + 1`` and the input is refused."""
    check_limit(limit)
    buf = bytearray()
    while len(buf) <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - len(buf)))
        if not chunk:
            return bytes(buf)
        buf += chunk
    raise too_big(source, limit, hint=hint)
