"""Cleaning posting descriptions into the text the embedding model sees.

Real postings arrive with HTML remnants, mojibake, sentences glued together
where markup was stripped ("Job descriptionA leading firm"), bullet glyphs of
every kind, and long stretches that say nothing about the job: the company
pitch, benefits, equal-opportunity statements, salary and how-to-apply
boilerplate. With a 256-token model window those stretches push the skills out
of view, so :func:`clean_description` removes them, a module a step:

1. ``markup``: HTML tags (block tags become line breaks, ``<li>`` a bullet
   line), entities, mojibake, invisible characters;
2. ``layout``: run-together sentences are split, bullets are normalised to "- ";
3. ``headings`` and ``sections``: headings are found (own line, "Heading:
   text", or a known heading phrase opening a sentence) and classified;
   sections about the company, benefits, EEO and applying are dropped, every
   other section is kept;
4. ``boilerplate``: EEO, benefit-offer, salary and how-to-apply sentences are
   dropped wherever they are, headed or not.

The words and heading wordings they look for are data,
``jobsearch/data/clean_vocabulary.yaml`` (``vocabulary``).

:func:`clean_postings` (``pipeline``) applies it to a postings frame, falls
back to the markup-stripped text when cleaning leaves too little, counts tokens
with the model's tokenizer (``tokens``) and writes the examples report
(``report``). The whole cleaned posting is kept: BM25 and search read all of
it, and the model applies its own token limit where it reads text.
"""

from jobsearch.clean.markup import strip_markup
from jobsearch.clean.pipeline import CleanParams, clean_description, clean_postings, model_text

__all__ = ["CleanParams", "clean_description", "clean_postings", "model_text", "strip_markup"]
