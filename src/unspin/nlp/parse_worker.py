"""The second process of a long English parse (``unspin.worker_process``): paragraph texts in, their parse rows
out. Started by ``unspin.nlp.parse`` as ``python -m unspin.nlp.parse_worker``."""

from __future__ import annotations

from unspin.worker_process import serve

if __name__ == "__main__":
    from unspin.nlp.parse import english_rows

    serve(english_rows)
