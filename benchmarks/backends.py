"""Posting encoding by the project's torch path against ONNX Runtime (fp32 and dynamic int8),
side by side in one process: the ratios and the agreement with torch fp32.

    pip install onnxruntime onnx onnxscript   # not project dependencies
    python -m benchmarks.backends [--postings ../shared/data/real_postings.parquet] [--n 64] [--rounds 3]

The model is the ``model`` section's (all-MiniLM-L6-v2), exported with ``torch.onnx.export``
(mean pooling and normalisation inside the graph) and quantised with onnxruntime's
``quantize_dynamic``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_onnx(model, path: Path, max_length: int) -> None:
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, transformer):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).float()
            return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=1)

    sample = model[0].tokenizer(["a posting", "another"], padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    torch.onnx.export(
        MeanPooled(model[0].auto_model.eval()), tuple(sample[k] for k in INPUTS), str(path), input_names=list(INPUTS),
        output_names=["embedding"], dynamic_axes={k: {0: "batch", 1: "tokens"} for k in INPUTS}, opset_version=17, dynamo=False,
    )


def onnx_encoder(session, tokenizer, max_length: int, batch_size: int = 16):
    def encode(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), session.get_outputs()[0].shape[1] or 384), np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            rows = order[start:start + batch_size]
            batch = tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=max_length, return_tensors="np")
            out[rows] = session.run(None, {k: batch[k].astype(np.int64) for k in INPUTS})[0]
        return out

    return encode


def main(argv: list[str] | None = None) -> None:
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from jobsearch.embed import encode
    from jobsearch.models import ModelParams

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", default="../shared/data/real_postings.parquet")
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    params = ModelParams()
    model = params.load(device="cpu")
    postings = pd.read_parquet(args.postings, columns=["title", "description"]).head(args.n)
    texts = (postings["title"].astype(str) + "\n\n" + postings["description"].astype(str)).tolist()
    tokenizer = model[0].tokenizer
    with tempfile.TemporaryDirectory() as tmp:
        fp32, int8 = Path(tmp) / "model.onnx", Path(tmp) / "model-int8.onnx"
        export_onnx(model, fp32, params.max_seq_length)
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
        options = ort.SessionOptions()
        paths = {"onnxruntime fp32": fp32, "onnxruntime int8": int8}
        encoders = {"torch fp32": lambda t: encode(model, t, batch_size=16, precision="fp32")}
        for name, path in paths.items():
            encoders[name] = onnx_encoder(ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"]), tokenizer, params.max_seq_length)
        reference = encoders["torch fp32"](texts)
        seconds = {name: [] for name in encoders}
        agreement = {}
        for _ in range(args.rounds):  # in turn, so drift in the machine's speed hits every path alike
            for name, encoder in encoders.items():
                start = time.perf_counter()
                embeddings = encoder(texts)
                seconds[name].append(time.perf_counter() - start)
                agreement[name] = float((embeddings * reference).sum(axis=1).min())
    base = np.median(seconds["torch fp32"])
    print(f"{len(texts)} postings, {params.max_seq_length} tokens, median of {args.rounds} rounds")
    for name, values in seconds.items():
        median = np.median(values)
        print(f"{name}: {len(texts) / median:.1f} postings/s, {base / median:.2f}x torch fp32, min cosine to torch fp32 {agreement[name]:.4f}")


if __name__ == "__main__":
    main()
