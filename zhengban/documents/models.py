"""Records of the official-documents library: number series and numbers, seals and their
use, archive items, and the detail rows of the 公文 case types (收文: `IncomingDocument`, one
to one with the kernel's Case; the declarations are in `incoming.py`)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class SeriesKind(models.TextChoices):
    OUTGOING = "outgoing", _("发文")
    LETTER = "letter", _("函")
    MINUTES = "minutes", _("纪要")
    TELEGRAM = "telegram", _("电报")
    REQUEST = "request", _("签报")


class DocumentSeries(models.Model):
    """A 文号 series of one organization: 机关代字 + series name, e.g. 沈政办 + 发."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="document_series"
    )
    organ_code = models.CharField(_("机关代字"), max_length=20)
    name = models.CharField(_("序列"), max_length=10)
    kind = models.CharField(_("类别"), max_length=16, choices=SeriesKind.choices)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("文号序列")
        verbose_name_plural = _("文号序列")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "organ_code", "name"], name="documents_series_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organ_code}{self.name}"

    @property
    def allocator_key(self) -> str:
        return f"documents:{self.organ_code}{self.name}"


class NumberStatus(models.TextChoices):
    IN_USE = "in_use", _("在用")
    VOIDED = "voided", _("已作废")


class DocumentNumber(models.Model):
    """One allocated 文号. Never deleted: voiding and re-use are recorded acts."""

    series = models.ForeignKey(DocumentSeries, on_delete=models.PROTECT, related_name="numbers")
    year = models.PositiveIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("顺序号"))
    text = models.CharField(_("文号"), max_length=60)
    status = models.CharField(
        _("状态"), max_length=16, choices=NumberStatus.choices, default=NumberStatus.IN_USE
    )
    purpose = models.CharField(_("用于"), max_length=300, blank=True)
    allocated_at = models.DateTimeField(_("取号时间"), auto_now_add=True)
    allocated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("文号")
        verbose_name_plural = _("文号")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "sequence"], name="documents_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text


class NumberActKind(models.TextChoices):
    ALLOCATE = "allocate", _("取号")
    VOID = "void", _("作废")
    REUSE = "reuse", _("重新启用")


class NumberAct(models.Model):
    """The history of a number: allocation, voiding (with its reason), re-use (a decision)."""

    number = models.ForeignKey(DocumentNumber, on_delete=models.PROTECT, related_name="acts")
    kind = models.CharField(_("操作"), max_length=16, choices=NumberActKind.choices)
    reason = models.TextField(_("理由"), blank=True)
    purpose = models.CharField(_("用于"), max_length=300, blank=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class SealKind(models.TextChoices):
    OFFICIAL = "official", _("公章")
    SPECIAL = "special", _("专用章")
    SIGNATURE = "signature", _("签名章")


class SealStatus(models.TextChoices):
    ACTIVE = "active", _("启用")
    SUSPENDED = "suspended", _("停用")
    REVOKED = "revoked", _("注销")


class Seal(models.Model):
    """A seal (印章) in the registry: who holds it, its image and its SM2 key pair. The
    private key is stored encrypted with SM4 under a key derived from the deployment's
    secret (see `seals.py`), or kept outside the database by an external signer."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="seals"
    )
    name = models.CharField(_("印章名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=SealKind.choices)
    holder = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("保管人"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=SealStatus.choices, default=SealStatus.ACTIVE
    )
    image = models.BinaryField(_("印模"))
    signer = models.CharField(_("签章服务"), max_length=40, default="sm2")
    public_key = models.CharField(_("公钥"), max_length=130, blank=True)
    private_key = models.BinaryField(_("私钥（已加密）"), blank=True, default=b"")
    key_ref = models.CharField(_("外部密钥标识"), max_length=200, blank=True)
    code = models.CharField(_("印章编码"), max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("印章")
        verbose_name_plural = _("印章")

    def __str__(self) -> str:
        return self.name


class SealUse(models.Model):
    """One 用印: who sealed which document, when, how many copies, and what was signed."""

    seal = models.ForeignKey(Seal, on_delete=models.PROTECT, related_name="uses")
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("用印时间"), auto_now_add=True)
    document_title = models.CharField(_("文件标题"), max_length=300)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    copies = models.PositiveIntegerField(_("份数"), default=1)
    file_format = models.CharField(_("格式"), max_length=8)
    file_sm3 = models.CharField(_("文件摘要（SM3）"), max_length=64)
    signature = models.TextField(_("签名值"))
    tag = models.CharField(_("完整性标记（HMAC-SM3）"), max_length=64)

    class Meta:
        verbose_name = _("用印记录")
        verbose_name_plural = _("用印记录")
        ordering = ["-at", "-pk"]


class Retention(models.TextChoices):
    PERMANENT = "Y", _("永久")
    YEARS_30 = "D30", _("定期30年")
    YEARS_10 = "D10", _("定期10年")


class ArchiveItem(models.Model):
    """An archive item (件, DA/T 22-2015) with its 档号 and the archived file."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.PROTECT, related_name="archive_items"
    )
    fonds = models.CharField(_("全宗号"), max_length=4)
    year = models.PositiveIntegerField(_("年度"))
    retention = models.CharField(_("保管期限"), max_length=3, choices=Retention.choices)
    retention_basis = models.CharField(_("期限依据"), max_length=200, blank=True)
    unit_code = models.CharField(_("机构（问题）代码"), max_length=10)
    item_number = models.PositiveIntegerField(_("件号"))
    archival_code = models.CharField(_("档号"), max_length=60, unique=True)
    title = models.CharField(_("题名"), max_length=300)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    responsible = models.CharField(_("责任者"), max_length=100)
    date = models.DateField(_("日期"))
    secrecy = models.CharField(_("密级"), max_length=8, blank=True)
    pages = models.PositiveIntegerField(_("页数"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    doc_type = models.CharField(_("文种"), max_length=8, blank=True)
    file = models.BinaryField(_("归档文件"))
    file_name = models.CharField(max_length=100)
    file_sm3 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("归档文件")
        verbose_name_plural = _("归档文件")
        ordering = ["year", "retention", "unit_code", "item_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fonds", "year", "retention", "unit_code", "item_number"],
                name="documents_archive_item_unique",
            )
        ]

    def __str__(self) -> str:
        return self.archival_code


