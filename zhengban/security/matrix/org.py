"""The organization: structure for every signed-in user, the roster's personal data per
need-to-know (the page itself is open), imports for the system administrator."""

from . import API, FORBIDDEN, INVALID, OK, PAGE, Row, expect, only

# 人事处 and office leaders appoint; the empty body is invalid for them.
APPOINT = only(INVALID, "hr", "office_leader", anonymous=FORBIDDEN)

ROWS = [
    Row("org:chart", lambda w: "/org/", get=PAGE),
    Row("org:unit", lambda w: f"/org/units/{w.owner_unit.pk}/", get=PAGE),
    Row("org:staffing", lambda w: "/org/staffing/", get=PAGE),
    Row("org:person", lambda w: f"/org/people/{w.other_person.pk}/", get=PAGE),
    Row(
        "org:external",
        lambda w: "/org/external/",
        get=PAGE,
        unsafe=only(INVALID, "system_admin"),
    ),
    Row("org:regulation", lambda w: f"/org/regulation/{w.regulation.pk}/", get=PAGE),
    # Loading a regulation (or an amending notice) is the system administrator's; the empty
    # upload is refused as invalid.
    Row(
        "org:regulation_load",
        lambda w: "/org/regulation/load/",
        get=only(OK, "system_admin"),
        unsafe=only(INVALID, "system_admin"),
    ),
    Row("api-org:organization-list", lambda w: "/api/org/organizations/", get=API),
    Row(
        "api-org:organization-detail",
        lambda w: f"/api/org/organizations/{w.organization.pk}/",
        get=API,
    ),
    Row("api-org:unit-list", lambda w: "/api/org/units/", get=API),
    Row("api-org:unit-detail", lambda w: f"/api/org/units/{w.owner_unit.pk}/", get=API),
    Row("api-org:duty-list", lambda w: "/api/org/duties/", get=API),
    Row("api-org:duty-detail", lambda w: f"/api/org/duties/{w.duty.pk}/", get=API),
    Row("api-org:quota-list", lambda w: "/api/org/quotas/", get=API),
    Row("api-org:quota-detail", lambda w: f"/api/org/quotas/{w.quota.pk}/", get=API),
    Row("api-org:post-list", lambda w: "/api/org/posts/", get=API),
    Row("api-org:post-detail", lambda w: f"/api/org/posts/{w.post.pk}/", get=API),
    Row("api-org:person-list", lambda w: "/api/org/people/", get=API),
    Row("api-org:person-detail", lambda w: f"/api/org/people/{w.other_person.pk}/", get=API),
    Row(
        "api-org:appointment-list",
        lambda w: "/api/org/appointments/",
        get=API,
        unsafe=APPOINT,
        json=True,
    ),
    Row(
        "api-org:appointment-detail",
        lambda w: f"/api/org/appointments/{w.appointment.pk}/",
        get=API,
    ),
    Row(
        "api-org:appointment-end",
        lambda w: f"/api/org/appointments/{w.appointment.pk}/end/",
        get=expect("405", anonymous=FORBIDDEN),
        unsafe=APPOINT,
        json=True,
    ),
]
