"""Case types as plug-ins: one declaration per business app bundles what the kernel needs to
run its cases — the workflow, the detail model (one-to-one with Case, created in the same
transaction as the case), its forms, the panels of its case page, the text it adds to
search, the filters and list columns of the inbox, API and Excel export when the type is
selected, its audit namespace, its deadline rules and its number series.

    register_case_type(CaseType(workflow=..., detail_model=IncomingDocument, ...))

Registration validates the declaration (and the workflow) at start-up: unique case types,
number prefixes and series."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .workflow import Workflow, register


@dataclass(frozen=True)
class Panel:
    """A section of the case page: `template` is included with `detail` (the type's detail
    row), `case`, `page` and what `context(user, case, detail)` adds."""

    label: str
    template: str
    context: Callable[[Any, Any, Any], dict] | None = None


@dataclass(frozen=True)
class Filter:
    """An inbox/API/export filter offered when the type is selected: `lookup` is an ORM path
    from Case (e.g. "incomingdocument__sender"); `choices` makes it a select, else it
    matches text (icontains)."""

    name: str
    label: str
    lookup: str
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Column:
    """A list column offered when the type is selected: `path` is read from the case with
    dots ("incomingdocument.sender"); `select` is what the list must join for it."""

    name: str
    label: str
    path: str
    select: str = ""

    def value(self, case) -> str:
        value: Any = case
        for part in self.path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return ""
        display = getattr(value, "label", None)
        return str(display if display is not None else value)


@dataclass(frozen=True)
class CaseType:
    workflow: Workflow
    detail_model: type | None = None
    # A form for the detail fields (ModelForm without `case`); it receives the request's files,
    # and its `after_create(case=, actor=)`, if any, runs in the creating transaction.
    create_form: type | None = None
    edit_form: type | None = None
    panels: tuple[Panel, ...] = ()
    search_text: Callable[[Any], str] | None = None  # (case) -> extra text to index
    filters: tuple[Filter, ...] = ()
    columns: tuple[Column, ...] = ()
    audit_namespace: str = ""  # default: the case type; audit actions read "<ns>.<action>"
    number_series: str = ""  # default: the case type
    create_roles: frozenset[str] = frozenset()  # who may register one; empty: any office staff
    deadline_rules: tuple = ()  # zhengban.workcalendar.deadlines.DeadlineRule, registered
    # 派生: the types a case of this type may be started from ("*": any), and the initial
    # values it takes from the source ("title", "body", … for the case; "d-<field>" for the
    # detail form).
    sources: frozenset[str] = frozenset()
    prefill: Callable[[Any], dict] | None = None
    # As a source: the states from which other cases may be started (empty: any) — a 签报
    # starts its 发文 once approved, not while drafted.
    derive_states: frozenset[str] = frozenset()
    # Units' reports are reviewed (采纳/退回) by the owner, or by those holding this relation.
    review_reports: bool = False
    report_reviewer: str = ""
    # What the case's body is called in this type's forms and page (发文: 正文; 签报: 请示内容).
    body_label: Any = ""
    # (case) -> None: keeps the type's copies of the case's columns (a detail's due date or
    # closed flag, read by its lists without a join) in step; run in the writing transaction
    # each time the kernel saves the case's columns (an approved extension, 办结, 撤回).
    sync_case: Callable[[Any], None] | None = None

    @property
    def code(self) -> str:
        return self.workflow.case_type

    @property
    def namespace(self) -> str:
        return self.audit_namespace or self.code

    @property
    def series(self) -> str:
        return self.number_series or self.code

    @property
    def detail_name(self) -> str:
        """The accessor from Case to the detail row (its one-to-one's related name)."""
        if self.detail_model is None:
            return ""
        return self.detail_model._meta.get_field("case").related_query_name()

    def detail_of(self, case):
        if self.detail_model is None:
            return None
        return getattr(case, self.detail_name, None)

    def filter(self, name: str) -> Filter | None:
        return next((f for f in self.filters if f.name == name), None)

    def accepts(self, source_type: str) -> bool:
        return "*" in self.sources or source_type in self.sources

    def initial_from(self, source) -> tuple[dict, dict]:
        """The create page's initial values from a source case: (case form, detail form)."""
        values = self.prefill(source) if self.prefill else {"title": source.title}
        detail = {k.removeprefix("d-"): v for k, v in values.items() if k.startswith("d-")}
        return {k: v for k, v in values.items() if not k.startswith("d-")}, detail


_TYPES: dict[str, CaseType] = {}
_PANELS: list[tuple[Panel, frozenset[str] | None]] = []


def register_panel(panel: Panel, case_types=None) -> Panel:
    """A panel another app adds to the page of every case (or of the listed types), after
    the type's own panels — e.g. the 批示 given on a case."""
    if all(p is not panel for p, _types in _PANELS):
        _PANELS.append((panel, frozenset(case_types) if case_types else None))
    return panel


def panels_for(code: str) -> list[Panel]:
    own = list(_TYPES[code].panels) if code in _TYPES else []
    return own + [p for p, types in _PANELS if types is None or code in types]


def derivable_from(source_type: str, state: str = "") -> list[CaseType]:
    """The types that may be started from a case of `source_type` in `state` (派生)."""
    source = _TYPES.get(source_type)
    if state and source is not None and source.derive_states and state not in source.derive_states:
        return []
    return [t for t in all_case_types() if t.accepts(source_type)]


def register_case_type(case_type: CaseType) -> CaseType:
    from zhengban.workcalendar.deadlines import register_rule

    errors = []
    code = case_type.code
    if code in _TYPES and _TYPES[code] is not case_type:
        errors.append(f"事项类型 {code} 重复声明")
    for other in _TYPES.values():
        if other.code == code:
            continue
        if other.workflow.number_prefix == case_type.workflow.number_prefix:
            errors.append(f"编号前缀 {case_type.workflow.number_prefix} 与 {other.code} 重复")
        if other.series == case_type.series:
            errors.append(f"编号序列 {case_type.series} 与 {other.code} 重复")
    if case_type.detail_model is not None:
        field = case_type.detail_model._meta.get_field("case")
        if not field.one_to_one:
            errors.append(f"{case_type.detail_model.__name__}.case 须为一对一关联")
    names = [f.name for f in case_type.filters] + [c.name for c in case_type.columns]
    if len(set(names)) != len(names):
        errors.append("筛选项或列名重复")
    if case_type.report_reviewer and not case_type.review_reports:
        errors.append("指定了报告审核人，但未启用报告审核")
    if errors:
        raise ImproperlyConfigured(f"事项类型 {code} 声明有误：" + "；".join(errors))
    for rule in case_type.deadline_rules:  # before the workflow, which names its rule
        register_rule(rule)
    register(case_type.workflow)
    _TYPES[code] = case_type
    return case_type


def unregister_case_type(code: str) -> None:
    """For tests that declare a type of their own."""
    from .workflow import _REGISTRY

    _TYPES.pop(code, None)
    _REGISTRY.pop(code, None)


def get_case_type(code: str) -> CaseType:
    return _TYPES[code]


def case_type_or_none(code: str) -> CaseType | None:
    return _TYPES.get(code)


def body_label(code: str):
    """The body's name for a case of type `code`; the kernel's own 事项内容 by default."""
    declared = _TYPES.get(code)
    return declared.body_label if declared and declared.body_label else _("事项内容")


def all_case_types() -> list[CaseType]:
    return sorted(_TYPES.values(), key=lambda t: t.code)
