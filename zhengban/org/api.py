"""REST API of the organization: structure (read-only, any logged-in user), staffing use, people
(personal fields per policies), appointments (created through the staffing check)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from zhengban.security.fields import lookup_digest
from zhengban.security.validation import parse_id

from . import policies, selectors, services
from .models import (
    Appointment,
    Duty,
    LeadershipPost,
    Organization,
    Person,
    StaffingQuota,
    Unit,
)
from .personal import audit_full_view, personal_values


class ServiceRefused(APIException):
    """A service refused the write; the code (e.g. "quota_exceeded") goes to the client."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_detail = "请求被拒绝。"


def _refused(error: DjangoValidationError) -> ServiceRefused:
    return ServiceRefused(detail=" ".join(error.messages), code=error.code or "invalid")


# --- serializers ------------------------------------------------------------------------------


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "kind",
            "rank",
            "parent",
            "stated_unit_count",
            "regulation",
            "active",
        ]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = [
            "id",
            "organization",
            "name",
            "other_names",
            "kind",
            "external_kind",
            "address",
            "order",
            "active",
        ]


class DutySerializer(serializers.ModelSerializer):
    class Meta:
        model = Duty
        fields = [
            "id",
            "organization",
            "unit",
            "kind",
            "text",
            "order",
            "regulation",
            "span_start",
            "span_end",
            "source_label",
        ]


class QuotaSerializer(serializers.ModelSerializer):
    filled = serializers.IntegerField(read_only=True, help_text="实有人数")
    vacant = serializers.IntegerField(read_only=True, help_text="空编数")
    over = serializers.IntegerField(read_only=True, help_text="超编数")

    class Meta:
        model = StaffingQuota
        fields = ["id", "organization", "category", "approved", "filled", "vacant", "over"]


class PostSerializer(serializers.ModelSerializer):
    filled = serializers.IntegerField(read_only=True, help_text="在任人数")
    vacant = serializers.IntegerField(read_only=True, help_text="空缺职数")
    over = serializers.IntegerField(read_only=True, help_text="超职数")

    class Meta:
        model = LeadershipPost
        fields = [
            "id",
            "organization",
            "title",
            "grade",
            "count",
            "order",
            "filled",
            "vacant",
            "over",
        ]


class PersonSerializer(serializers.ModelSerializer):
    # Personal data: null unless policies.can_view_personal_data allows it; masked in lists
    # (138****1234), in full on the detail for need-to-know (policies.may_view_full, audited).
    phone = serializers.CharField(read_only=True, allow_null=True)
    id_number = serializers.CharField(read_only=True, allow_null=True)
    home_address = serializers.CharField(read_only=True, allow_null=True)
    birth_year = serializers.IntegerField(read_only=True, allow_null=True)
    masked = serializers.SerializerMethodField(help_text="以脱敏形式给出的字段")

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "staff_number",
            "gender",
            "phone",
            "id_number",
            "home_address",
            "birth_year",
            "masked",
        ]

    def get_masked(self, instance) -> list[str]:
        return []

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        values = personal_values(user, instance, listing=self.context.get("listing", True))
        if values is None:
            data.update(phone=None, id_number=None, home_address=None, birth_year=None)
            return data
        for field, (value, _masked) in values.items():
            data[field] = value
        data["masked"] = [field for field, (value, masked) in values.items() if masked]
        if not self.context.get("listing", True):
            audit_full_view(user, instance, values, where="接口")
        return data


class AppointmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appointment
        fields = [
            "id",
            "person",
            "organization",
            "unit",
            "category",
            "post",
            "position",
            "start",
            "end",
        ]
        read_only_fields = ["end"]

    def create(self, validated_data):
        try:
            return services.appointment_create(
                actor=self.context["request"].user,
                person=validated_data["person"],
                organization=validated_data["organization"],
                unit=validated_data.get("unit"),
                category=validated_data["category"],
                post=validated_data.get("post"),
                position=validated_data.get("position", ""),
                start=validated_data["start"],
            )
        except DjangoValidationError as error:
            raise _refused(error) from error


