"""Encoding texts with a sentence-transformers model, fast.

``SentenceTransformer.encode`` tokenises every batch on the host while the
accelerator waits, pads batches by character length, and runs in fp32. On a
GPU that caps it near 300 postings/s whatever the model size. Here texts are
tokenised once (the fast tokenizer's batch call, in Rust, on all cores), sorted
by token count, cut into batches padded only to their own longest text, and
run under ``torch.inference_mode()``, in the precision ``auto`` resolves to
(:mod:`jobsearch.precision`): bf16 autocast where the GPU or CPU has bf16 units
(fp16 on GPUs without), fp32 elsewhere, where the embeddings match
``model.encode`` to float rounding.

Models whose pipeline is not a plain ``Transformer -> Pooling [-> Normalize]``
(prompts, truncated dimensions, ONNX backends, multimodal or chat-template
inputs) go through ``model.encode`` unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import chain

import numpy as np

from jobsearch.errors import DataError

# Texts tokenised per tokenizer call: large enough for the Rust tokenizer to use
# every core, small enough that the Python lists it returns stay small.
TOKENIZE_CHUNK = 4096
# Short texts go into batches of up to this many times ``batch_size``, as long as
# the batch holds no more tokens than ``batch_size`` texts of the longest length.
MAX_BATCH_GROWTH = 8


def encode(model, texts: list[str], *, batch_size: int = 64, progress: bool = False, precision: str = "auto") -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text (cosine = dot product), computed in ``precision``."""
    texts = list(texts)
    if not texts:
        return np.zeros((0, model.get_embedding_dimension()), dtype=np.float32)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
    if bad is not None:
        raise DataError(f"text {bad} to encode is {type(texts[bad]).__name__}, not a string: {texts[bad]!r:.60}")
    if not supports_fast_path(model):
        emb = model.encode(
            texts,
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=progress,
        )
        return np.asarray(emb, dtype=np.float32)
    return _encode_pretokenised(model, texts, batch_size, progress, precision)


def supports_fast_path(model) -> bool:
    """True when ``model`` is a plain ``Transformer -> Pooling [-> Normalize]`` text encoder."""
    try:
        from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    except ImportError:  # another sentence-transformers layout: use its own encode
        return False
    modules = list(model) if hasattr(model, "__iter__") else []
    if len(modules) not in (2, 3) or type(modules[0]) is not Transformer or type(modules[1]) is not Pooling:
        return False
    if len(modules) == 3 and type(modules[2]) is not Normalize:
        return False
    transformer = modules[0]
    tokenizer = getattr(transformer, "tokenizer", None)
    return (
        tokenizer is not None
        and getattr(tokenizer, "is_fast", False)
        and getattr(transformer, "backend", "torch") == "torch"
        and getattr(transformer, "transformer_task", "feature-extraction") == "feature-extraction"
        and "text" in getattr(transformer, "modality_config", {"text": None})
        and "message" not in getattr(transformer, "modality_config", {})
        and getattr(transformer, "query_expansion", None) is None
        and not getattr(transformer, "processing_kwargs", None)
        and getattr(model, "default_prompt_name", None) is None
        and getattr(model, "truncate_dim", None) is None
    )


@dataclass
class TokenisedTexts:
    """Token ids of many texts, stored flat (int32) instead of as Python lists."""

    fields: dict[str, np.ndarray]  # name -> all texts' values end to end
    offsets: np.ndarray  # text i is [offsets[i], offsets[i + 1])

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)


def tokenise_once(tokenizer, texts: Sequence[str], max_length: int | None) -> TokenisedTexts:
    """Tokenise ``texts`` with truncation at ``max_length`` tokens (special tokens included)."""
    kwargs = {"truncation": True, "padding": False}
    if max_length:
        kwargs["max_length"] = int(max_length)
    parts: dict[str, list[np.ndarray]] = {}
    lengths: list[np.ndarray] = []
    for start in range(0, len(texts), TOKENIZE_CHUNK):
        encoded = tokenizer(list(texts[start:start + TOKENIZE_CHUNK]), **kwargs)
        ids = encoded["input_ids"]
        lengths.append(np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids)))
        for name in ("input_ids", "token_type_ids"):
            if name in encoded:
                values = encoded[name]
                flat = np.fromiter(chain.from_iterable(values), dtype=np.int32, count=int(lengths[-1].sum()))
                parts.setdefault(name, []).append(flat)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.concatenate(lengths), out=offsets[1:])
    return TokenisedTexts({name: np.concatenate(chunks) for name, chunks in parts.items()}, offsets)


