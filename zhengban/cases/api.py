"""REST API of the case kernel. Every endpoint starts from `cases_visible_to` /
`case_get_for` (404 for a case that is missing or not visible) and writes through the same
forms and services as the pages. Refusals carry a stable `code` next to `detail`:
409 version_conflict, 403 permission_denied, 400 guard_failed / transition_not_allowed /
classified_content_refused."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengban.accounts.choices import Clearance
from zhengban.security.validation import MAX_DB_INT

from . import commands, comments, errors, forms, selectors, services
from .casetypes import case_type_or_none
from .choices import Urgency
from .errors import CaseError
from .models import Assignment, AssignmentReport, Case, Task

# --- errors ----------------------------------------------------------------------------------

STATUS_BY_CODE = {
    errors.VersionConflict.code: status.HTTP_409_CONFLICT,
    errors.PermissionRefused.code: status.HTTP_403_FORBIDDEN,
}


class CaseRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "case_error"
    default_detail = _("操作被拒绝。")

    def __init__(self, error: CaseError):
        super().__init__(str(error), code=error.code)
        self.status_code = STATUS_BY_CODE.get(error.code, status.HTTP_400_BAD_REQUEST)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(
        help_text="version_conflict, permission_denied, guard_failed, transition_not_allowed, "
        "classified_content_refused, not_found …"
    )


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="guard_failed / transition_not_allowed"),
    403: OpenApiResponse(ErrorSerializer, description="permission_denied"),
    404: OpenApiResponse(ErrorSerializer, description="不存在或无权查看"),
}


def _run(call):
    try:
        return call()
    except CaseError as error:
        raise CaseRefused(error) from error


def _visible_case(request, pk) -> Case:
    try:
        return selectors.case_for_page(request.user, pk)
    except Http404:
        raise NotFound from None


def _get(queryset, **lookup):
    """A row of the case (task, assignment); a stable "not_found" code when there is none."""
    try:
        return get_object_or_404(queryset, **lookup)
    except Http404:
        raise NotFound from None


# --- serializers -----------------------------------------------------------------------------


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="__str__")


class CaseListSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    title = serializers.CharField()
    case_type = serializers.CharField()
    type_label = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    urgency_label = serializers.CharField(source="get_urgency_display")
    sensitivity = serializers.ChoiceField(choices=Clearance.choices)
    sensitivity_label = serializers.CharField(source="get_sensitivity_display")
    owner_unit = RefSerializer()
    assignee = RefSerializer(allow_null=True)
    lead_unit = serializers.CharField(source="lead_unit_name", allow_null=True)
    task_kind = serializers.CharField(
        source="my_task_kind", allow_null=True, help_text="本人（含委托人）的待办类别代码；空表示无"
    )
    my_task = serializers.CharField(
        source="my_task_label", help_text="本人（含委托人）的待办类型；空表示无"
    )
    due_date = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue")
    due_soon = serializers.BooleanField(source="is_due_soon", help_text="3个工作日内到期")
    closed = serializers.BooleanField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    type_fields = serializers.DictField(
        child=serializers.CharField(),
        default=dict,
        help_text="选定事项类型时，该类型声明的列（列名→值）",
    )


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    unit = RefSerializer()
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    instructions = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    report = serializers.CharField()
    reported_at = serializers.DateTimeField(allow_null=True)
    status_reason = serializers.CharField()


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    state = serializers.CharField()
    assignee = RefSerializer()
    round = serializers.IntegerField(source="round_id", allow_null=True)
    note = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    opinion = serializers.CharField()
    opinion_text = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    read_at = serializers.DateTimeField(allow_null=True)


class EventSerializer(serializers.Serializer):
    seq = serializers.IntegerField(source="event.seq")
    time = serializers.DateTimeField(source="event.time")
    action = serializers.CharField(source="event.action")
    label = serializers.CharField()
    actor = serializers.CharField()
    on_behalf_of = serializers.CharField(help_text="委托人：代其办理时填写")
    from_state = serializers.CharField(source="event.from_state")
    to_state = serializers.CharField(source="event.to_state")
    comment = serializers.CharField(source="event.comment")


class ParamSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField(help_text="unit, units, user, users, text, date, choice")
    label = serializers.CharField()
    required = serializers.BooleanField()


class ActionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    params = ParamSerializer(many=True)
    comment_required = serializers.BooleanField()


class CaseDetailSerializer(CaseListSerializer):
    body = serializers.CharField()
    deadline_rule = serializers.CharField()
    deadline_state = serializers.CharField()
    deadline_basis = serializers.CharField(help_text="期限依据")
    due_provisional = serializers.BooleanField(help_text="节假日未公布，期限为暂定")
    pause_reason = serializers.SerializerMethodField()
    assignments = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_pause_reason(self, case) -> str:
        return self.context["page"].pause_reason

    @extend_schema_field(AssignmentSerializer(many=True))
    def get_assignments(self, case):
        return AssignmentSerializer(case.assignments.all(), many=True).data

    @extend_schema_field(TaskSerializer(many=True))
    def get_tasks(self, case):
        return TaskSerializer(case.tasks.all(), many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, case):
        return EventSerializer(self.context["page"].timeline, many=True).data

    @extend_schema_field(ActionSerializer(many=True))
    def get_available_actions(self, case):
        return ActionSerializer(self.context["page"].actions, many=True).data


def _detail(request, case: Case) -> dict:
    case = selectors.case_for_page(request.user, case.pk)  # fresh, after a write
    page = selectors.case_page(request.user, case)
    selectors.decorate_rows([case])
    return CaseDetailSerializer(case, context={"page": page, "request": request}).data


# --- list and create -------------------------------------------------------------------------


class CaseCreateSerializer(serializers.Serializer):
    case_type = serializers.CharField()
    title = serializers.CharField(max_length=300)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    sensitivity = serializers.ChoiceField(choices=Clearance.choices, default=Clearance.PUBLIC)
    owner_unit = serializers.IntegerField(help_text="主责处室编号（本人所在处室）")
    detail = serializers.DictField(
        required=False, default=dict, help_text="该类事项的附加字段（按事项类型声明）"
    )
    parent = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_DB_INT,
        help_text="来源事项编号（派生：由该事项发起，须本人可查看且该类事项接受其类型）",
    )


LIST_PARAMETERS = [
    OpenApiParameter("tab", str, enum=list(selectors.INBOX_TABS), description="待办分类"),
    OpenApiParameter("q", str, description="全文检索（分词）"),
    OpenApiParameter("case_type", str),
    OpenApiParameter("state", str),
    OpenApiParameter("urgency", str, enum=Urgency.values),
    OpenApiParameter("sensitivity", int, enum=Clearance.values),
    OpenApiParameter("unit", int, description="主责或承办单位编号"),
    OpenApiParameter("created_from", OpenApiTypes.DATE),
    OpenApiParameter("created_to", OpenApiTypes.DATE),
    OpenApiParameter("due_from", OpenApiTypes.DATE),
    OpenApiParameter("due_to", OpenApiTypes.DATE),
    OpenApiParameter("sort", str, enum=list(selectors.SORTS)),
]


class CaseListCreate(ListAPIView):
    """Cases the user may see, filtered like the inbox; POST creates a case."""

    permission_classes = [IsAuthenticated]
    serializer_class = CaseListSerializer

    def get_queryset(self):
        tab = self.request.query_params.get("tab", "")
        form = forms.InboxFilterForm(
            self.request.query_params, units=selectors.filter_units(self.request.user)
        )
        if self.request.query_params and not form.is_valid():
            raise serializers.ValidationError(form.errors)
        filters = form.to_filters()
        self.columns = selectors.type_columns(filters.case_type)
        qs = selectors.inbox_queryset(self.request.user, tab, filters)
        return selectors.with_columns(qs, self.columns)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is None:
            return None
        rows = selectors.decorate_rows(page, user=self.request.user)
        for case in rows:
            case.type_fields = {c.name: c.value(case) for c in self.columns}
        return rows

    @extend_schema(parameters=LIST_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer, **ERRORS},
    )
    def post(self, request):
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if selectors.workflow_or_none(values["case_type"]) is None:
            raise serializers.ValidationError({"case_type": [_("未知的事项类型。")]})
        # The service decides clearance and the classified-content rule, with its codes; the
        # owner unit must be one the user may create for.
        unit = selectors.creatable_units(request.user).filter(pk=values["owner_unit"]).first()
        if unit is None or request.user.is_admin_role:
            raise CaseRefused(errors.PermissionRefused(_("只能为本人所在处室创建事项。")))
        parent = None
        if values.get("parent"):
            parent = selectors.case_for_page(request.user, values["parent"])
        case = _run(
            lambda: services.case_create(
                parent=parent,
                case_type=values["case_type"],
                title=values["title"],
                body=values["body"],
                urgency=values["urgency"],
                sensitivity=values["sensitivity"],
                owner_unit=unit,
                actor=request.user,
                detail=_type_detail(values["case_type"], values["detail"]),
            )
        )
        return Response(_detail(request, case), status=status.HTTP_201_CREATED)


def _type_detail(case_type: str, values: dict) -> dict | None:
    """The detail fields through the type's own create form, as the page validates them."""
    declared = case_type_or_none(case_type)
    if declared is None or declared.create_form is None:
        return values or None
    form = declared.create_form(data=values)
    if not form.is_valid():
        raise serializers.ValidationError({"detail": form.errors})
    return form.cleaned_data


class CaseUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    title = serializers.CharField(max_length=300, required=False)
    body = serializers.CharField(required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    detail = serializers.DictField(required=False, default=dict)


class CaseDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=CaseUpdateSerializer, responses={200: CaseDetailSerializer, **ERRORS})
    def patch(self, request, pk: int):
        """修改 where the case's state allows; `version` is the optimistic lock."""
        case = _visible_case(request, pk)
        body = CaseUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        case = _run(
            lambda: services.case_update(
                case=case,
                actor=request.user,
                version=values["version"],
                title=values.get("title", case.title),
                body=values.get("body", case.body),
                urgency=values.get("urgency", case.urgency),
                detail=values["detail"] or None,
            )
        )
        return Response(_detail(request, case))

    @extend_schema(responses={200: CaseDetailSerializer, 404: ERRORS[404]})
    def get(self, request, pk: int):
        case = _visible_case(request, pk)
        services.task_mark_read(case=case, actor=request.user)
        if case.sensitivity >= Clearance.INTERNAL:
            from zhengban.audit.services import audit_read

            audit_read(actor=request.user, target=case, summary="api")
        return Response(_detail(request, case))


# --- actions ---------------------------------------------------------------------------------


class ActionRequestSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="页面/上次读取时的版本号")
    params = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text='如 {"lead_unit": 3, "co_units": [4, 5], "users": [12]}',
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CaseAction(APIView):
    """Take a declared workflow action, or a kernel one: consult (加签, params.users),
    circulate (传阅, params.users), transfer (转办, params.to_user + comment), withdraw (撤回)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ActionRequestSerializer,
        responses={
            200: CaseDetailSerializer,
            409: OpenApiResponse(ErrorSerializer, description="version_conflict"),
            **ERRORS,
        },
    )
    def post(self, request, pk: int, code: str):
        case = _visible_case(request, pk)
        body = ActionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        data = {
            **{name: _form_value(v) for name, v in values["params"].items()},
            "version": values["version"],
            "comment": values["comment"],
        }
        _run(lambda: commands.perform_action(user=request.user, case=case, code=code, data=data))
        return Response(_detail(request, case))


def _form_value(value):
    if isinstance(value, list):
        return [str(v) for v in value]
    return "" if value is None else str(value)


class OpinionRequestSerializer(serializers.Serializer):
    opinion = serializers.ChoiceField(choices=[c for c, _label in forms.Opinion.choices])
    text = serializers.CharField(required=False, allow_blank=True, default="")


class TaskOpinion(APIView):
    """Complete one's task (会签, 加签, 传阅) with an opinion."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=OpinionRequestSerializer, responses={200: TaskSerializer, **ERRORS})
    def post(self, request, pk: int, task_pk: int):
        case = _visible_case(request, pk)
        task = _get(Task, pk=task_pk, case=case)
        body = OpinionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = _run(
            lambda: services.task_complete(
                task=task,
                actor=request.user,
                opinion=body.validated_data["opinion"],
                text=body.validated_data["text"],
            )
        )
        task = Task.objects.select_related("assignee").get(pk=task.pk)
        return Response(TaskSerializer(task).data)