class AppointmentEndSerializer(serializers.Serializer):
    end = serializers.DateField()


# --- views ------------------------------------------------------------------------------------


def _int_param(request, name: str) -> int | None:
    return parse_id(request.query_params.get(name) or None, name=name)


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    queryset = Organization.objects.order_by("order", "pk")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("organization", OpenApiTypes.INT, description="机构ID"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=["internal", "extra", "external"]),
        ]
    )
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    queryset = Unit.objects.order_by("organization__order", "order", "pk")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            organization = _int_param(self.request, "organization")
            if organization is not None:
                queryset = queryset.filter(organization=organization)
            if kind := self.request.query_params.get("kind"):
                queryset = queryset.filter(kind=kind)
        return queryset


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("unit", OpenApiTypes.INT, description="机构ID")]
    )
)
class DutyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DutySerializer
    queryset = Duty.objects.order_by("organization_id", "unit_id", "order", "pk")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            unit = _int_param(self.request, "unit")
            if unit is not None:
                queryset = queryset.filter(unit=unit)
        return queryset


class QuotaViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = QuotaSerializer

    def get_queryset(self):
        return selectors.quotas_with_use()


class PostViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PostSerializer

    def get_queryset(self):
        return selectors.posts_with_use()


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("phone", OpenApiTypes.STR, description="按联系电话精确查找（人事处）"),
            OpenApiParameter(
                "id_number", OpenApiTypes.STR, description="按身份证号码精确查找（人事处）"
            ),
        ]
    )
)
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer
    queryset = selectors.people()

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        for field in ("phone", "id_number"):
            value = self.request.query_params.get(field, "").strip()
            if not value:
                continue
            if not policies.can_search_personal_data(self.request.user):
                raise PermissionDenied("只有人事处可以按个人信息查找人员。")
            queryset = queryset.filter(
                **{f"{field}_digest": lookup_digest(Person, field, value[:100])}
            )
        return queryset

    def get_serializer_context(self):
        # A list shows personal data masked; one person's record shows it per need-to-know.
        return {**super().get_serializer_context(), "listing": self.action != "retrieve"}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("organization", OpenApiTypes.INT),
            OpenApiParameter("unit", OpenApiTypes.INT),
            OpenApiParameter("person", OpenApiTypes.INT),
            OpenApiParameter("active", OpenApiTypes.BOOL, description="仅在任"),
        ]
    )
)
class AppointmentViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AppointmentSerializer

    def get_queryset(self):
        queryset = selectors.appointments()
        if self.action == "list":
            for name in ("organization", "unit", "person"):
                value = _int_param(self.request, name)
                if value is not None:
                    queryset = queryset.filter(**{name: value})
            if self.request.query_params.get("active") in {"1", "true", "True"}:
                queryset = queryset.filter(services.active_appointments())
        return queryset

    def create(self, request, *args, **kwargs):
        if not policies.can_manage_appointments(request.user):
            raise PermissionDenied("只有人事处和办公厅领导可以办理任职。")
        return super().create(request, *args, **kwargs)

    @extend_schema(request=AppointmentEndSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        if not policies.can_manage_appointments(request.user):
            raise PermissionDenied("只有人事处和办公厅领导可以办理免职。")
        appointment = self.get_object()
        payload = AppointmentEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            appointment = services.appointment_end(
                appointment=appointment, end=payload.validated_data["end"], actor=request.user
            )
        except DjangoValidationError as error:
            raise _refused(error) from error
        return Response(AppointmentSerializer(appointment).data)


router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("units", UnitViewSet, basename="unit")
router.register("duties", DutyViewSet, basename="duty")
router.register("quotas", QuotaViewSet, basename="quota")
router.register("posts", PostViewSet, basename="post")
router.register("people", PersonViewSet, basename="person")
router.register("appointments", AppointmentViewSet, basename="appointment")