# 党政机关公文处理工作条例 (2012) art. 8: the 15 文种 (命令 and 令 are one).
class DocType(models.TextChoices):
    RESOLUTION = "决议", _("决议")
    DECISION = "决定", _("决定")
    ORDER = "命令", _("命令（令）")
    COMMUNIQUE = "公报", _("公报")
    ANNOUNCEMENT = "公告", _("公告")
    PUBLIC_NOTICE = "通告", _("通告")
    OPINION = "意见", _("意见")
    NOTICE = "通知", _("通知")
    BULLETIN = "通报", _("通报")
    REPORT = "报告", _("报告")
    REQUEST = "请示", _("请示")
    REPLY = "批复", _("批复")
    MOTION = "议案", _("议案")
    LETTER = "函", _("函")
    MINUTES = "纪要", _("纪要")


class IncomingDocument(models.Model):
    """收文: the registration of a document received, the detail of a case of type
    "incoming". 紧急程度 and 密级 are the case's own (Case.urgency, Case.sensitivity)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="incoming", verbose_name=_("事项")
    )
    sender = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来文机关（名录）"),
    )
    sender_name = models.CharField(_("来文机关"), max_length=200, db_index=True)
    sender_number = models.CharField(_("来文字号"), max_length=60, blank=True, db_index=True)
    doc_type = models.CharField(_("文种"), max_length=4, choices=DocType.choices)
    secrecy_period = models.CharField(_("保密期限"), max_length=40, blank=True)
    copies = models.PositiveIntegerField(_("份数"), default=1, validators=[MinValueValidator(1)])
    pages = models.PositiveIntegerField(_("页数"), default=1, validators=[MinValueValidator(1)])
    received_on = models.DateField(_("收文日期"))
    remarks = models.TextField(_("备注"), blank=True, max_length=2000)
    # Set by 归档 (the 收文处理笺 with the original's scan as one 件), never by a form.
    archive_item = models.ForeignKey(
        ArchiveItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("收文")
        verbose_name_plural = _("收文")

    def __str__(self) -> str:
        return f"{self.sender_name} {self.sender_number}".strip()


# --- 发文 (outgoing documents) ------------------------------------------------------------


class Openness(models.TextChoices):
    """公开属性 of a document (政府信息公开条例)."""

    ACTIVE = "active", _("主动公开")
    ON_REQUEST = "on_request", _("依申请公开")
    NOT_PUBLIC = "not_public", _("不予公开")


class OutgoingDocument(models.Model):
    """发文: the detail of a case of type "outgoing". The body is the case's body; 紧急程度
    and 密级 are the case's own (Case.urgency, Case.sensitivity); the drafting unit and
    person are the case's owner unit and creator. 主送/抄送 are units of the organization or
    the external directory (ids, in order) plus names typed for others. The fields below
    the line are set by the workflow (编号, 签发, 用印, 印发, 归档), never by a form."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="outgoing", verbose_name=_("事项")
    )
    doc_type = models.CharField(
        _("文种"), max_length=4, choices=DocType.choices, default=DocType.NOTICE
    )
    recipients = models.JSONField(_("主送单位"), default=list, blank=True)
    recipients_text = models.CharField(_("其他主送机关"), max_length=500, blank=True)
    cc = models.JSONField(_("抄送单位"), default=list, blank=True)
    cc_text = models.CharField(_("其他抄送机关"), max_length=500, blank=True)
    attachment_note = models.TextField(_("附件说明"), blank=True, max_length=2000)
    copy_number = models.CharField(_("份号"), max_length=6, blank=True)
    secrecy_period = models.CharField(_("保密期限"), max_length=40, blank=True)
    openness = models.CharField(
        _("公开属性"), max_length=16, choices=Openness.choices, default=Openness.ACTIVE
    )
    openness_reason = models.CharField(_("不予公开理由"), max_length=300, blank=True)
    printer = models.CharField(_("印发机关"), max_length=100, blank=True)
    note = models.CharField(_("附注"), max_length=300, blank=True)
    copies = models.PositiveIntegerField(
        _("印制份数"), default=1, validators=[MinValueValidator(1)]
    )
    # --- set by the workflow ---
    series = models.ForeignKey(
        DocumentSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    number = models.ForeignKey(
        DocumentNumber, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    number_text = models.CharField(_("发文字号"), max_length=60, blank=True, db_index=True)
    signer = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    seal = models.ForeignKey(
        Seal, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    printed_on = models.DateField(_("印发日期"), null=True, blank=True)
    archive_item = models.ForeignKey(
        ArchiveItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("发文")
        verbose_name_plural = _("发文")

    def __str__(self) -> str:
        return self.number_text or str(self.case_id)


class FileKind(models.TextChoices):
    PDF = "pdf", _("PDF（已盖章）")
    OFD = "ofd", _("OFD（已盖章）")
    DOCX = "docx", _("DOCX")
    XML = "xml", _("元数据（GB/T 33480 XML）")


class OutgoingFile(models.Model):
    """A rendered file of an issued document, stored at 用印 with its SM3 digest and an
    HMAC-SM3 tag under the deployment key; every download re-checks both (and the seal)."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("格式"), max_length=8, choices=FileKind.choices)
    name = models.CharField(_("文件名"), max_length=200)
    data = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    sm3 = models.CharField(max_length=64)
    tag = models.CharField(_("完整性标记（HMAC-SM3）"), max_length=64)
    seal_use = models.ForeignKey(
        SealUse, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # What `CaseAccess.may_read` asks of an item: an issued file is internal to the office
    # (recipients get theirs through 公文交换, not through the case).
    audience = "internal"
    uploaded_by_id = None

    class Meta:
        verbose_name = _("发文文件")
        verbose_name_plural = _("发文文件")
        constraints = [
            models.UniqueConstraint(fields=["document", "kind"], name="documents_outgoing_file")
        ]


class ReceiptStatus(models.TextChoices):
    SENT = "sent", _("待签收")
    SIGNED = "signed", _("已签收")
    RETURNED = "returned", _("已退回")
    FILED = "filed", _("已转收文")  # an internal division: registered as its 收文


class RecipientRole(models.TextChoices):
    MAIN = "main", _("主送")
    CC = "cc", _("抄送")


class ExchangeReceipt(models.Model):
    """公文交换: one recipient unit of an issued document. An external unit's contacts 签收
    or 退回 (with a reason) it in their inbox; an internal division receives it as a 收文
    (`incoming_case`). The sender sees every row and may 催收 an unsigned one."""

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="receipts"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("送达方式"), max_length=8, choices=RecipientRole.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=ReceiptStatus.choices, default=ReceiptStatus.SENT
    )
    incoming_case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("首次打开"), null=True, blank=True)
    acted_at = models.DateTimeField(_("签收/退回时间"), null=True, blank=True)
    acted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("退回理由"), blank=True, max_length=2000)
    feedback = models.TextField(_("反馈意见"), blank=True, max_length=2000)
    reminders = models.PositiveIntegerField(_("催收次数"), default=0)
    reminded_at = models.DateTimeField(_("最近催收"), null=True, blank=True)

    class Meta:
        verbose_name = _("公文交换回执")
        verbose_name_plural = _("公文交换回执")
        ordering = ["document", "pk"]
        indexes = [models.Index(fields=["unit", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["document", "unit"], name="documents_receipt_unique")
        ]
