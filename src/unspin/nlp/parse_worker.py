"""The second process of a long English parse: pickled paragraph texts in on stdin, their parse rows out.

``unspin.nlp.parse`` starts it as ``python -m unspin.nlp.parse_worker``: a plain subprocess rather than
multiprocessing, whose "spawn" start re-imports the caller's main module (a script without an
``if __name__ == "__main__"`` guard would run again in the child) and whose "fork" copies a process that holds
onnxruntime's and a server's threads.
"""

from __future__ import annotations

import pickle
import sys


def main() -> None:
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing a library prints may reach the pickled answer
    texts = pickle.load(sys.stdin.buffer)
    from unspin.nlp.parse import english_rows

    pickle.dump(english_rows(texts), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


if __name__ == "__main__":
    main()
