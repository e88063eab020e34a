"""发文 and 公文交换 (zhengban/documents/outgoing_views.py), and 收文's own downloads.

The test world has no 发文: the case-bound URLs are asked with the world's 交办事项, which
is not a 发文, so everyone signed in gets 404 (those who cannot see the case, as the kernel
answers; those who can, because it is no 发文). The cells with a real 发文 — the drafting
unit, 文电处, the signing leader, another division, an external bureau, the administrators —
are asserted in `documents/tests/test_outgoing.py` (`test_permission_matrix_of_a_real_document`).
"""

from . import ADMINS, FORBIDDEN, INVALID, LOGIN, METHOD, MISSING, OK, PAGE, Row, expect

ALL_MISSING = expect(MISSING, anonymous=LOGIN)
POST_PAGE = expect(METHOD, anonymous=LOGIN)
# The import page: anyone of the office who drafts; not the 三员, not an external contact.
DRAFTERS = expect(OK, anonymous=LOGIN, external=FORBIDDEN, **dict.fromkeys(ADMINS, FORBIDDEN))
DRAFTERS_POST = expect(
    INVALID, anonymous=LOGIN, external=FORBIDDEN, **dict.fromkeys(ADMINS, FORBIDDEN)
)


def _case(w, tail):
    return f"/documents/outgoing/{w.case.pk}/{tail}"


ROWS = [
    # 收文's 处理笺 and the original's upload: the world's 交办事项 is no 收文.
    Row(
        "documents:incoming_slip",
        lambda w: f"/documents/incoming/{w.case.pk}/slip.pdf",
        get=ALL_MISSING,
    ),
    Row(
        "documents:incoming_original",
        lambda w: f"/documents/incoming/{w.case.pk}/original/",
        get=POST_PAGE,
        unsafe=ALL_MISSING,
    ),
    Row(
        "documents:outgoing_import",
        lambda w: "/documents/outgoing/import/",
        get=DRAFTERS,
        unsafe=DRAFTERS_POST,
    ),
    Row("documents:outgoing_preview", lambda w: _case(w, "preview.pdf"), get=ALL_MISSING),
    Row("documents:outgoing_check", lambda w: _case(w, "check/"), get=ALL_MISSING),
    Row(
        "documents:outgoing_reimport",
        lambda w: _case(w, "reimport/"),
        get=POST_PAGE,
        unsafe=ALL_MISSING,
    ),
    Row("documents:outgoing_file", lambda w: _case(w, "files/pdf/"), get=ALL_MISSING),
    Row("documents:outgoing_verify", lambda w: _case(w, "files/pdf/verify/"), get=ALL_MISSING),
    Row(
        "documents:receipt_remind",
        lambda w: _case(w, "receipts/999999/remind/"),
        get=POST_PAGE,
        unsafe=ALL_MISSING,
    ),
    # The 公文交换 inbox lists the receipts of one's own units (empty for the rest).
    Row("documents:exchange", lambda w: "/documents/exchange/", get=PAGE),
    Row("documents:receipt", lambda w: "/documents/exchange/999999/", get=ALL_MISSING),
    Row(
        "documents:receipt_file",
        lambda w: "/documents/exchange/999999/files/pdf/",
        get=ALL_MISSING,
    ),
    Row(
        "documents:receipt_sign",
        lambda w: "/documents/exchange/999999/sign/",
        get=POST_PAGE,
        unsafe=ALL_MISSING,
    ),
    Row(
        "documents:receipt_return",
        lambda w: "/documents/exchange/999999/return/",
        get=POST_PAGE,
        unsafe=ALL_MISSING,
    ),
]
