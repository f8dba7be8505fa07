"""Multi-device training: run a stage as N processes with ``torch.distributed.run``.

Set ``train.devices`` to the number of GPUs to train on::

    dvc exp run -S train.devices=4

The train stage then launches itself once per device through torchrun's API
(``--standalone``, one machine) and each process trains on its share of every
batch; the transformers Trainer wraps the model in DistributedDataParallel
(NCCL on GPUs, gloo on CPU). ``train.batch_size`` is per device, so one
optimiser step sees ``batch_size * devices`` triplets, and the in-batch
negatives of the loss are gathered from all devices. Only rank 0 writes the
model, the curves and ``metrics/train.json``.

On a CPU-only machine ``devices`` processes share the cores (useful to test
the multi-process path; it does not make training faster). Launching the stage
yourself works as well, and then ``train.devices`` is not consulted::

    torchrun --standalone --nproc_per_node=4 -m stages.train
    accelerate launch --num_processes 4 -m stages.train
"""

from __future__ import annotations

import os
import shutil
import tempfile

from jobsearch.errors import ConfigError, JobsearchError

# torchrun, accelerate launch and deepspeed all set these in every process
LAUNCH_ENV = ("LOCAL_RANK", "WORLD_SIZE")


def in_launch() -> bool:
    """True inside a process started by a distributed launcher."""
    return any(name in os.environ for name in LAUNCH_ENV)


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0"))


def is_main_process() -> bool:
    """True in rank 0 of a launch, and in a plain single process: the one that writes outputs."""
    return rank() == 0


def process_device() -> str | None:
    """This process's own GPU inside a launch, so N processes don't all load onto cuda:0.

    None (let sentence-transformers pick) outside a launch or without CUDA.
    """
    import torch

    if in_launch() and torch.cuda.is_available():
        return f"cuda:{local_rank()}"
    return None


def check_devices(devices: int, gpu_count: int | None = None) -> str:
    """Check that ``devices`` processes can run here; return the device type ("cuda" or "cpu").

    On a machine with GPUs each process needs its own; without GPUs any number of
    CPU processes is allowed (they share the cores).
    """
    if devices < 1:
        raise ConfigError(f"train.devices must be at least 1, got {devices}")
    if gpu_count is None:
        import torch

        gpu_count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if gpu_count == 0:
        return "cpu"
    if devices > gpu_count:
        raise ConfigError(
            f"train.devices is {devices} but this machine has {gpu_count} GPU(s); "
            f"use at most {gpu_count} (dvc exp run -S train.devices={gpu_count})"
        )
    return "cuda"


def launcher_args(devices: int, module: str, log_dir: str | None = None) -> list[str]:
    """The torchrun command line (without ``torchrun`` itself) that runs ``python -m module``."""
    args = ["--standalone", f"--nproc_per_node={devices}"]
    if log_dir is not None:
        args.append(f"--log-dir={log_dir}")
    return [*args, "-m", module]


def launch(devices: int, module: str) -> None:
    """Run ``python -m module`` as ``devices`` processes on this machine and wait for all of them.

    A failed process becomes one JobsearchError line (its own message is printed
    above by the process itself); Ctrl-C stops them all and raises KeyboardInterrupt.
    """
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import parse_args, run

    if "OMP_NUM_THREADS" not in os.environ:
        # torchrun would set 1 (with a warning); split the cores instead
        os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // devices))
    # torchrun otherwise makes a log folder in the temp dir and leaves it there
    log_dir = tempfile.mkdtemp(prefix="jobsearch-torchrun-")
    try:
        run(parse_args(launcher_args(devices, module, log_dir)))
    except ChildFailedError as exc:
        first_rank, first = exc.get_first_failure()
        how = f"signal {first.signal_name()}" if first.exitcode < 0 else f"exit code {first.exitcode}"
        raise JobsearchError(
            f"{len(exc.failures)} of {devices} training processes failed "
            f"(first: rank {first_rank}, {how}); see their messages above"
        ) from None
    except SignalException as exc:
        raise KeyboardInterrupt from exc
    finally:
        shutil.rmtree(log_dir, ignore_errors=True)


def finish() -> None:
    """Tear down the process group the Trainer opened, so processes exit without warnings."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