class AssignmentRequestSerializer(serializers.Serializer):
    report = serializers.CharField(required=False, help_text="report：办理情况")
    reason = serializers.CharField(required=False, help_text="return / waive / reassign：理由")
    unit = serializers.IntegerField(required=False, help_text="reassign：改派给的单位编号")


class AssignmentAction(APIView):
    """A unit's part in a case: report (反馈), return (退回), waive (免除反馈), reassign (改派)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AssignmentRequestSerializer,
        responses={200: AssignmentSerializer, 409: ERRORS[403], **ERRORS},
    )
    def post(self, request, pk: int, assignment_pk: int, verb: str):
        if verb not in forms.ASSIGNMENT_VERBS:
            raise NotFound
        case = _visible_case(request, pk)
        assignment = _get(Assignment.objects.select_related("unit"), pk=assignment_pk, case=case)
        body = AssignmentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        prefix = f"a{assignment.pk}{verb}"
        data = {f"{prefix}-{k}": str(v) for k, v in body.validated_data.items()}
        _run(
            lambda: commands.assignment_action(
                user=request.user, case=case, assignment=assignment, verb=verb, data=data
            )
        )
        fresh = (
            Assignment.objects.filter(case=case)
            .select_related("unit")
            .order_by("-pk" if verb == "reassign" else "pk")
        )
        row = fresh.first() if verb == "reassign" else fresh.get(pk=assignment.pk)
        return Response(AssignmentSerializer(row).data)


class ReportReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text="采纳（true）或退回（false）")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    kind = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    review = serializers.CharField(read_only=True)
    review_reason = serializers.CharField(read_only=True)


class ReportReviewAction(APIView):
    """审核反馈: the owner (or the type's reviewer) accepts or returns a unit's report."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReportReviewSerializer,
        responses={200: ReportSerializer, 409: ERRORS[403], **ERRORS},
    )
    def post(self, request, pk: int, report_pk: int):
        case = _visible_case(request, pk)
        report = _get(AssignmentReport.objects.all(), pk=report_pk, assignment__case=case)
        body = ReportReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        data = {"decision": "accept" if values["accept"] else "return", "reason": values["reason"]}
        _run(lambda: commands.report_review(user=request.user, report=report, data=data))
        report.refresh_from_db()
        return Response(ReportSerializer(report).data)


