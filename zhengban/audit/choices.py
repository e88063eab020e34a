from django.db import models
from django.utils.translation import gettext_lazy as _


class ProblemKind(models.TextChoices):
    """What the verifier found wrong at the first broken record."""

    # The record's own hash no longer matches its content (an edited row).
    TAMPERED = "tampered", _("内容被篡改")
    # A sequence number is absent (a deleted row, or rows deleted at the tail).
    MISSING = "missing", _("记录缺失")
    # The record does not chain to its predecessor or the head (reordered or rewritten rows).
    BROKEN_LINK = "broken_link", _("链接断裂")
    # A record that was not appended through the chain (forged row, or one beyond the head).
    INSERTED = "inserted", _("插入记录")
