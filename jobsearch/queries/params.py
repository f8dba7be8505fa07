"""The ``queries`` section of params.yaml: which backend, and how each one writes queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from jobsearch.query_styles import DEFAULT_STYLES, STYLES

BACKENDS = ("offline", "openai", "openai-batch")

DEFAULT_PROMPT = (
    "Write a concise, human-like job search query that a job seeker might type to find the "
    "job posting below. Mention at most 3 specialised skills that are distinct to this role; "
    "leave out generic skills (communication, teamwork, Microsoft Office) unless the posting "
    "highlights them. Answer with the query only.\n\n"
    "Job title: {title}\n\nJob description:\n{description}"
)

DEFAULT_PRICES = {
    # USD per 1M tokens (input, output); the Batch API halves these.
    "gpt-4o-mini": {"input": 0.15, "output": 0.60},
    "gpt-4o": {"input": 2.50, "output": 10.00},
    "gpt-4.1-mini": {"input": 0.40, "output": 1.60},
    "gpt-4.1-nano": {"input": 0.10, "output": 0.40},
}


@dataclass
class QueriesParams:
    backend: str = "offline"  # offline | openai | openai-batch
    seed: int = 42
    # offline generator
    max_skills: int = 3
    per_posting: int = 6  # queries per posting, in distinct styles where the posting allows
    styles: list[str] = field(default_factory=lambda: list(DEFAULT_STYLES))
    role_probability: float = 0.5
    years_probability: float = 0.4
    typo_probability: float = 0.3
    lowercase_probability: float = 0.5
    drop_commas_probability: float = 0.3
    # LLM backends
    model: str = "gpt-4o-mini"
    temperature: float = 0.7
    max_output_tokens: int = 60
    max_query_chars: int = 200
    prompt: str = DEFAULT_PROMPT
    base_url: str | None = None
    concurrency: int = 8
    max_retries: int = 3
    poll_interval: float = 30.0
    max_poll_interval: float = 300.0
    retry_delay: float = 1.0
    request_timeout: float = 300.0
    batch_max_requests: int = 50000
    cache_dir: str = "data/query_cache"
    prices: dict[str, dict[str, float]] = field(default_factory=lambda: dict(DEFAULT_PRICES))

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.max_skills < 1:
            raise ValueError("max_skills must be at least 1")
        if self.per_posting < 1:
            raise ValueError(f"per_posting must be at least 1, got {self.per_posting}")
        if not self.styles:
            raise ValueError(f"styles must name at least one of {', '.join(STYLES)}")
        for style in self.styles:
            if style not in STYLES:
                raise ValueError(f"unknown query style {style!r} (known: {', '.join(STYLES)})")
        if len(set(self.styles)) < len(self.styles):
            raise ValueError(f"styles lists a style twice: {self.styles}")
        if self.concurrency < 1 or self.max_retries < 0 or self.max_query_chars < 1:
            raise ValueError("concurrency and max_query_chars must be at least 1, max_retries at least 0")
        if self.poll_interval <= 0 or self.max_poll_interval < self.poll_interval:
            raise ValueError("poll_interval must be positive and at most max_poll_interval")
