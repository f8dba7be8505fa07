"""Token counts with the model's tokenizer, and the window of a posting the model reads."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from jobsearch.models import ModelParams, model_max_length


def _batches(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def count_tokens(tokenizer: Any, texts: Sequence[str], batch_size: int = 512, desc: str = "tokens") -> list[int]:
    """Tokens per text, without special tokens, tokenising in batches."""
    from tqdm.auto import tqdm

    counts: list[int] = []
    progress = tqdm(total=len(texts), desc=desc, unit="text", disable=len(texts) < 2000)
    for batch in _batches(texts, batch_size):
        encoded = tokenizer(
            list(batch), add_special_tokens=False, return_attention_mask=False,
            return_token_type_ids=False, verbose=False,
        )
        counts.extend(len(ids) for ids in encoded["input_ids"])
        progress.update(len(batch))
    progress.close()
    return counts


def model_window(model: ModelParams, tokenizer: Any) -> int:
    """Tokens of a posting the encoder reads: its limit includes the special tokens ([CLS] ... [SEP])."""
    limit = min(model.max_seq_length, model_max_length(model.name))
    return max(limit - _special_token_count(tokenizer), 1)


def _special_token_count(tokenizer: Any) -> int:
    try:
        return int(tokenizer.num_special_tokens_to_add(pair=False))
    except Exception:  # tokenizers without the method: assume none
        return 0
