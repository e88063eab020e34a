"""A small office for the security suites: units, a user of every kind the permission
matrix names, a case, and a row in every API list (so limits and offsets reach the SQL).

Built through the application's services where one exists (users, roles, the case); the
structure rows are plain model rows, as the kernel's own test office makes them.
"""

from dataclasses import dataclass
from datetime import date

from zhengban.accounts.choices import Clearance, Role
from zhengban.accounts.services import user_create
from zhengban.org.choices import OrganizationKind, StaffingCategory, UnitKind
from zhengban.org.models import (
    Duty,
    LeadershipPost,
    Organization,
    Person,
    Regulation,
    StaffingQuota,
    Unit,
)
from zhengban.org.services import appointment_create
from zhengban.security.matrix import SUBJECTS  # noqa: F401  (the users dict covers them)


@dataclass
class World:
    organization: Organization
    owner_unit: Unit
    staff_unit: Unit
    hr_unit: Unit
    other_unit: Unit
    external_unit: Unit
    users: dict
    person: Person  # the clerk's roster entry
    other_person: Person  # someone else's roster entry
    regulation: Regulation
    case: object
    duty: Duty
    quota: StaffingQuota
    post: LeadershipPost
    appointment: object
    attachment: object | None = None
    assignment: object | None = None
    task: object | None = None
    target: object | None = None

    @property
    def audit_seq(self) -> int:
        from zhengban.audit.models import AuditRecord

        return AuditRecord.objects.order_by("seq").values_list("seq", flat=True).first()


def _user(name, *, roles=(), units=(), head_of=(), clearance=Clearance.INTERNAL, person=None):
    return user_create(
        username=name,
        password="x",
        display_name=name,
        roles=tuple(roles),
        units=tuple(units),
        head_of=tuple(head_of),
        clearance=clearance,
        person=person,
        validate_password=False,
    )


def build_world() -> World:
    regulation = Regulation.objects.create(
        title="测试三定", source_text="一、职责", sha256="0" * 64, parsed={}
    )
    organization = Organization.objects.create(
        name="测试市人民政府办公厅", kind=OrganizationKind.MAIN, regulation=regulation
    )

    def unit(name, order, kind=UnitKind.INTERNAL, org=organization):
        return Unit.objects.create(organization=org, name=name, kind=kind, order=order)

    owner_unit = unit("市政府督查室", 1)
    staff_unit = unit("农经处", 2)
    hr_unit = unit("人事处", 3)
    other_unit = unit("保卫处", 4)
    external_unit = unit("市教育局", 5, kind=UnitKind.EXTERNAL, org=None)
    duty = Duty.objects.create(
        organization=organization, unit=owner_unit, kind="unit", text="负责督促检查。"
    )
    quota = StaffingQuota.objects.create(
        organization=organization, category=StaffingCategory.ADMINISTRATIVE, approved=10
    )
    post = LeadershipPost.objects.create(organization=organization, title="主任", count=1)
    person = Person.objects.create(name="文书甲", staff_number="S00001", phone="024-22720001")
    other_person = Person.objects.create(name="主任乙", staff_number="S00002", phone="024-22720002")
    appointment = appointment_create(
        person=other_person,
        organization=organization,
        unit=None,
        category=StaffingCategory.ADMINISTRATIVE,
        post=post,
        position="主任",
        start=date(2020, 1, 1),
        actor=None,
    )
    users = {
        "clerk": _user("clerk", roles=[Role.CLERK], units=[owner_unit], person=person),
        "division_head": _user(
            "head", roles=[Role.DIVISION_HEAD], units=[owner_unit], head_of=[owner_unit]
        ),
        "staff": _user("staff", roles=[Role.STAFF], units=[staff_unit]),
        "office_leader": _user("leader", roles=[Role.OFFICE_LEADER]),
        "city_leader": _user("mayor", roles=[Role.CITY_LEADER]),
        "duty_officer": _user("duty", roles=[Role.DUTY_OFFICER]),
        "hr": _user("hr", roles=[Role.STAFF], units=[hr_unit]),
        "other_unit": _user("guard", roles=[Role.STAFF], units=[other_unit]),
        "external": _user("contact", roles=[Role.UNIT_CONTACT], units=[external_unit]),
        "low_clearance": _user(
            "low", roles=[Role.STAFF], units=[owner_unit], clearance=Clearance.PUBLIC
        ),
        "system_admin": _user("sysadmin", roles=[Role.SYSTEM_ADMIN]),
        "security_admin": _user("secadmin", roles=[Role.SECURITY_ADMIN]),
        "audit_admin": _user("auditadmin", roles=[Role.AUDIT_ADMIN]),
    }
    users["anonymous"] = None
    # Acted upon by the administrators' pages (password reset, unlock), so no subject's own
    # session is disturbed by another's request.
    target = _user("target", roles=[Role.STAFF], units=[other_unit])
    from zhengban.cases import services as case_services

    case = case_services.case_create(
        case_type="assigned_task",
        title="关于做好防汛工作的通知",
        body="请抓好落实。",
        owner_unit=owner_unit,
        actor=users["clerk"],
        sensitivity=Clearance.INTERNAL,
    )
    # In handling: submitted, then assigned by the division head to 农经处 as lead unit.
    case = case_services.case_perform(
        case=case, action_code="submit", actor=users["clerk"], version=case.version
    )
    case = case_services.case_perform(
        case=case,
        action_code="assign",
        actor=users["division_head"],
        version=case.version,
        params={"lead_unit": staff_unit},
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengban.cases.attachments import attachment_add

    attachment = attachment_add(
        case=case,
        actor=users["clerk"],
        uploaded_file=SimpleUploadedFile("说明.txt", "防汛说明".encode(), "text/plain"),
    )
    return World(
        organization=organization,
        owner_unit=owner_unit,
        staff_unit=staff_unit,
        hr_unit=hr_unit,
        other_unit=other_unit,
        external_unit=external_unit,
        users=users,
        person=person,
        other_person=other_person,
        regulation=regulation,
        case=case,
        duty=duty,
        quota=quota,
        post=post,
        appointment=appointment,
        attachment=attachment,
        assignment=case.assignments.get(role="lead"),
        task=case.tasks.order_by("pk").first(),
        target=target,
    )
