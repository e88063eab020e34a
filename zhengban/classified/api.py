"""REST API of the classified register: list (keepers and leaders) and register (keepers).
Metadata only: a request carrying a file or a body under any name is refused with the rule."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from zhengban.audit.services import audit_denied

from . import policies, services
from .forms import RecordForm
from .models import ClassifiedDocument


class RecordSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    level = serializers.CharField(source="get_level_display")
    status = serializers.CharField(source="get_status_display")
    holder = serializers.CharField(source="holder.__str__")

    class Meta:
        model = ClassifiedDocument
        fields = [
            "id",
            "number",
            "sender_name",
            "sender_number",
            "title",
            "level",
            "secrecy_period",
            "copy_number",
            "copies",
            "received_on",
            "holder",
            "location",
            "status",
        ]

    def get_title(self, obj) -> str:
        return obj.display_title


@extend_schema(tags=["classified"])
class RecordList(generics.ListCreateAPIView):
    """涉密文件登记簿：GET 列表；POST 登记（字段同登记页，仅元数据）。"""

    serializer_class = RecordSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = policies.is_keeper if request.method == "POST" else policies.can_read
        if not allowed(request.user):
            audit_denied(actor=request.user, action="classified.api", summary=request.path)
            raise PermissionDenied(_("涉密文件登记簿仅限机要人员、文电处负责人和领导。"))

    def get_queryset(self):
        return ClassifiedDocument.objects.select_related("holder").order_by("-received_on", "-pk")

    def create(self, request, *args, **kwargs):
        data = request.data
        keys = data.keys() if hasattr(data, "keys") else ()
        try:
            services.refuse_content(files=request.FILES, keys=keys)
        except services.ContentRefused as error:
            raise ValidationError({"detail": str(error)}) from None
        if not hasattr(data, "get"):
            raise ValidationError({"detail": _("请求体须为对象。")})
        values = {k: data.get(k) for k in RecordForm.Meta.fields if data.get(k) is not None}
        for flag in ("title_classified",):
            if flag in values:
                values[flag] = "on" if values[flag] in (True, "true", "1", "on") else ""
        form = RecordForm(values, user=request.user)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        try:
            document = services.record_create(actor=request.user, **form.cleaned_data)
        except services.RegisterError as error:
            raise ValidationError({"detail": str(error)}) from None
        response = self.get_serializer(document)
        return Response(response.data, status=201)
