"""Template helpers of the router."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def highlight(sentence: str, terms) -> str:
    """The sentence, escaped, with each matched term wrapped in <mark> (longest first, so
    社会治安综合治理 is marked whole and not as 综合)."""
    terms = sorted({t for t in terms or () if t}, key=len, reverse=True)
    if not terms:
        return escape(sentence)
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    out, last = [], 0
    for match in pattern.finditer(sentence):
        out.append(escape(sentence[last : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(sentence[last:]))
    return mark_safe("".join(out))
