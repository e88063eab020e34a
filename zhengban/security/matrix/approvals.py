"""签报 (zhengban.approvals): the 签报单 PDF of a 签报.

The test 签报 is 内部, drafted by the clerk of 督查室 and sent to the division head's 审核.
Visibility is the kernel's one policy: the drafting division, its head and the leaders see
it; everyone else (another unit, an external contact, a lower clearance, the three
administrators) gets 404, which reveals nothing.

The 请示事项类别 page is system configuration: the system administrator alone
(`approvals.policies.can_edit_categories`); everyone else is refused with 403 and the refusal
recorded. The matrix's empty POST carries no form token and no fields: 400 for the system
administrator, nothing written.
"""

from . import INVALID, LOGIN, MISSING, OK, Row, expect, only

SEES_APPROVAL = ("clerk", "division_head", "office_leader", "city_leader")
KEEPS_CATEGORIES = only(OK, "system_admin")
KEEPS_CATEGORIES_WRITE = only(INVALID, "system_admin")


def category_pk(world) -> int:
    """One of the categories migration 0002 creates."""
    from zhengban.approvals.models import ApprovalCategory

    return ApprovalCategory.objects.get(code="funding").pk


def approval(world):
    """A 签报 in 处室审核, made once per world through the kernel's services."""
    found = getattr(world, "_approval", None)
    if found is None:
        from zhengban.accounts.choices import Clearance
        from zhengban.approvals.models import ApprovalCategory
        from zhengban.cases import services

        clerk = world.users["clerk"]
        found = services.case_create(
            case_type="approval",
            title="关于申请防汛物资专项经费的签报",
            body="一、基本情况\n今年汛期物资储备不足。",
            owner_unit=world.owner_unit,
            actor=clerk,
            sensitivity=Clearance.INTERNAL,
            detail={
                "category": ApprovalCategory.objects.get(code="funding"),
                "proposal": "拟同意安排专项经费。",
            },
        )
        found = services.case_perform(
            case=found, action_code="submit", actor=clerk, version=found.version
        )
        world._approval = found
    return found


ROWS = [
    Row(
        "approvals:slip",
        lambda w: f"/approvals/{approval(w).pk}/slip.pdf",
        get={
            **expect(MISSING, anonymous=LOGIN),
            **dict.fromkeys(SEES_APPROVAL, OK),
        },
    ),
    Row(
        "approvals:categories",
        lambda w: "/approvals/categories/",
        get=KEEPS_CATEGORIES,
        unsafe=KEEPS_CATEGORIES_WRITE,
    ),
    Row(
        "approvals:category_edit",
        lambda w: f"/approvals/categories/{category_pk(w)}/",
        get=KEEPS_CATEGORIES,
        unsafe=KEEPS_CATEGORIES_WRITE,
    ),
]
