from django.db import models
from django.utils.translation import gettext_lazy as _


class Handling(models.TextChoices):
    """The handling status of a 批示 in the 批示件台账: read from the supervision item it
    opened, else from the case it was given on."""

    RECORDED = "recorded", _("已登记")  # stand-alone, not 列入督办: nothing to follow
    ON_TRACK = "on_track", _("办理中")
    DUE_SOON = "due_soon", _("临期")
    OVERDUE = "overdue", _("逾期")
    DONE = "done", _("已办结")


# The status lights the ledger shows (the supervision board's colours).
LIGHTS = {
    Handling.RECORDED: "grey",
    Handling.ON_TRACK: "green",
    Handling.DUE_SOON: "yellow",
    Handling.OVERDUE: "red",
    Handling.DONE: "done",
}