def length_sorted_batches(lengths: np.ndarray, batch_size: int, max_growth: int = MAX_BATCH_GROWTH) -> Iterator[np.ndarray]:
    """Indices of texts in batches, longest texts first, each batch of similar lengths.

    A batch holds ``batch_size`` texts, or more when they are short: up to
    ``max_growth * batch_size`` texts while the padded batch stays within
    ``batch_size`` x (the longest length) tokens, so memory is bounded as if
    every batch were ``batch_size`` of the longest texts.
    """
    order = np.argsort(-np.asarray(lengths), kind="stable")
    if len(order) == 0:
        return
    budget = batch_size * max(int(lengths[order[0]]), 1)
    start = 0
    while start < len(order):
        longest = max(int(lengths[order[start]]), 1)
        size = min(max(batch_size, budget // longest), batch_size * max_growth)
        yield order[start:start + size]
        start += size


def _pad_batch(tokens: TokenisedTexts, batch: np.ndarray, pad_values: dict[str, int], left: bool) -> dict[str, np.ndarray]:
    lengths = tokens.lengths[batch]
    width = int(lengths.max())
    out = {name: np.full((len(batch), width), pad_values.get(name, 0), dtype=np.int64) for name in tokens.fields}
    mask = np.zeros((len(batch), width), dtype=np.int64)
    for row, (index, length) in enumerate(zip(batch, lengths)):
        start = tokens.offsets[index]
        cols = slice(width - length, width) if left else slice(0, length)
        for name, flat in tokens.fields.items():
            out[name][row, cols] = flat[start:start + length]
        mask[row, cols] = 1
    out["attention_mask"] = mask
    return out


def autocast_dtype(device, precision: str = "auto"):
    """The half precision to run the model in on ``device``; None for fp32 (results then match model.encode)."""
    import torch

    from jobsearch.precision import resolve_precision

    if device.type not in ("cuda", "cpu"):
        return None
    chosen = resolve_precision(precision, device.type)
    if chosen == "fp32" and precision == "auto" and device.type == "cuda":
        chosen = "fp16"  # a GPU without bf16 still encodes well in fp16
    return {"bf16": torch.bfloat16, "fp16": torch.float16 if device.type == "cuda" else None}.get(chosen)


def _autocast(device, precision: str):
    import torch

    dtype = autocast_dtype(device, precision)
    return nullcontext() if dtype is None else torch.autocast(device.type, dtype=dtype)


def _encode_pretokenised(model, texts: list[str], batch_size: int, progress: bool, precision: str) -> np.ndarray:
    import torch
    from tqdm.auto import tqdm

    transformer = model[0]
    tokenizer = transformer.tokenizer
    tokens = tokenise_once(tokenizer, texts, model.max_seq_length)
    pad_values = {"input_ids": tokenizer.pad_token_id or 0, "token_type_ids": getattr(tokenizer, "pad_token_type_id", 0)}
    left = getattr(tokenizer, "padding_side", "right") == "left"
    device = model.device
    was_training = model.training
    model.eval()
    out: torch.Tensor | None = None  # filled at original positions, so order needs no restoring
    bar = tqdm(total=len(texts), desc="Encoding", unit="text", disable=not progress)
    try:
        with torch.inference_mode(), _autocast(device, precision):
            for batch in length_sorted_batches(tokens.lengths, batch_size):
                arrays = _pad_batch(tokens, batch, pad_values, left)
                features = {k: torch.from_numpy(v).to(device, non_blocking=True) for k, v in arrays.items()}
                features["modality"] = "text"
                emb = model(features)["sentence_embedding"].float()
                if out is None:
                    out = torch.empty((len(texts), emb.shape[1]), dtype=torch.float32, device=device)
                out[torch.from_numpy(batch).to(device)] = emb
                bar.update(len(batch))
            out = torch.nn.functional.normalize(out, p=2, dim=1)
    finally:
        bar.close()
        model.train(was_training)
    return out.cpu().numpy().astype(np.float32, copy=False)


__all__ = ["TokenisedTexts", "encode", "length_sorted_batches", "supports_fast_path", "tokenise_once"]
