"""Which arithmetic the model runs in: one decision for training and for encoding.

``auto`` is the fastest arithmetic that keeps the embeddings: bf16 where the
device has bf16 units (GPUs that support it; CPUs with AMX or AVX-512 BF16, or
ARM's BF16 extension), fp32 elsewhere. On a CPU without such units bf16 is
emulated and far slower than fp32 (sentence-transformers' efficiency
benchmark measured about 0.01x), so it is chosen by what the processor has,
never by assumption.
"""

from __future__ import annotations

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
# torch.cpu.get_capabilities() names of bf16 arithmetic units: x86 AMX and AVX-512, ARM
BF16_UNITS = ("amx_bf16", "avx512_bf16", "bf16", "sve_bf16")


def cpu_has_bf16() -> bool:
    """Whether this processor computes bf16 in hardware (as torch detects it)."""
    import torch

    capabilities = getattr(getattr(torch, "cpu", None), "get_capabilities", None)
    if capabilities is None:  # a torch too old to tell: fp32 is the safe answer
        return False
    found = capabilities()
    return any(found.get(unit) is True for unit in BF16_UNITS)


def resolve_precision(precision: str, device_type: str | None = None) -> str:
    """``precision`` with ``auto`` decided for ``device_type`` (default: CUDA where available, else the CPU)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision != "auto":
        return precision
    import torch

    device_type = device_type or ("cuda" if torch.cuda.is_available() else "cpu")
    if device_type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if device_type == "cpu" and cpu_has_bf16() else "fp32"
