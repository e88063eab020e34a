"""Personal data of a person as one viewer may see it: in full, masked or not at all.

Views and the API call `personal_values`; a full value shown is audited once per view
(`audit_read`), so the audit administrator can answer "who looked at this person's ID
number" — the masked form is not audited (it reveals nothing).
"""

from django.utils.translation import gettext_lazy as _

from zhengban.audit.services import audit_read
from zhengban.security.masking import mask_address, mask_id_number, mask_phone

from . import policies

MASKS = {"phone": mask_phone, "id_number": mask_id_number, "home_address": mask_address}
LABELS = {"phone": _("联系电话"), "id_number": _("身份证号码"), "home_address": _("家庭住址")}


def personal_values(user, person, *, listing: bool = False) -> dict[str, tuple[str, bool]] | None:
    """{field: (shown value, masked?)} or None when the viewer may see no personal data.
    In a listing every value is masked; otherwise fields under need-to-know are in full."""
    if not policies.can_view_personal_data(user, person):
        return None
    values = {}
    for field, mask in MASKS.items():
        value = getattr(person, field) or ""
        full = not listing and policies.may_view_full(user, person, field)
        values[field] = (value, False) if full or not value else (mask(value), True)
    return values


def audit_full_view(user, person, values: dict | None, *, where: str) -> None:
    """Record that `user` saw personal data of `person` in full (if any was shown)."""
    if not values:
        return
    shown = [str(LABELS[f]) for f, (value, masked) in values.items() if value and not masked]
    if shown:
        audit_read(
            actor=user, target=person, summary=f"{where}：查看完整个人信息（{'、'.join(shown)}）"
        )
