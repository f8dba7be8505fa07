"""How a posting's sections are written out: plain text, HTML, or run together."""

from __future__ import annotations

import html
import random
from collections.abc import Sequence
from dataclasses import dataclass

from jobsearch.sample.draws import pick


@dataclass
class Block:
    """One section of a posting: an optional heading and its paragraphs or bullet items."""

    heading: str | None
    items: list[str]
    bullets: bool


def render_plain(rng: random.Random, blocks: list[Block]) -> str:
    r = rng.random
    heading_style = pick(r, ("{h}:", "{h}", "{H}", "**{h}**", "{h}:", "{H}:"))
    glyph = pick(r, ("- ", "• ", "* ", "#", "- ", "• ", "· "))
    strip_periods = r() < 0.4
    parts = []
    for block in blocks:
        lines = []
        if block.heading:
            lines.append(heading_style.format(h=block.heading, H=block.heading.upper()))
        if block.bullets:
            for j, item in enumerate(block.items, 1):
                if strip_periods:
                    item = item.rstrip(".")
                lines.append(f"{j}. {item}" if glyph == "#" else glyph + item)
        else:
            lines.append(" ".join(block.items))
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def render_html(rng: random.Random, blocks: list[Block]) -> str:
    r = rng.random
    heading_tpl = pick(r, ("<p><b>{h}</b></p>", "<h3>{h}</h3>", "<p><strong>{h}:</strong></p>",
                           "<b>{h}</b><br>", "<p><strong>{h}</strong></p>"))
    para_tpl = pick(r, ("<p>{t}</p>", "<p>{t}</p>", "{t}<br><br>", "<div>{t}</div>"))
    sep = pick(r, ("", "\n", ""))
    entity_apostrophes = r() < 0.3  # some exporters encode ' as &#39;

    def esc(text: str) -> str:
        out = html.escape(text, quote=False)
        return out.replace("'", "&#39;") if entity_apostrophes else out

    parts = []
    for block in blocks:
        if block.heading:
            parts.append(heading_tpl.format(h=esc(block.heading)))
        if block.bullets:
            parts.append("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in block.items) + "</ul>")
        else:
            text = esc(" ".join(block.items))
            parts.append(para_tpl.format(t=text))
            if r() < 0.15:  # empty paragraphs the way rich-text editors leave them
                parts.append("<p>&nbsp;</p>")
    return sep.join(parts)


def render_run_on(rng: random.Random, blocks: list[Block], prefixes: Sequence[str]) -> str:
    """Markup stripped without separators: 'Job descriptionA leading...Requirements:- ...'."""
    r = rng.random
    glyph = pick(r, ("- ", "• ", ""))
    parts = [pick(r, prefixes)]
    for block in blocks:
        if block.heading:
            parts.append(block.heading + ":")
        if block.bullets:
            parts.extend(glyph + item for item in block.items)
        else:
            parts.append(" ".join(block.items))
    return "".join(parts)
