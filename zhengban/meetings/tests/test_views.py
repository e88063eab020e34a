"""The pages: who sees and does what (the denials of `policies.py`), bad input as 4xx, the
notice printable, the calendar and its .ics export."""

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from zhengban.cases.services import case_perform
from zhengban.meetings import ical, services
from zhengban.meetings.models import Attendance, LeaderActivity

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def perform(case, code, actor, **kwargs):
    case.refresh_from_db()
    return case_perform(case=case, action_code=code, actor=actor, version=case.version, **kwargs)


def test_scheduling_is_for_the_organising_divisions(office):
    assert client_for(office["submitter"]).get("/meetings/new/").status_code == 403
    assert client_for(office["admin"]).get("/meetings/").status_code == 403
    page = client_for(office["organiser"]).get("/meetings/new/")
    assert page.status_code == 200
    options = page.content.decode()
    assert "常务会议" in options and "市长办公会议" not in options  # only 秘书二处's types
    start = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT09:00")
    response = client_for(office["organiser"]).post(
        "/meetings/new/",
        {
            "meeting_type": office["organiser"].pk and _type("常务会议").pk,
            "session": "第12次",
            "starts_at": start,
            "venue": "市政府第一会议室",
            "chair": office["mayor"].pk,
            "attendees": [office["vice"].pk],
            "observers": [office["bureau"].pk],
        },
    )
    assert response.status_code == 302
    page = client_for(office["organiser"]).get(response["Location"])
    assert "第12次常务会议" in page.content.decode()
    # 秘书一处 may not use 秘书二处's type, even by posting its id.
    response = client_for(office["organiser1"]).post(
        "/meetings/new/",
        {"meeting_type": _type("常务会议").pk, "starts_at": start, "venue": "x"},
    )
    assert response.status_code == 200 and "meeting_type" in response.context["form"].errors


def _type(name):
    from zhengban.meetings.models import MeetingType

    return MeetingType.objects.get(name=name)


def test_the_meeting_page_is_for_those_it_concerns(office, meeting):
    url = f"/meetings/{meeting.pk}/"
    assert client_for(office["organiser"]).get(url).status_code == 200
    assert client_for(office["mayor"]).get(url).status_code == 200  # leaders see meetings
    # Before the notice the invited bureau, another division and 秘书一处 see nothing.
    for who in ("contact", "other", "organiser1", "submitter"):
        assert client_for(office[who]).get(url).status_code == 404, who
    perform(meeting.case, "issue_notice", office["organiser"])
    assert client_for(office["contact"]).get(url).status_code == 200
    assert client_for(office["other"]).get(url).status_code == 404
    # Only the organiser takes the meeting's steps and sees the confirmation table.
    page = client_for(office["contact"]).get(url).content.decode()
    assert "参会确认情况" not in page and 'data-action="hold"' not in page
    assert "参会确认情况" in client_for(office["organiser"]).get(url).content.decode()
    response = client_for(office["contact"]).post(
        f"/meetings/{meeting.pk}/actions/hold/", {"version": meeting.case.version + 1}
    )
    assert response.status_code == 302
    meeting.case.refresh_from_db()
    assert meeting.case.state == "notified"


def test_answering_the_notice_from_the_page(office, meeting):
    perform(meeting.case, "issue_notice", office["organiser"])
    row = Attendance.objects.get(meeting=meeting, unit=office["bureau"])
    url = f"/meetings/{meeting.pk}/attendance/{row.pk}/"
    # Someone else's row: refused; nonsense: a message, nothing changed.
    assert client_for(office["vice"]).post(url, {"response": "attend"}).status_code == 403
    client_for(office["contact"]).post(url, {"response": "maybe"})
    row.refresh_from_db()
    assert row.response == "pending"
    response = client_for(office["contact"]).post(
        url,
        {
            "response": "substitute",
            "substitute": "办公室主任 陈静",
            "reason": "局长出差",
            "from": "case",
        },
    )
    assert response["Location"] == f"/cases/{meeting.case_id}/"
    row.refresh_from_db()
    assert (row.response, row.substitute, row.reason) == (
        "substitute",
        "办公室主任 陈静",
        "局长出差",
    )
    table = client_for(office["organiser"]).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "办公室主任 陈静" in table
    # The kernel's case page (opened from 待办) carries the same form in the meeting's panel.
    case_page = client_for(office["vice"]).get(f"/cases/{meeting.case_id}/").content.decode()
    assert 'data-testid="meeting-panel"' in case_page and "提交回执" in case_page
    # The timeline names the meeting's own events.
    assert "参会回执" in case_page and "确定参会人员" in case_page
    assert " attendance<" not in case_page and " participants<" not in case_page


