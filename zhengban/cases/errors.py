"""Typed refusals of the case kernel: `code` is stable for the API, the message is for people."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class CaseError(Exception):
    """A refused case operation; `code` is stable for the API, the message is for people."""

    code = "case_error"


class PermissionRefused(CaseError):
    code = "permission_denied"


class TransitionNotAllowed(CaseError):
    code = "transition_not_allowed"


class GuardFailed(CaseError):
    code = "guard_failed"


class VersionConflict(CaseError):
    code = "version_conflict"

    def __init__(self, message: str = ""):
        super().__init__(
            message or _("该事项已被他人处理（版本已变化），您的操作未生效。请刷新后重试。")
        )


class ContentNotAllowed(CaseError):
    code = "classified_content_refused"


CLASSIFIED_RULE = gettext_lazy(
    "本系统不是经批准的涉密信息系统，依据《保守国家秘密法》（2024年修订）第二十九条至第三十一条，"
    "秘密及以上事项只能登记元数据（编号、来文单位、密级、份号、存放位置、保管人），"
    "不得录入正文或上传扫描件。"
)
