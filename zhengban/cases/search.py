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
    """Search-mode jieba tokens (long words also yield their parts), lower-cased."""
    tokens = []
    for token in _jieba().cut_for_search(text or ""):
        token = token.strip().lower()
        if token and _WORD.fullmatch(token):
            tokens.append(token)
    return tokens


def index_case(case: Case) -> None:
    comments = Comment.objects.filter(case=case).values_list("text", flat=True)
    text = " ".join([case.number, case.title, case.body, *comments])
    CaseSearchText.objects.update_or_create(
        case=case, defaults={"tokens": " ".join(tokenize(text))}
    )


def search_filter(queryset: QuerySet[Case], query: str) -> QuerySet[Case]:
    """Cases of `queryset` matching every token of the query."""
    tokens = list(dict.fromkeys(tokenize(query)))
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