def test_the_notice_prints(office, meeting):
    services.agenda_submit(
        actor=office["submitter"],
        meeting=meeting,
        title="关于秋粮收购的议题",
        owner_unit=office["farm"],
        presenter="张处长",
    )
    from zhengban.meetings.models import AgendaItem

    item = AgendaItem.objects.get(meeting=meeting)
    perform(item.case, "accept", office["organiser"])
    page = client_for(office["organiser"]).get(f"/meetings/{meeting.pk}/notice/").content.decode()
    assert "关于召开第12次常务会议的通知" in page and "1．关于秋粮收购的议题" in page
    assert "市住房城乡建设局" in page
    # The same notice as a GB/T 9704 信函 PDF: A4, the title and the agenda in its text.
    response = client_for(office["organiser"]).get(f"/meetings/{meeting.pk}/notice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert "关于召开第12次常务会议的通知" in text and "关于秋粮收购的议题" in text
    # Nobody outside the meeting gets it.
    assert (
        client_for(office["contact"]).get(f"/meetings/{meeting.pk}/notice.pdf").status_code == 404
    )


def test_agenda_submission_pages(office, meeting):
    listing = client_for(office["submitter"]).get("/meetings/").content.decode()
    assert f"/meetings/{meeting.pk}/agenda/new/" in listing  # open for 议题
    url = f"/meetings/{meeting.pk}/agenda/new/"
    assert client_for(office["contact"]).get(url).status_code == 404  # external units: no
    response = client_for(office["submitter"]).post(
        url, {"title": "关于农村公路建设的议题", "owner_unit": office["farm"].pk}
    )
    assert response.status_code == 302
    # Another unit than one's own: refused by the form.
    response = client_for(office["submitter"]).post(
        url, {"title": "冒名议题", "owner_unit": office["secretary2"].pk}
    )
    assert response.status_code == 200 and response.context["form"].errors


def test_decisions_and_minutes_pages_refuse_others(office, meeting):
    perform(meeting.case, "issue_notice", office["organiser"])
    perform(meeting.case, "hold", office["organiser"])
    url = f"/meetings/{meeting.pk}/decisions/"
    data = {"text": "加快推进", "lead_unit": office["bureau"].pk}
    client_for(office["vice"]).post(url, data)  # a leader attending is not the organiser
    assert not meeting.decisions.exists()
    client_for(office["organiser"]).post(url, {"text": "", "lead_unit": "x"})  # bad input
    assert not meeting.decisions.exists()
    client_for(office["organiser"]).post(url, data)
    assert meeting.decisions.count() == 1
    response = client_for(office["organiser"]).post(
        f"/meetings/{meeting.pk}/minutes/", {"version": "abc", "text": "x"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == ""
    assert client_for(office["other"]).post(url, data).status_code == 404


def test_calendar_and_ics_show_only_what_the_person_may_see(office, meeting):
    start = timezone.now() + datetime.timedelta(days=1)
    services.activity_create(
        actor=office["organiser"],
        leader=office["vice"],
        title="调研老旧小区改造",
        starts_at=start,
        place="铁西区",
    )
    with pytest.raises(services.PermissionRefused):
        services.activity_create(
            actor=office["submitter"], leader=office["vice"], title="x", starts_at=start
        )
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    week = client_for(office["organiser"]).get(f"/meetings/calendar/?view=week&date={day}")
    assert "第12次常务会议" in week.content.decode()
    assert 'data-testid="activities"' in week.content.decode()  # the organiser's list
    week = client_for(office["vice"]).get(f"/meetings/calendar/?view=week&date={day}")
    assert 'data-testid="activities"' not in week.content.decode()
    # The vice mayor's own calendar: the meeting he attends and his activity.
    ics = client_for(office["vice"]).get("/meetings/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:第12次常务会议" in unfolded and "调研老旧小区改造" in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    # Someone unrelated: neither the meeting nor the leader's activity.
    other = client_for(office["other"]).get("/meetings/calendar.ics").content.decode()
    assert "VEVENT" not in other
    month = client_for(office["other"]).get("/meetings/calendar/").content.decode()
    assert "调研老旧小区改造" not in month and "第12次常务会议" not in month
    # Bad input: 400, not 500; an unknown leader: 404.
    assert client_for(office["other"]).get("/meetings/calendar/?date=2026-13-40").status_code == 400
    assert client_for(office["other"]).get("/meetings/calendar.ics?leader=abc").status_code == 400
    assert client_for(office["mayor"]).get("/meetings/calendar/?leader=999999").status_code == 404
    # Activities are deleted by the organising staff only.
    activity = LeaderActivity.objects.get()
    url = f"/meetings/activities/{activity.pk}/delete/"
    assert client_for(office["vice"]).post(url).status_code == 403
    assert client_for(office["other"]).post(url).status_code == 404
    assert client_for(office["organiser"]).post(url).status_code == 302
    assert not LeaderActivity.objects.exists()


def test_ical_escapes_and_folds():
    event = ical.Event(
        uid="meeting-1@x",
        start=datetime.datetime(2026, 3, 2, 1, 30, tzinfo=datetime.UTC),
        end=None,
        summary="议题;一,二\n三" + "长" * 40,
    )
    body = ical.calendar(
        [event], name="日程", now=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    )
    text = body.decode()
    assert "DTSTART:20260302T013000Z" in text and "DTEND:20260302T023000Z" in text
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:议题\\;一\\,二\\n三" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_meeting_types_page(office):
    page = client_for(office["submitter"]).get("/meetings/types/")
    assert page.status_code == 200 and "秘书二处" in page.content.decode()
    # A division that organises nothing may not add types.
    response = client_for(office["submitter"]).post(
        "/meetings/types/", {"name": "现场办公会", "organiser": office["farm"].pk}
    )
    assert response.status_code == 403
    response = client_for(office["organiser1"]).post(
        "/meetings/types/", {"name": "现场办公会", "organiser": office["secretary1"].pk}
    )
    assert response.status_code == 302
    assert _type("现场办公会").organiser == office["secretary1"]


def test_the_kernel_create_page_keeps_meetings_with_their_division(office):
    start = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT09:00")
    data = {
        "title": "第13次常务会议",
        "urgency": "normal",
        "sensitivity": 1,
        "owner_unit": office["farm"].pk,
        "d-meeting_type": _type("常务会议").pk,
        "d-starts_at": start,
        "d-venue": "会议室",
    }
    page = client_for(office["submitter"]).post("/cases/new/?type=meeting", data)
    # The kernel answers an invalid form with 400 and the form again, with our reason.
    assert page.status_code == 400 and "常务会议由秘书二处承办" in page.content.decode()
    from zhengban.meetings.models import Meeting

    assert not Meeting.objects.exists()


def test_lists_and_calendar_take_a_fixed_number_of_queries(office, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhengban.meetings.models import MeetingType

    kind = MeetingType.objects.get(name="常务会议")
    client = client_for(office["mayor"])
    day = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    def schedule(n):
        for i in range(n):
            services.meeting_schedule(
                actor=office["organiser"],
                meeting_type=kind,
                session=f"第{i + 1}次",
                starts_at=timezone.now() + datetime.timedelta(days=1, minutes=i),
                venue="会议室",
                chair=office["mayor"],
                observers=[office["farm"]],
            )

    def count(url):
        client.get(url)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    schedule(2)
    few = [count("/meetings/"), count(f"/meetings/calendar/?view=week&date={day}")]
    schedule(8)
    many = [count("/meetings/"), count(f"/meetings/calendar/?view=week&date={day}")]
    assert few == many, (few, many)
    print("queries (list, week calendar):", many)


def test_meeting_page_in_english(office, meeting):
    client = client_for(office["organiser"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Send the notice" in page and "Cancel the meeting" in page


def test_editing_the_arrangements_before_the_notice_only(office, meeting):
    url = f"/meetings/{meeting.pk}/edit/"
    start = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    data = {
        "meeting_type": meeting.meeting_type_id,
        "session": "第12次",
        "starts_at": start,
        "venue": "市政府第二会议室",
        "chair": office["mayor"].pk,
        "attendees": [office["vice"].pk],
        "observers": [office["farm"].pk],
        "version": meeting.case.version,
    }
    assert client_for(office["submitter"]).get(url).status_code == 404
    assert client_for(office["mayor"]).get(url).status_code == 403  # sees it, may not edit
    assert client_for(office["organiser"]).post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.venue == "市政府第二会议室"
    assert list(meeting.observers.all()) == [office["farm"]]
    # A stale version is refused, not applied.
    data["venue"] = "别处"
    page = client_for(office["organiser"]).post(url, data)
    assert page.status_code == 200 and page.context["form"].non_field_errors()
    perform(meeting.case, "issue_notice", office["organiser"])
    meeting.case.refresh_from_db()
    data["version"] = meeting.case.version
    page = client_for(office["organiser"]).post(url, data)
    assert "会议通知已发出" in page.content.decode()
    meeting.refresh_from_db()
    assert meeting.venue == "市政府第二会议室"


def test_only_leaders_attend(office):
    with pytest.raises(services.GuardFailed):
        services.meeting_schedule(
            actor=office["organiser"],
            meeting_type=_type("常务会议"),
            session="第14次",
            starts_at=timezone.now(),
            venue="会议室",
            attendees=[office["submitter"]],
        )


def test_a_decision_is_deleted_only_before_supervision(office, meeting):
    perform(meeting.case, "issue_notice", office["organiser"])
    perform(meeting.case, "hold", office["organiser"])
    decision = services.decision_add(
        actor=office["organiser"], meeting=meeting, text="研究制定方案", lead_unit=office["farm"]
    )
    url = f"/meetings/{meeting.pk}/decisions/{decision.pk}/delete/"
    client_for(office["vice"]).post(url)
    assert meeting.decisions.count() == 1
    client_for(office["organiser"]).post(url)
    assert meeting.decisions.count() == 0


def test_bad_input_is_a_4xx(office, meeting):
    client = client_for(office["organiser"])
    base = f"/meetings/{meeting.pk}"
    assert client.post(f"{base}/agenda/order/", {"order": "abc", "version": 1}).status_code == 400
    assert client.post(f"{base}/agenda/order/", {}).status_code == 400
    assert client.post(f"{base}/actions/nonsense/", {"version": 1}).status_code == 302
    assert client.get("/meetings/calendar/?view=week&date=9999-99-99").status_code == 400
    assert client.get("/meetings/abc/").status_code == 404
