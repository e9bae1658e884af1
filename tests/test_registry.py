"""The model registry and the contract every shipped artifact keeps (scikit-learn's check_estimator, for us):
it loads, its metadata validates, it predicts on a fixture, it has a card; and swapping one is one argument."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import EXAMPLE, run_cli
from unspin.ingest import load_article
from unspin.models.metadata import SCHEMAS, kind_of, read_metadata
from unspin.models.registry import MODELS_DIR, ROLES, ModelError, ModelRegistry, parse_overrides
from unspin.pipeline import Pipeline, default_pipeline

SHIPPED = sorted(p for p in MODELS_DIR.iterdir() if p.is_dir() and not p.name.startswith("__"))
MAX_SHIPPED_MB = 80
EN = ["The minister said on Monday that 4,000 troops would be sent to the border by March.", "Good evening."]


def _members(folder: Path) -> list[str]:
    """Artifact folders an ensemble or a blend loads beside itself."""
    for name in ("ensemble.json", "blend.json"):
        if (folder / name).exists():
            members = json.loads((folder / name).read_text(encoding="utf-8"))["members"]
            return list(members.values()) if isinstance(members, dict) else list(members)
    return []


def _predicts(role: str, m: object) -> None:
    """The role's runtime answers its one prediction method on a small fixture, with probabilities."""
    if role == "span_tagger":
        spans = m.spans(EXAMPLE.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
        assert spans and all(0 <= s.score <= 1 and s.start < s.end for s in spans)
    elif role == "encoder":
        v = m.embed(EN)  # type: ignore[attr-defined]
        assert v.shape == (2, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    elif role.startswith("paragraph_"):
        tp, fp, gp = m.predict_proba(EN)  # type: ignore[attr-defined]
        assert tp.shape[0] == 2 and abs(float(gp.sum()) - 1) < 1e-4 and ((fp >= 0) & (fp <= 1)).all()
    elif role == "sentence_spans":
        p_any, shares = m.predict_proba(EN)  # type: ignore[attr-defined]
        assert p_any.shape == (2,) and np.allclose(shares.sum(axis=1), 1)
    elif role == "stance":
        p = m.predict_proba([EN[0], EN[0]], [EN[0], "Cats sleep a lot."])  # type: ignore[attr-defined]
        assert p.shape == (2, 4) and np.allclose(p.sum(axis=1), 1)
    elif role == "checkworthiness":
        p = m.predict_proba(EN)  # type: ignore[attr-defined]
        assert p.shape == (2,) and p[0] > p[1]
    elif role == "verification":
        stance = default_pipeline().models.get("stance")
        p = m.predict_proba(EN[0], EN, stance.predict_proba([EN[0]] * 2, EN))  # type: ignore[attr-defined]
        assert p.shape == (2, 3) and np.allclose(p.sum(axis=1), 1)
    elif role == "claim_matcher":
        from unspin.models.claim_match_features import CaseText, headline_for, pair_features

        case = CaseText(
            title="NATO troops in Donbas", text="NATO is secretly deploying troops to Donbas", year="2022"
        )
        encoder = default_pipeline().models.get("encoder")
        sentences = default_pipeline().models.get("sentence_encoder")
        claims = [
            "NATO has secretly deployed thousands of troops to Donbas.",
            "Poland is sending grain to Odesa.",
        ]
        same, other = (
            pair_features(
                c,
                case,
                cos,
                *encoder.token_states([c, headline_for(c, case)]),
                sentences.cosine(c, headline_for(c, case)),
            )
            for c, cos in zip(claims, (0.95, 0.85), strict=True)
        )
        p = m.predict_proba(np.stack([same, other]))  # type: ignore[attr-defined]
        assert p.shape == (2, 2) and np.allclose(p.sum(axis=1), 1) and p[0, 1] > p[1, 1]
    elif role == "sentence_encoder":
        v = m.embed([EN[0], "By March, 4,000 soldiers will be at the border, the minister said.", EN[1]])  # type: ignore[attr-defined]
        assert v.shape == (3, 768) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
        assert v[0] @ v[1] > v[0] @ v[2] + 0.3  # a paraphrase is far closer than an unrelated line
    elif role == "storylines":
        vectors = default_pipeline().models.get("encoder").embed(EN)
        pn, ps = m.predict_proba(vectors)  # type: ignore[attr-defined]
        assert pn.shape == (22,) and ps.shape == (91,) and ((pn >= 0) & (pn <= 1)).all()
    elif role == "entity_roles":
        main, fine = m.predict_proba(np.zeros((2, 5 * 384), dtype=np.float32))  # type: ignore[attr-defined]
        assert main.shape == (2, 3) and np.allclose(main.sum(axis=1), 1) and fine.shape == (2, 22)
    elif role == "claim_ranker":
        from unspin.models.claim_ranker import Candidates, candidate_features

        c = Candidates(
            ids=["same", "other"],
            texts=["NATO deployed thousands of troops to Donbas.", "Poland is sending grain to Odesa."],
            mpnet=np.array([0.82, 0.21]),
            e5=np.array([0.93, 0.80]),
            bm25=np.array([12.0, 0.0]),
        )
        p = m.predict_proba(candidate_features("NATO secretly deployed 3000 troops in Donbas", c))  # type: ignore[attr-defined]
        assert p.shape == (2, 2) and np.allclose(p.sum(axis=1), 1) and p[0, 1] > p[1, 1]
    else:
        raise AssertionError(f"no prediction check for role {role}")


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_loads_validates_and_predicts(role: str) -> None:
    models = default_pipeline().models
    folder = models.folder(role)
    assert (folder / "MODEL_CARD.md").read_text(encoding="utf-8").strip()
    read_metadata(folder, kind_of(folder))
    _predicts(role, models.get(role))


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_folder_is_an_artifact_the_pipeline_loads(folder: Path) -> None:
    card = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "unspin train" in card or "Reproduce" in card, "the card says how to reproduce the artifact"
    kind = kind_of(folder)
    read_metadata(folder, kind)
    loaded = {ROLES[r].default for r in ROLES}
    loaded |= {m for r in ROLES for m in _members(MODELS_DIR / ROLES[r].default)}
    assert folder.name in loaded, f"{folder.name} is shipped but nothing loads it"


def test_shipped_artifacts_stay_small() -> None:
    total = sum(f.stat().st_size for d in SHIPPED for f in d.rglob("*") if f.is_file())
    assert total < MAX_SHIPPED_MB * 1e6, f"{total / 1e6:.1f} MB of artifacts"


def test_metadata_that_does_not_validate_names_the_field(tmp_path: Path) -> None:
    folder = tmp_path / "cw"
    shutil.copytree(MODELS_DIR / ROLES["checkworthiness"].default, folder)
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    meta["threshold"] = 3
    (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="threshold"):
        ModelRegistry({"checkworthiness": folder}).get("checkworthiness")
    with pytest.raises(ModelError, match="a checkworthiness artifact, not a stance-mlp"):
        ModelRegistry({"stance": folder}).get("stance")
    with pytest.raises(ModelError, match="no such role"):
        ModelRegistry({"spans": folder})
    assert set(SCHEMAS) >= {r.kind for r in ROLES.values()}


def _tiny_checkworthiness(folder: Path, threshold: float) -> Path:
    """A check-worthiness artifact of the shipped kind whose every sentence scores the same."""
    shipped = MODELS_DIR / ROLES["checkworthiness"].default
    folder.mkdir()
    meta = json.loads((shipped / "model.json").read_text(encoding="utf-8"))
    meta.update(model="tiny-checkworthy", intercept=0.0, platt_a=1.0, platt_b=0.0, threshold=threshold)
    (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    arrays = np.load(shipped / "weights.npz")
    np.savez(folder / "weights.npz", idf=arrays["idf"], coef=np.zeros_like(arrays["coef"]))
    (folder / "MODEL_CARD.md").write_text("# tiny-checkworthy\nA test artifact.\n", encoding="utf-8")
    return folder


def test_a_swapped_artifact_serves_its_role(tmp_path: Path) -> None:
    tiny = _tiny_checkworthiness(tmp_path / "tiny", threshold=0.4)  # every sentence scores 0.5
    article = load_article(EXAMPLE)
    swapped = Pipeline(models={"checkworthiness": tiny}).analyze(article, only=["claims"])
    sentences = sum(len(s) for s in (swapped.checkworthiness,))
    assert len(swapped.claims) == sentences and all(c.score == 0.5 for c in swapped.claims)
    shipped = default_pipeline().analyze(article, only=["claims"])
    assert len(shipped.claims) < len(swapped.claims)


def test_the_command_line_swaps_a_model(tmp_path: Path) -> None:
    tiny = _tiny_checkworthiness(tmp_path / "tiny", threshold=0.99)  # no sentence is check-worthy
    ok = run_cli("analyze", str(EXAMPLE), "-f", "json", "--model", f"checkworthiness={tiny}")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["claims"] == []
    for bad, said in (
        ("checkworthy=" + str(tiny), "no such role"),
        ("checkworthiness", "ROLE=PATH"),
        (f"checkworthiness={tmp_path / 'missing'}", "not an artifact folder"),
        (f"stance={tiny}", "not a stance-mlp"),
    ):
        p = run_cli("analyze", str(EXAMPLE), "--model", bad)
        assert p.returncode == 2 and said in p.stderr and "Traceback" not in p.stderr, (bad, p.stderr)
    assert parse_overrides([f"checkworthiness={tiny}"]) == {"checkworthiness": tiny}


def test_worker_processes_share_the_cores() -> None:
    from unspin.models.registry import threads_per_worker

    cores = os.cpu_count() or 1
    assert threads_per_worker(1) == cores and threads_per_worker(cores * 4) == 1
    tagger = ModelRegistry(threads=1).get("span_tagger")
    assert tagger.session.get_session_options().intra_op_num_threads == 1
    assert ModelRegistry(threads=1).get("encoder").embedder.workers == 1
