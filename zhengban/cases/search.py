"""Chinese full-text search over cases: jieba tokens in SQLite FTS5 or a PostgreSQL GIN index.

Results always pass through the visibility policy; search never widens what a user sees.
"""

from __future__ import annotations

import logging
import re
import threading

from django.db import connection, transaction
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

                jieba.setLogLevel(logging.WARNING)  # no dictionary-loading chatter on stderr
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


def case_tokens(number: str, title: str, body: str, comments) -> str:
    """What the index holds for a case: the tokens of its number, title, body, comments."""
    return " ".join(tokenize(" ".join([number, title, body, *comments])))


def type_text(case: Case) -> str:
    """What the case's type adds to search (its detail fields: 来文字号, 来文机关 …)."""
    from .casetypes import case_type_or_none

    case_type = case_type_or_none(case.case_type)
    if case_type is None or case_type.search_text is None:
        return ""
    return case_type.search_text(case) or ""


def index_case(case: Case) -> None:
    comments = [*Comment.objects.filter(case=case).values_list("text", flat=True), type_text(case)]
    CaseSearchText.objects.update_or_create(
        case=case, defaults={"tokens": case_tokens(case.number, case.title, case.body, comments)}
    )


def reindex(*, batch_size: int = 500, progress=None) -> int:
    """Rebuild every case's index row (after a change of tokenization), in batches by pk;
    `progress(done)` is called after each batch. Returns the number of cases indexed."""
    done, last = 0, 0
    while True:
        with transaction.atomic():
            # The batch's cases are locked while read and re-indexed, so a service writing
            # one of them (they lock the case too) cannot be overwritten by a stale text.
            rows = list(
                Case.objects.select_for_update()
                .filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "number", "title", "body", "case_type")[:batch_size]
            )
            if not rows:
                return done
            last = rows[-1][0]
            comments: dict[int, list[str]] = {}
            for case_id, text in (
                Comment.objects.filter(case_id__in=[r[0] for r in rows])
                .order_by("case_id", "created_at", "pk")
                .values_list("case_id", "text")
            ):
                comments.setdefault(case_id, []).append(text)
            typed = _typed_texts([(pk, kind) for pk, _n, _t, _b, kind in rows])
            entries = [
                CaseSearchText(
                    case_id=pk,
                    tokens=case_tokens(n, t, b, [*comments.get(pk, ()), typed.get(pk, "")]),
                )
                for pk, n, t, b, _kind in rows
            ]
            # Delete and insert: the FTS5 triggers keep the full-text table in step.
            CaseSearchText.objects.filter(case_id__in=[e.case_id for e in entries]).delete()
            CaseSearchText.objects.bulk_create(entries)
        done += len(entries)
        if progress:
            progress(done)


def _typed_texts(rows: list[tuple[int, str]]) -> dict[int, str]:
    from .casetypes import case_type_or_none

    typed = [pk for pk, kind in rows if (t := case_type_or_none(kind)) and t.search_text]
    return {case.pk: type_text(case) for case in Case.objects.filter(pk__in=typed)}


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
