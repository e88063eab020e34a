"""Reads of the documents library's own pages: the 归档文件目录 (archive register)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .models import ArchiveItem
from .policies import archive_items_visible_to

# What the register shows of an item; never the file itself.
REGISTER_COLUMNS = (
    "pk",
    "fonds",
    "year",
    "retention",
    "unit_code",
    "item_number",
    "archival_code",
    "document_number",
    "responsible",
    "title",
    "date",
    "pages",
    "secrecy",
    "note",
    "doc_type",
)


@dataclass(frozen=True)
class RegisterFilters:
    year: int | None = None
    retention: str = ""
    unit_code: str = ""
    doc_type: str = ""
    q: str = ""


def archive_register(user, filters: RegisterFilters = RegisterFilters()):
    """The archive items `user` may see, filtered, in 档号 order (年度-期限-机构-件号)."""
    rows = archive_items_visible_to(user).only(*REGISTER_COLUMNS)
    if filters.year:
        rows = rows.filter(year=filters.year)
    if filters.retention:
        rows = rows.filter(retention=filters.retention)
    if filters.unit_code:
        rows = rows.filter(unit_code=filters.unit_code)
    if filters.doc_type:
        rows = rows.filter(doc_type=filters.doc_type)
    if filters.q:
        rows = rows.filter(Q(title__icontains=filters.q) | Q(document_number__icontains=filters.q))
    return rows.order_by("-year", "fonds", "retention", "unit_code", "item_number")


@dataclass(frozen=True)
class RegisterChoices:
    years: list[int]
    unit_codes: list[str]
    doc_types: list[str]
    fonds: list[str]


def register_choices(user) -> RegisterChoices:
    """The values the filters offer: those the visible items have (one query each)."""
    rows = archive_items_visible_to(user).order_by()

    def distinct(field: str, *, reverse: bool = False) -> list:
        values = rows.values_list(field, flat=True).distinct()
        return list(values.order_by(f"-{field}" if reverse else field))

    return RegisterChoices(
        years=distinct("year", reverse=True),
        unit_codes=distinct("unit_code"),
        doc_types=[t for t in distinct("doc_type") if t],
        fonds=distinct("fonds"),
    )


def archive_item_for(user, pk: int) -> ArchiveItem | None:
    """One item with its file, if `user` may see it."""
    return archive_items_visible_to(user).filter(pk=pk).first()


def package_items(user, *, fonds: str, year: int) -> tuple[list[ArchiveItem], int]:
    """Every item of one 全宗 and year the user may see, in 档号 order, with their files, and
    how many others that year has (above the user's clearance: a package is whole or none)."""
    rows = archive_items_visible_to(user).filter(fonds=fonds, year=year)
    items = list(rows.order_by("retention", "unit_code", "item_number"))
    total = ArchiveItem.objects.filter(fonds=fonds, year=year).count()
    return items, total - len(items)


def archived(user, archive_item_id: int | None) -> dict:
    """For a case's panel: the 档号 once archived, and the archived file's link for those
    who keep the archive (the panel reads the code only, never the file)."""
    from django.urls import reverse

    from .policies import may_open_archive

    if not archive_item_id:
        return {}
    code = ArchiveItem.objects.filter(pk=archive_item_id).values_list("archival_code", flat=True)
    code = code.first()
    if code is None:
        return {}
    url = (
        reverse("documents:archive_file", args=[archive_item_id]) if may_open_archive(user) else ""
    )
    return {"archival_code": code, "archive_url": url}
