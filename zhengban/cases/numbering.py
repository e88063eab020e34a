"""The public number allocator: gapless, race-safe sequences keyed by (series, year).

Case numbers use the case type's series; business apps allocate their own series (文号 such
as 沈政办发〔2026〕12号 draw from "documents.发" or similar). Allocation must run inside the
caller's transaction: the counter row stays locked until it commits, so a rolled-back
transaction gives its number back and concurrent callers queue instead of colliding.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import CaseCounter

SERIES_MAX_LENGTH = CaseCounter._meta.get_field("series").max_length


def number_next(*, series: str, year: int) -> int:
    """The next number of `series` in `year` (1, 2, 3 …), locked until the transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside the caller's transaction")
    counter = CaseCounter.objects.select_for_update().filter(series=series, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                CaseCounter.objects.create(series=series, year=year, last=0)
        except IntegrityError:
            pass  # another transaction created it first; wait for its lock
        counter = CaseCounter.objects.select_for_update().get(series=series, year=year)
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return counter.last + 1


def number_peek(*, series: str, year: int) -> int:
    """The last number allocated (0 when none), for displays; never use it to allocate."""
    row = CaseCounter.objects.filter(series=series, year=year).values_list("last", flat=True)
    return next(iter(row), 0)
