"""领导批示 (`zhengban.instructions`): the 批示件台账 is for the leaders (their own 批示) and the
secretaries of the office — the people of 秘书一处, 秘书二处 and 督查室 (in the test office:
the clerk, the division head and the low-clearance staff of 督查室) — and for nobody else.
A 批示 on a case follows the kernel's access to the case: whoever may read the case reads its
批示; a leader, or a secretary recording one (代录), who may read it may give one there.
"""

from . import FORBIDDEN, INVALID, LOGIN, MISSING, OK, Row, expect, only

LEDGER = ("office_leader", "city_leader", "clerk", "division_head", "low_clearance")
LEDGER_PAGE = only(OK, *LEDGER)


def _instruction(world):
    """A 批示 of the office leader on the test case (内部), made once per world."""
    found = getattr(world, "_instruction", None)
    if found is None:
        from zhengban.instructions.services import instruction_create

        found = instruction_create(
            actor=world.users["office_leader"],
            leader=world.users["office_leader"],
            text="请农经处抓紧落实。",
            case=world.case,
            units=[world.staff_unit],
        )
        world._instruction = found
    return found


# The 批示 on the case: the ledger's readers within clearance (the leader who gave it and the
# 督查室 secretaries), and everyone the kernel lets read the case (the lead unit's staff,
# the other leader); 404 for the rest, revealing nothing.
DETAIL = expect(
    MISSING,
    anonymous=LOGIN,
    clerk=OK,
    division_head=OK,
    staff=OK,
    office_leader=OK,
    city_leader=OK,
)
# Giving one on the case (an empty form: 400): leaders and the secretaries who see the case;
# the lead unit's staff sees it but may not (403); whoever does not see it gets 404.
GIVE = expect(
    MISSING,
    anonymous=LOGIN,
    office_leader=INVALID,
    city_leader=INVALID,
    clerk=INVALID,
    division_head=INVALID,
    staff=FORBIDDEN,
)

ROWS = [
    Row("instructions:ledger", lambda w: "/instructions/", get=LEDGER_PAGE),
    Row(
        "instructions:ledger_export",
        lambda w: "/instructions/export.xlsx?supervise=yes",
        get=LEDGER_PAGE,
    ),
    # A stand-alone 批示 from a paper 呈批件: the empty form is refused as invalid.
    Row(
        "instructions:record",
        lambda w: "/instructions/new/",
        get=LEDGER_PAGE,
        unsafe=only(INVALID, *LEDGER),
    ),
    Row("instructions:detail", lambda w: f"/instructions/{_instruction(w).pk}/", get=DETAIL),
    Row(
        "instructions:give",
        lambda w: f"/instructions/cases/{w.case.pk}/give/",
        get=expect(
            MISSING,
            anonymous=LOGIN,
            office_leader=OK,
            city_leader=OK,
            clerk=OK,
            division_head=OK,
            staff=FORBIDDEN,
        ),
        unsafe=GIVE,
    ),
]
