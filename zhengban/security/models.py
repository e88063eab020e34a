"""Security tables: spent one-time form tokens, and the keys personal data is encrypted with
(the key material itself never lives in the database)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SpentFormToken(models.Model):
    """A one-time form token that has been used. The unique nonce is the guard: the INSERT
    happens in the transaction of the write the form makes, so of N parallel submissions of
    one form exactly one commits and the others fail on the constraint."""

    nonce = models.CharField(max_length=32)
    purpose = models.CharField(_("用途"), max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    spent_at = models.DateTimeField(_("使用时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("已使用的表单令牌")
        constraints = [
            models.UniqueConstraint(fields=["nonce"], name="security_form_token_once"),
        ]
