"""The working-day calendar: readable by every signed-in user; maintained (调休, 法定节假日,
工作日调整, a year's notice entered in full) by the system administrator alone."""

from datetime import date

from . import API, INVALID, OK, PAGE, POST_ONLY_ANY, Row, only

# Everyone but the system administrator is refused (403, recorded); anonymous → login.
SYSADMIN = only(OK, "system_admin")
# The empty POST of the matrix carries no form token and no fields: 400 for the system
# administrator, nothing written.
SYSADMIN_WRITE = only(INVALID, "system_admin")


def _override_pk(world) -> int:
    """An adjustment for the delete row to name (the test office has none of its own)."""
    from zhengban.workcalendar.models import CalendarOverride

    override, _created = CalendarOverride.objects.get_or_create(
        date=date(2199, 12, 31), defaults={"is_workday": True, "note": "矩阵测试"}
    )
    return override.pk


ROWS = [
    Row("workcalendar:index", lambda w: "/workcalendar/", get=PAGE),
    Row("workcalendar:manage", lambda w: "/workcalendar/manage/?year=2027", get=SYSADMIN),
    Row(
        "workcalendar:override_set",
        lambda w: "/workcalendar/manage/overrides/",
        get=POST_ONLY_ANY,
        unsafe=SYSADMIN_WRITE,
    ),
    Row(
        "workcalendar:override_delete",
        lambda w: f"/workcalendar/manage/overrides/{_override_pk(w)}/delete/",
        get=SYSADMIN,
        unsafe=SYSADMIN_WRITE,
    ),
    Row(
        "workcalendar:year_set",
        lambda w: "/workcalendar/manage/years/",
        get=POST_ONLY_ANY,
        unsafe=SYSADMIN_WRITE,
    ),
    Row("api-workcalendar:rules", lambda w: "/api/workcalendar/rules/", get=API),
    Row(
        "api-workcalendar:add-workdays",
        lambda w: "/api/workcalendar/add-workdays/?start=2025-09-30&n=5",
        get=API,
    ),
]
