"""Chinese full-text search over cases: jieba tokens in SQLite FTS5 or a PostgreSQL GIN index.

Results always pass through the visibility policy; search never widens what a user sees.
"""

from __future__ import annotations

import re
import threading

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .models import Case, CaseSearchText, Comment

_tokenizer = None
_lock = threading.Lock()
_WORD = re.compile(r"[\w\u4e00-\u9fff]+")
# Boolean operators people type out of habit ("饮水 AND 安全"): search already requires every
# word, so they are dropped rather than looked for as words. Upper case only, as in FTS5.
_OPERATOR = re.compile(r"(?<!\w)(?:AND|OR|NOT|NEAR)(?!\w)")


def _jieba():
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens (long words also yield their parts), lower-cased.

    jieba keeps "PM2.5", "3.5%" or "C++" as one token; only their word parts are kept
    ("pm2", "5"), the same on both sides, so such terms are indexed and found rather than
    dropped, and no punctuation ever reaches the FTS5 or tsquery syntax."""
    tokens = []
    for token in _jieba().cut_for_search(text or ""):
        tokens += _WORD.findall(token.lower())
    return tokens


def index_case(case: Case) -> None:
    comments = Comment.objects.filter(case=case).values_list("text", flat=True)
    text = " ".join([case.number, case.title, case.body, *comments])
    CaseSearchText.objects.update_or_create(
        case=case, defaults={"tokens": " ".join(tokenize(text))}
    )


def search_filter(queryset: QuerySet[Case], query: str) -> QuerySet[Case]:
    """Cases of `queryset` matching every token of the query."""
    tokens = list(dict.fromkeys(tokenize(_OPERATOR.sub(" ", query or ""))))
    if not tokens:
        return queryset.none()
    if connection.vendor == "sqlite":
        match = " ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        return queryset.filter(
            pk__in=RawSQL(
                "SELECT rowid FROM cases_search_fts WHERE cases_search_fts MATCH %s", [match]
            )
        )
    return queryset.filter(
        pk__in=RawSQL(
            "SELECT case_id FROM cases_casesearchtext "
            "WHERE to_tsvector('simple', tokens) @@ plainto_tsquery('simple', %s)",
            [" ".join(tokens)],
        )
    )
