from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    MAIN = "main", _("本机关")
    # An office "设在" the main body (参事室, 应急管理办公室) with its own organs and staffing.
    ATTACHED = "attached", _("挂靠机构")


class UnitKind(models.TextChoices):
    # Counted in the regulation's "设N个内设机构".
    INTERNAL = "internal", _("内设机构")
    # Listed outside the count: 机关党委, 离退休干部处, 纪检组/监察处.
    EXTRA = "extra", _("其他机构")
    # A handling unit outside the office: 市直部门, 区县政府 (the directory).
    EXTERNAL = "external", _("承办单位")


class DutyKind(models.TextChoices):
    ADJUSTMENT = "adjustment", _("职责调整")
    MAIN = "main", _("主要职责")
    UNIT = "unit", _("内设机构职责")


class StaffingCategory(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("行政编制")
    LOGISTICS = "logistics", _("工勤人员编制")
    PUBLIC_INSTITUTION = "public_institution", _("事业编制")


class ExternalUnitKind(models.TextChoices):
    DEPARTMENT = "department", _("市直部门")
    DISTRICT = "district", _("区县(市)政府")
    OTHER = "other", _("其他单位")
