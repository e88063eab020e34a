"""留言: notes on a case, each with its audience (internal, or shared with the handling units)."""

from django.db import transaction
from django.utils.translation import gettext as _

from zhengban.accounts.models import User
from zhengban.audit.services import audit_record

from . import search
from .access import CaseAccess
from .choices import Audience
from .errors import GuardFailed
from .models import Case, Comment
from .services import audits_denials, check_content_allowed, check_text_size, refuse


@audits_denials
@transaction.atomic
def comment_add(
    *, case: Case, actor: User, text: str, audience: str = Audience.INTERNAL
) -> Comment:
    access = CaseAccess(actor, case)
    if not access.visible:
        raise refuse(actor, case, _("留言"))
    text = text.strip()
    if not text:
        raise GuardFailed(_("留言内容不能为空。"))
    check_text_size(text, _("留言"))
    if audience not in Audience.values:
        raise GuardFailed(_("请选择可见范围。"))
    if access.external:
        audience = Audience.SHARED  # an external unit's words are for the owner to read
    check_content_allowed(case.sensitivity, has_content=True)
    comment = Comment.objects.create(case=case, author=actor, text=text, audience=audience)
    audit_record(actor=actor, action="cases.comment", target=case, summary=text[:200])
    search.index_case(case)
    return comment
