"""Read-only API: the deadline rules and working-day arithmetic, for forms and other apps."""

from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengban.security.validation import MAX_DATE, MIN_DATE

from . import calendar, deadlines


class ExtensionSerializer(serializers.Serializer):
    max_times = serializers.IntegerField()
    amount = serializers.IntegerField()
    unit = serializers.CharField()
    approver_role = serializers.CharField()
    approver_text = serializers.CharField()
    reason_required = serializers.BooleanField()


class RuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    amount = serializers.IntegerField()
    period_text = serializers.CharField()
    from_event = serializers.CharField()
    legal_basis = serializers.CharField()
    basis_text = serializers.CharField()
    unconfirmed = serializers.BooleanField()
    pausable = serializers.BooleanField()
    pause_reasons = serializers.ListField(child=serializers.CharField())
    restart_reasons = serializers.ListField(child=serializers.CharField())
    extension = ExtensionSerializer(allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["pause_reasons"] = sorted(instance.pause_reasons)
        data["restart_reasons"] = sorted(instance.restart_reasons)
        return data


class RuleList(APIView):
    pagination_class = None

    @extend_schema(responses=RuleSerializer(many=True))
    def get(self, request):
        return Response(RuleSerializer(list(deadlines.RULES.values()), many=True).data)


class WorkdayResultSerializer(serializers.Serializer):
    date = serializers.DateField()
    provisional = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())


class AddWorkdaysQuery(serializers.Serializer):
    # Bounded: date arithmetic near date.min/max overflows.
    start = serializers.DateField()

    def validate_start(self, value):
        if not MIN_DATE <= value <= MAX_DATE:
            raise serializers.ValidationError(
                _("日期须在%(a)s到%(b)s之间。") % {"a": MIN_DATE, "b": MAX_DATE}
            )
        return value

    n = serializers.IntegerField(min_value=-10000, max_value=10000)


class AddWorkdays(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("start", date, required=True, description="起算日（不计入）"),
            OpenApiParameter("n", int, required=True, description="工作日数"),
        ],
        responses=WorkdayResultSerializer,
    )
    def get(self, request):
        query = AddWorkdaysQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = calendar.add_workdays(query.validated_data["start"], query.validated_data["n"])
        return Response(WorkdayResultSerializer(result).data)
