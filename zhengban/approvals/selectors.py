"""What the 签报's panel and its 签报单 show, read from the case's history: the division
head's opinion, each 呈批 round with the leaders' opinions in order, and who is still to act.

On the case page the kernel has prefetched the case's events and slots: the panel adds no
query of its own beyond the detail row's category."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhengban.cases.selectors import slot_turns
from zhengban.documents.check import check_document
from zhengban.documents.content import OfficialDocument, Paragraph
from zhengban.documents.selectors import archived

LEADERS_SLOT = "leaders"
HEAD_ACTIONS = {"endorse": _("同意呈报"), "review_return": _("退回修改")}
LEADER_ACTIONS = {"approve": _("同意"), "leader_return": _("退回"), "refuse": _("不予批准")}


@dataclass
class Opinion:
    """One person's word on the 签报: who, when, what they decided and wrote."""

    person: object
    time: object
    verdict: str
    text: str
    action: str


@dataclass
class Round:
    """One 呈批: the leaders chosen, in order, and the opinions they gave."""

    number: int
    routed_by: object
    routed_at: object
    opinions: list[Opinion] = field(default_factory=list)
    waiting: list = field(default_factory=list)  # leaders still to 审批, in order
    current: object = None  # the leader whose turn it is


@dataclass
class ApprovalHistory:
    head: Opinion | None  # the latest 处室审核 opinion
    head_opinions: list[Opinion]
    rounds: list[Round]

    @property
    def last_round(self) -> Round | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def leader_opinions(self) -> list[Opinion]:
        """Every leader's opinion of every round, in the order given."""
        return [o for r in self.rounds for o in r.opinions]


def _person(event):
    return event.on_behalf_of or event.actor


def approval_history(case) -> ApprovalHistory:
    events = sorted(case.events.all(), key=lambda e: e.seq)
    head_opinions: list[Opinion] = []
    rounds: list[Round] = []
    for event in events:
        if event.action in HEAD_ACTIONS:
            head_opinions.append(
                Opinion(
                    _person(event),
                    event.time,
                    str(HEAD_ACTIONS[event.action]),
                    event.comment,
                    event.action,
                )
            )
        elif event.action == "route":
            rounds.append(Round(len(rounds) + 1, _person(event), event.time))
        elif event.action in LEADER_ACTIONS and rounds:
            rounds[-1].opinions.append(
                Opinion(
                    _person(event),
                    event.time,
                    str(LEADER_ACTIONS[event.action]),
                    event.comment,
                    event.action,
                )
            )
    if rounds and case.state == "approving":
        waiting = [user for user, done_at in slot_turns(case, LEADERS_SLOT) if done_at is None]
        rounds[-1].waiting = waiting
        rounds[-1].current = waiting[0] if waiting else None
    endorsements = [o for o in head_opinions if o.action == "endorse"]
    return ApprovalHistory(
        head=endorsements[-1] if endorsements else None,
        head_opinions=head_opinions,
        rounds=rounds,
    )


def slip_cases():
    """签报 cases with what the 签报单 reads (detail, events, slots) prefetched."""
    from django.db.models import Prefetch

    from zhengban.cases.models import Case, CaseEvent, CaseSlot

    rows = Case.objects.filter(case_type="approval").select_related(
        "owner_unit__organization", "creator", "approval__category"
    )
    return rows.prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor", "on_behalf_of")),
        Prefetch("slots", queryset=CaseSlot.objects.select_related("user")),
    )


def heading_problems(body: str) -> list:
    """The 公文体检's findings on the body's heading numbers (一、（一）1.（1）)."""
    paragraphs = [Paragraph(line.strip()) for line in body.splitlines() if line.strip()]
    doc = OfficialDocument(doc_type="请示", title="", body=paragraphs)
    return [p for p in check_document(doc) if p.rule.startswith("heading.")]


def approval_panel(user, case, detail) -> dict:
    history = approval_history(case)
    return {
        "history": history,
        "heading_problems": heading_problems(case.body),
        "slip_url": reverse("approvals:slip", args=[case.pk]),
        **archived(user, detail.archive_item_id),
    }


# --- the 请示事项类别 page -------------------------------------------------------------------


def categories_with_use():
    """Every category, retired ones too, in the form's order, each with how many 签报 name
    it (`in_use`) — one query however long the list."""
    from django.db.models import Count

    from .models import ApprovalCategory

    return ApprovalCategory.objects.annotate(in_use=Count("requests")).order_by("order", "pk")


def category_get(pk: int):
    """The category with its `in_use` count, or None."""
    return categories_with_use().filter(pk=pk).first()
