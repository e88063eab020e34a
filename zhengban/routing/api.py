"""REST API of the router: route a text, record a routing decision."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services


class RoutingUnavailableError(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "routing_unavailable"
    default_detail = _("尚未载入三定规定，无法匹配职责。")


class ServiceRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_detail = _("请求被拒绝。")


SCOPES = [
    ("internal", _("本机关处室")),
    ("external", _("承办单位（市直部门、区县政府）")),
    ("all", _("全部")),
]


class RouteRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    top = serializers.IntegerField(min_value=1, max_value=10, default=3)
    scope = serializers.ChoiceField(choices=SCOPES, default="all")


class MatchSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="单位代码：u<单位编号>，挂靠机构为 o<机构编号>")
    unit = serializers.CharField(source="name")
    kind = serializers.CharField()
    score = serializers.FloatField()
    because = serializers.ListField(child=serializers.CharField(), help_text="匹配的职责原文")
    terms = serializers.ListField(child=serializers.CharField(), help_text="命中的词")
    via = serializers.CharField(help_text="经由的市直部门（按部门职责目录匹配时），否则为空")


class RouteResponseSerializer(serializers.Serializer):
    results = MatchSerializer(many=True)


class ConfirmRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    suggested = serializers.CharField(max_length=40, allow_blank=True, default="")
    chosen = serializers.CharField(max_length=40)


class ConfirmResponseSerializer(serializers.Serializer):
    correction = serializers.IntegerField(
        allow_null=True, help_text="纠正记录编号；与建议一致时为空"
    )
    chosen = serializers.CharField()


class RouteView(APIView):
    """Which units' duties cover this text, best first, with the duty sentences as reasons."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=RouteRequestSerializer, responses=RouteResponseSerializer)
    def post(self, request):
        data = RouteRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            matches = selectors.route_text(
                data.validated_data["text"],
                data.validated_data["top"],
                scope=data.validated_data["scope"],
            )
        except selectors.RoutingUnavailable as error:
            raise RoutingUnavailableError from error
        return Response({"results": MatchSerializer(matches, many=True).data})


class ConfirmView(APIView):
    """Record where a text was routed; a choice other than the suggestion teaches the router."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ConfirmRequestSerializer, responses=ConfirmResponseSerializer)
    def post(self, request):
        data = ConfirmRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            correction = services.routing_confirm(actor=request.user, **data.validated_data)
        except selectors.RoutingUnavailable as error:
            raise RoutingUnavailableError from error
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        except DjangoValidationError as error:
            raise ServiceRefused(" ".join(error.messages), code=error.code or "invalid") from error
        return Response(
            {
                "correction": correction.pk if correction else None,
                "chosen": data.validated_data["chosen"],
            },
            status=status.HTTP_201_CREATED if correction else status.HTTP_200_OK,
        )
