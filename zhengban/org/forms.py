from django import forms
from django.utils.translation import gettext_lazy as _

from .services import EXTERNAL_IMPORT_MAX_BYTES


class ExternalImportForm(forms.Form):
    file = forms.FileField(
        label=_("导入文件"),
        help_text=_(
            "CSV(UTF-8或GB18030)或Excel(.xlsx)，不超过5 MB；"
            "列：名称、类别(市直部门/区县政府/其他)、主要职责、地址、联络员、职务、电话、电子邮箱。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refuse before reading: the size is known from the upload itself.
        if upload.size > EXTERNAL_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("文件超过5 MB，不能导入。"))
        return upload