# --- comments and attachments ----------------------------------------------------------------


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    author = RefSerializer(read_only=True)
    text = serializers.CharField()
    created_at = serializers.DateTimeField(read_only=True)


class CaseComments(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CommentSerializer(many=True), 404: ERRORS[404]})
    def get(self, request, pk: int):
        case = _visible_case(request, pk)
        rows = selectors.readable(request.user, case, case.comments.select_related("author"))
        return Response(CommentSerializer(rows, many=True).data)

    @extend_schema(request=CommentSerializer, responses={201: CommentSerializer, **ERRORS})
    def post(self, request, pk: int):
        case = _visible_case(request, pk)
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = _run(
            lambda: comments.comment_add(
                case=case, actor=request.user, text=body.validated_data["text"]
            )
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_by = RefSerializer()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_download_url(self, attachment) -> str:
        return reverse("api-cases:attachment_download", args=[attachment.case_id, attachment.pk])


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class CaseAttachments(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses={200: AttachmentSerializer(many=True), 404: ERRORS[404]})
    def get(self, request, pk: int):
        case = _visible_case(request, pk)
        rows = selectors.readable(
            request.user, case, case.attachments.select_related("uploaded_by")
        )
        return Response(AttachmentSerializer(rows, many=True).data)

    @extend_schema(request=UploadSerializer, responses={201: AttachmentSerializer, **ERRORS})
    def post(self, request, pk: int):
        case = _visible_case(request, pk)
        from .views import _attachments_module

        module = _attachments_module()
        if module is None:
            raise NotFound
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = _run(
            lambda: module.attachment_add(
                case=case, actor=request.user, uploaded_file=body.validated_data["file"]
            )
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDownload(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            403: ERRORS[403],
            404: ERRORS[404],
        }
    )
    def get(self, request, pk: int, attachment_pk: int):
        from .views import open_attachment

        case = _visible_case(request, pk)
        try:
            return open_attachment(user=request.user, case=case, attachment_pk=attachment_pk)
        except DjangoPermissionDenied as error:
            raise CaseRefused(errors.PermissionRefused(str(error))) from error
        except Http404:
            raise NotFound from None
