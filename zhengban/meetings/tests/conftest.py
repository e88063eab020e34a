import pytest

from zhengban.accounts.choices import Role
from zhengban.org.choices import UnitKind
from zhengban.org.models import Unit
from zhengban.org.tests.factories import load_sample, make_user


@pytest.fixture
def office(db):
    """The sample office with its meeting types, 秘书二处 staff, a submitting division, two
    city leaders, an external bureau with a contact, and someone unrelated."""
    from zhengban.meetings.services import meeting_types_setup

    organization = load_sample()
    meeting_types_setup(organization=organization)

    def unit(name):
        return Unit.objects.get(organization=organization, name=name, active=True)

    secretary2 = unit("秘书二处")
    secretary1 = unit("秘书一处")
    farm = unit("农经处")
    guard = unit("保卫处") if Unit.objects.filter(name="保卫处").exists() else unit("人事处")
    bureau = Unit.objects.create(name="市住房城乡建设局", kind=UnitKind.EXTERNAL, order=900)
    return {
        "organization": organization,
        "secretary2": secretary2,
        "secretary1": secretary1,
        "farm": farm,
        "bureau": bureau,
        "organiser": make_user(Role.STAFF, username="mishu2", units=[secretary2]),
        "organiser1": make_user(Role.STAFF, username="mishu1", units=[secretary1]),
        "submitter": make_user(Role.STAFF, username="nongjing", units=[farm]),
        "mayor": make_user(Role.CITY_LEADER, username="shizhang"),
        "vice": make_user(Role.CITY_LEADER, username="fushizhang"),
        "contact": make_user(Role.UNIT_CONTACT, username="zhujian", units=[bureau]),
        "other": make_user(Role.STAFF, username="other", units=[guard]),
        "admin": make_user(Role.SYSTEM_ADMIN, username="sysadmin"),
    }


@pytest.fixture
def meeting(office):
    import datetime

    from django.utils import timezone

    from zhengban.meetings.models import MeetingType
    from zhengban.meetings.services import meeting_schedule

    kind = MeetingType.objects.get(name="常务会议")
    return meeting_schedule(
        actor=office["organiser"],
        meeting_type=kind,
        session="第12次",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        venue="市政府第一会议室",
        chair=office["mayor"],
        attendees=[office["vice"]],
        observers=[office["farm"], office["bureau"]],
    )
