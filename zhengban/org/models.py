"""The organization as its 三定 regulation establishes it, and the people who staff it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhengban.security.fields import DigestField, EncryptedTextField

from .choices import DutyKind, ExternalUnitKind, OrganizationKind, StaffingCategory, UnitKind


class Regulation(models.Model):
    """One loaded version of a 三定 regulation text; the source every duty points back to."""

    title = models.CharField(_("标题"), max_length=200)
    source_text = models.TextField(_("原文"))
    sha256 = models.CharField(max_length=64, db_index=True)
    parsed = models.JSONField(_("解析结果"))
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)
    # An amending notice (调整通知) is kept as its own record, linked to the regulation (or
    # earlier notice) in force for the organization when it was applied.
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("所调整的规定"),
    )

    class Meta:
        verbose_name = _("三定规定")
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return self.title


class Organization(models.Model):
    """The body a regulation establishes (市政府办公厅) or an office attached to it (参事室)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=OrganizationKind.choices)
    rank = models.CharField(_("规格"), max_length=20, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="attached"
    )
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="+")
    stated_unit_count = models.PositiveIntegerField(_("规定内设机构数"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    # An attached office dropped by a later regulation is kept (cases may reference it).
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("机构")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit that can own or handle business.

    Internal organs (处室) belong to an organization and come from its regulation; external
    handling units (市直部门, 区县政府) have no organization here and come from the directory.
    Keeping both in one table means assignment, membership and routing know one kind of unit.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    name = models.CharField(_("名称"), max_length=100)
    other_names = models.JSONField(_("加挂名称"), default=list, blank=True)
    kind = models.CharField(_("类别"), max_length=16, choices=UnitKind.choices)
    external_kind = models.CharField(
        _("单位类别"), max_length=16, choices=ExternalUnitKind.choices, blank=True
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    merged_with = models.ManyToManyField("self", blank=True, verbose_name=_("合署办公"))
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("内设机构")
        ordering = ["organization__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                condition=Q(active=True),
                name="org_unit_unique_active_name",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(kind="external"),
                name="org_external_unit_unique_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def counted(self) -> bool:
        return self.kind == UnitKind.INTERNAL


class Duty(models.Model):
    """One duty sentence, kept with its place in the regulation text it came from."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="duties"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="duties"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=DutyKind.choices)
    text = models.TextField(_("职责"))
    order = models.PositiveIntegerField(default=0)
    # Null for duties of external units entered by hand.
    regulation = models.ForeignKey(
        Regulation, on_delete=models.PROTECT, null=True, blank=True, related_name="duties"
    )
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)
    # Where the sentence sits in the regulation, e.g. "第三部分 内设机构 (十九)".
    source_label = models.CharField(_("出处"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("职责")
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["organization", "kind", "order"])]

    def __str__(self) -> str:
        return self.text[:40]


class StaffingQuota(models.Model):
    """编制: approved headcount of one category for one organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="quotas")
    category = models.CharField(_("编制类别"), max_length=24, choices=StaffingCategory.choices)
    approved = models.PositiveIntegerField(_("核定数"))

    class Meta:
        verbose_name = _("编制")
        constraints = [
            models.UniqueConstraint(fields=["organization", "category"], name="org_quota_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_category_display()} {self.approved}"


class LeadershipPost(models.Model):
    """领导职数: how many leaders of a title/grade the regulation allows."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(_("职务"), max_length=60)
    grade = models.CharField(_("级别"), max_length=20, blank=True)
    count = models.PositiveIntegerField(_("职数"))
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("领导职数")
        ordering = ["organization__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "title", "grade"], name="org_post_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.count}"

    @property
    def label(self) -> str:
        from .regulation import post_label

        return post_label(self.title, self.grade)


class Person(models.Model):
    """A member of staff (实名制 roster).

    Phone, ID number and home address are personal information (个人信息保护法 art. 28: the
    ID number is sensitive): encrypted at rest with SM4 under a key kept outside the database
    (`zhengban.security.crypto`), searchable by exact match through keyed SM3 digests, shown
    masked in lists and in full only under `policies.may_view_full` (each full view audited).
    """

    name = models.CharField(_("姓名"), max_length=40)
    staff_number = models.CharField(_("工号"), max_length=20, unique=True)
    gender = models.CharField(_("性别"), max_length=2, blank=True)
    birth_year = models.PositiveIntegerField(_("出生年份"), null=True, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_digest = DigestField(source="phone")
    id_number = EncryptedTextField(_("身份证号码"), blank=True)
    id_number_digest = DigestField(source="id_number")
    home_address = EncryptedTextField(_("家庭住址"), blank=True)

    # The personal fields, in display order, with their masking.
    PERSONAL_FIELDS = ("phone", "id_number", "home_address")

    class Meta:
        verbose_name = _("人员")
        ordering = ["staff_number"]

    def __str__(self) -> str:
        return self.name


class Appointment(models.Model):
    """A person holding a place in a unit under a staffing category, maybe a leadership post."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="appointments"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    category = models.CharField(_("编制类别"), max_length=24, choices=StaffingCategory.choices)
    post = models.ForeignKey(
        LeadershipPost,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("领导职务"),
    )
    position = models.CharField(_("职务名称"), max_length=60, blank=True)
    start = models.DateField(_("任职日期"))
    end = models.DateField(_("免职日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("任职")
        ordering = ["organization__order", "unit__order", "-post__count", "pk"]
        indexes = [
            models.Index(fields=["organization", "category", "end"]),
            models.Index(fields=["post", "end"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.position}"


class UnitContact(models.Model):
    """A liaison (联络员) of a unit, chiefly of external handling units."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=40)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)

    class Meta:
        verbose_name = _("联络员")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
