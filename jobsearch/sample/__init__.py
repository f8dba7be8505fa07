"""Synthetic job postings: the pipeline's offline, deterministic default data source.

Postings look like scraped ones (varied section order and headings, bullet glyphs,
some HTML, a few run-together texts where markup was stripped) and span many
occupations, each with its own pool of specialised skills. Neighbouring families
share some skills (Python/SQL across data roles, Kubernetes across platform roles,
Epic EHR across clinical roles) so that retrieval over them is not trivial.

Each posting draws from its own RNG seeded by ``(seed, index)``, so generating more
postings never changes the earlier ones.

The occupations and their wording are data, ``jobsearch/data/sample_roles.yaml``
(read and checked by :mod:`.catalogue`); :mod:`.postings` builds postings from it and
:mod:`.render` writes them out as text or HTML.
"""

from __future__ import annotations

from typing import Any

from jobsearch.sample.catalogue import RoleFamily, load_catalogue
from jobsearch.sample.postings import COLUMNS, generate_postings

__all__ = ["COLUMNS", "ROLE_FAMILIES", "RoleFamily", "generate_postings", "load_catalogue"]


def __getattr__(name: str) -> Any:
    # ROLE_FAMILIES is read from the data file on first use, so importing stays cheap
    if name == "ROLE_FAMILIES":
        return load_catalogue().role_families
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
