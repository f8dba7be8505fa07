"""jobsearch: fine-tune text-embedding models for skill-based job search."""

__version__ = "0.1.0"
