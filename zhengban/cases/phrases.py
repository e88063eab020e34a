"""常用意见: each person keeps the opinion texts they write most, offered in every opinion
form. Until they keep their own, the office's usual ones are offered."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .errors import GuardFailed
from .models import OpinionPhrase

DEFAULTS = ("同意。", "已阅。", "请按规定办理。", "请抓紧办理，按时反馈。", "请补充完善后再报。")
MAX_PHRASES = 30


def phrases_of(user) -> list[str]:
    own = list(OpinionPhrase.objects.filter(user=user).values_list("text", flat=True))
    return own or list(DEFAULTS)


@transaction.atomic
def phrase_add(*, user, text: str) -> OpinionPhrase:
    text = " ".join(text.split())
    if not text:
        raise GuardFailed(_("请填写常用意见。"))
    if len(text) > 200:
        raise GuardFailed(_("常用意见不能超过200字。"))
    mine = OpinionPhrase.objects.select_for_update().filter(user=user)
    if mine.count() >= MAX_PHRASES:
        raise GuardFailed(_("常用意见最多%(n)d条。") % {"n": MAX_PHRASES})
    position = (mine.aggregate(m=Max("position"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            return OpinionPhrase.objects.create(user=user, text=text, position=position)
    except IntegrityError:
        raise GuardFailed(_("已有该常用意见。")) from None


def phrase_delete(*, user, pk: int) -> int:
    deleted, _rows = OpinionPhrase.objects.filter(user=user, pk=pk).delete()
    return deleted
