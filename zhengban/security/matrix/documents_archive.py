"""The archive (zhengban/documents/archive_views.py): 归档文件目录, archived files, transfer
packages — for 文电处 (its 文书 and head) and the office's leaders only
(`documents.policies.may_open_archive`); every other signed-in subject is refused with 403
and the refusal audited.

The test world has no 文电处 (its clerk is 督查室's), so only the office leader is let in;
the world has no archive item, so the file is 404 and the package sends them back to the
register. The cells with 文电处 and real items are asserted in
`documents/tests/test_archive.py`.
"""

from . import METHOD, MISSING, OK, REDIRECT, Row, only

KEEPERS = ("office_leader",)

ROWS = [
    Row(
        "documents:archive",
        lambda w: "/documents/archive/",
        get=only(OK, *KEEPERS),
        unsafe=only(METHOD, *KEEPERS),
    ),
    Row(
        "documents:archive_file",
        lambda w: "/documents/archive/999999/file.pdf",
        get=only(MISSING, *KEEPERS),
        unsafe=only(METHOD, *KEEPERS),
    ),
    Row(
        "documents:archive_package",
        lambda w: "/documents/archive/package.zip?year=2026",
        get=only(REDIRECT, *KEEPERS),
        unsafe=only(METHOD, *KEEPERS),
    ),
]
