"""The working-day calendar: readable by every signed-in user."""

from . import API, PAGE, Row

ROWS = [
    Row("workcalendar:index", lambda w: "/workcalendar/", get=PAGE),
    Row("api-workcalendar:rules", lambda w: "/api/workcalendar/rules/", get=API),
    Row(
        "api-workcalendar:add-workdays",
        lambda w: "/api/workcalendar/add-workdays/?start=2025-09-30&n=5",
        get=API,
    ),
]
