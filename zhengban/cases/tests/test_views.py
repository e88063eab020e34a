"""The case pages: the permission matrix of every page and form, the inbox (tabs, filters,
colours, bounded queries), the case page and its forms, creating, workflow diagrams,
delegations, notifications and search."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengban.accounts.choices import Clearance
from zhengban.audit.models import AuditRecord
from zhengban.cases import assignments, comments, selectors, services
from zhengban.cases.choices import AssignmentStatus
from zhengban.cases.models import (
    Assignment,
    Case,
    CaseEvent,
    Comment,
    Delegation,
    Notification,
    Task,
)

from .test_kernel import new_case, perform, to_handling

# --- helpers ---------------------------------------------------------------------------------


def login(client, user):
    client.force_login(user)
    return client


def snapshot():
    """Everything a refused request must leave as it was."""
    return {
        "cases": list(Case.objects.order_by("pk").values()),
        "events": CaseEvent.objects.count(),
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "tasks": list(Task.objects.order_by("pk").values()),
        "comments": Comment.objects.count(),
        "delegations": list(Delegation.objects.order_by("pk").values()),
    }


def message_texts(response) -> list[str]:
    """The messages this request added (not older ones still waiting in the session)."""
    return [str(m) for m in response.wsgi_request._messages._queued_messages]


def circulated(office, case, users):
    case.refresh_from_db()
    services.case_circulate(case=case, actor=office.head, version=case.version, users=users)
    case.refresh_from_db()
    return case


BELL = "zhengban.cases.context_processors.notifications"


@pytest.fixture(autouse=True)
def bell(settings):
    """The bell's context processor, as settings will list it."""
    templates = [dict(t) for t in settings.TEMPLATES]
    processors = templates[0]["OPTIONS"]["context_processors"]
    if BELL not in processors:
        templates[0]["OPTIONS"] = {
            **templates[0]["OPTIONS"],
            "context_processors": [*processors, BELL],
        }
        settings.TEMPLATES = templates


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    return settings.PRIVATE_STORAGE_DIR


def text_file(name="情况报告.txt", text="已落实。"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def make_handling(office):
    """A 交办事项 in 办理中: 农经处 leads, 文教处 co-handles, 文教处's teacher has a 传阅,
    and the lead unit has attached a report."""
    from zhengban.cases.attachments import attachment_add

    case = to_handling(office)
    attachment_add(case=case, actor=office.farmer, uploaded_file=text_file())
    return circulated(office, case, [office.teacher])


@pytest.fixture
def handling(office):
    return make_handling(office)


# --- the permission matrix -------------------------------------------------------------------


def _lead(case):
    return case.assignments.get(role="lead")


# (name, method, url builder, form data builder) for every page and form of one case.
CASE_ENDPOINTS = [
    ("detail", "get", lambda c: reverse("cases:detail", args=[c.pk]), None),
    (
        "perform",
        "post",
        lambda c: reverse("cases:perform", args=[c.pk, "extend"]),
        lambda c: {"version": c.version, "comment": "工作量大"},
    ),
    (
        "perform-kernel",
        "post",
        lambda c: reverse("cases:perform", args=[c.pk, "transfer"]),
        lambda c: {"version": c.version, "to_user": c.creator_id, "comment": "转"},
    ),
    (
        "opinion",
        "post",
        lambda c: reverse("cases:task_opinion", args=[c.pk, _circulation(c).pk]),
        lambda c: {f"t{_circulation(c).pk}-opinion": "read", f"t{_circulation(c).pk}-text": ""},
    ),
    (
        "assignment",
        "post",
        lambda c: reverse("cases:assignment", args=[c.pk, _lead(c).pk, "report"]),
        lambda c: {f"a{_lead(c).pk}report-report": "已办"},
    ),
    (
        "comment",
        "post",
        lambda c: reverse("cases:comment_add", args=[c.pk]),
        lambda c: {"token": "t1", "text": "越权评论"},
    ),
    (
        "attachment-add",
        "post",
        lambda c: reverse("cases:attachment_add", args=[c.pk]),
        lambda c: {"token": "t2", "file": text_file("越权.txt")},
    ),
    (
        "attachment-download",
        "get",
        lambda c: reverse("cases:attachment_download", args=[c.pk, c.attachments.get().pk]),
        None,
    ),
]


@pytest.mark.parametrize("who", ["outsider", "low", "sysadmin"])
@pytest.mark.parametrize("name,method,url,data", CASE_ENDPOINTS, ids=[e[0] for e in CASE_ENDPOINTS])
def test_users_without_access_get_404_and_change_nothing(
    client, office, handling, who, name, method, url, data
):
    login(client, getattr(office, who))
    before = snapshot()
    target = url(handling)
    payload = data(handling) if data else None
    response = (
        getattr(client, method)(target, payload) if payload else getattr(client, method)(target)
    )
    assert response.status_code == 404
    assert handling.title.encode() not in response.content
    assert snapshot() == before


@pytest.mark.parametrize("name,method,url,data", CASE_ENDPOINTS, ids=[e[0] for e in CASE_ENDPOINTS])
def test_anonymous_is_sent_to_login_and_changes_nothing(
    client, office, handling, name, method, url, data
):
    before = snapshot()
    target = url(handling)
    payload = data(handling) if data else None
    response = (
        getattr(client, method)(target, payload) if payload else getattr(client, method)(target)
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert snapshot() == before


def test_missing_case_is_the_same_404(client, office):
    login(client, office.leader)
    assert client.get(reverse("cases:detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "cases:inbox",
        "cases:create",
        "cases:search",
        "cases:types",
        "cases:delegations",
        "cases:notifications",
    ],
)
def test_every_page_needs_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["outsider", "low", "sysadmin"])
def test_lists_and_search_do_not_show_invisible_cases(client, office, handling, who):
    login(client, getattr(office, who))
    for url in [reverse("cases:inbox") + f"?tab={tab}" for tab in selectors.INBOX_TABS] + [
        reverse("cases:search") + "?q=饮水",
        reverse("api-cases:list"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert handling.number.encode() not in response.content, url


def test_system_administrator_cannot_create(client, office):
    login(client, office.sysadmin)
    assert client.get(reverse("cases:create") + "?type=assigned_task").status_code == 403
    before = snapshot()
    response = client.post(
        reverse("cases:create") + "?type=assigned_task",
        {"title": "t", "urgency": "normal", "sensitivity": 0, "owner_unit": office.duchashi.pk},
    )
    assert response.status_code == 403
    assert snapshot() == before


# --- inbox -----------------------------------------------------------------------------------


def _circulation(case):
    return case.tasks.get(kind="circulate")


def rows(response) -> list[str]:
    """Case numbers of the inbox table, in order."""
    return re.findall(
        r'<tr class="[^"]*" data-case="\d+">\s*<td class="nowrap">([^<]+)<',
        (response.content.decode()),
    )


def test_todo_holds_what_each_person_must_do_and_toread_what_to_read(client, office, handling):
    draft = new_case(office, title="起草中的事项")
    login(client, office.clerk)
    # The drafter's 待办 holds her draft, not the case now waiting at the units.
    assert rows(client.get(reverse("cases:inbox"))) == [draft.number]
    assert rows(client.get(reverse("cases:inbox") + "?tab=mine_created")) == [
        draft.number,
        handling.number,
    ]
    assert rows(client.get(reverse("cases:inbox") + "?tab=done")) == [handling.number]
    login(client, office.teacher)
    # 文教处 (co-unit) has its part to do, and a 传阅 to read.
    response = client.get(reverse("cases:inbox"))
    assert rows(response) == [handling.number]
    assert "我的待办：承办" in response.content.decode()
    assert rows(client.get(reverse("cases:inbox") + "?tab=toread")) == [handling.number]
    client.get(reverse("cases:detail", args=[handling.pk]))  # reading it is the receipt
    assert rows(client.get(reverse("cases:inbox") + "?tab=toread")) == []
    assert rows(client.get(reverse("cases:inbox") + "?tab=read")) == [handling.number]


def test_unit_inbox_holds_owned_and_assigned_open_cases(client, office, handling):
    other = new_case(office, title="督查室自办事项")
    login(client, office.farmer)
    assert rows(client.get(reverse("cases:inbox") + "?tab=unit")) == [handling.number]
    login(client, office.clerk)
    assert set(rows(client.get(reverse("cases:inbox") + "?tab=unit"))) == {
        handling.number,
        other.number,
    }
    # A returned assignment is no longer the unit's work.
    assignments.assignment_return(
        assignment=_lead(handling), actor=office.farmer, reason="非本处职责"
    )
    login(client, office.farmer)
    assert rows(client.get(reverse("cases:inbox") + "?tab=unit")) == []


def set_due(case, due):
    Case.objects.filter(pk=case.pk).update(due_date=due)


def test_overdue_red_due_soon_amber_and_their_tabs(client, office):
    from zhengban.workcalendar.calendar import add_workdays

    today = timezone.localdate()
    late = new_case(office, title="逾期事项")
    soon = new_case(office, title="临期事项")
    later = new_case(office, title="远期事项")
    set_due(late, today - datetime.timedelta(days=1))
    set_due(soon, add_workdays(today, 2).date)
    set_due(later, add_workdays(today, 10).date)
    login(client, office.clerk)
    html = client.get(reverse("cases:inbox")).content.decode()
    assert re.search(rf'<tr class="overdue" data-case="{late.pk}"', html)
    assert re.search(rf'<tr class="due-soon" data-case="{soon.pk}"', html)
    assert re.search(rf'<tr class="" data-case="{later.pk}"', html)
    assert rows(client.get(reverse("cases:inbox") + "?tab=overdue")) == [late.number]
    # 本周到期: due Monday to Sunday of this week (an overdue one of this week included).
    monday = today - datetime.timedelta(days=today.weekday())
    sunday = monday + datetime.timedelta(days=6)
    set_due(later, sunday)
    set_due(soon, sunday + datetime.timedelta(days=1))
    set_due(late, monday - datetime.timedelta(days=1))
    assert rows(client.get(reverse("cases:inbox") + "?tab=week")) == [later.number]


def test_a_closed_case_leaves_nobody_anything_to_do(client, office):
    case = to_handling(office, co_units=False)
    services.case_circulate(
        case=case, actor=office.head, version=case.version, users=[office.deputy]
    )
    perform(case, "complete", office.farmer, params={"report": "已办结"})
    perform(case, "confirm", office.head)
    assert not Task.objects.filter(case=case, state="open").exists()
    for user in (office.clerk, office.head, office.farmer, office.deputy):
        login(client, user)
        assert rows(client.get(reverse("cases:inbox"))) == [], user
    login(client, office.farmer)
    assert rows(client.get(reverse("cases:inbox") + "?tab=done")) == [case.number]
    # The drafter and the owner's head are told it is closed.
    assert Notification.objects.filter(recipient=office.clerk, case=case, kind="closed").exists()


def test_urgency_and_sensitivity_badges(client, office):
    new_case(office, title="特急件", urgency="extra_urgent")
    new_case(office, title="加急件", urgency="urgent", sensitivity=Clearance.PUBLIC)
    login(client, office.clerk)
    html = client.get(reverse("cases:inbox")).content.decode()
    assert '<span class="badge red">特急</span>' in html
    assert '<span class="badge amber">加急</span>' in html
    assert ">内部</span>" in html


def test_filters(client, office, handling):
    urgent = new_case(office, title="防汛物资调拨", urgency="urgent")
    public = new_case(office, title="公开事项", sensitivity=Clearance.PUBLIC)
    login(client, office.clerk)
    base = reverse("cases:inbox") + "?tab=unit&"
    assert rows(client.get(base + "urgency=urgent")) == [urgent.number]
    assert rows(client.get(base + "state=handling")) == [handling.number]
    assert rows(client.get(base + "sensitivity=0")) == [public.number]
    assert rows(client.get(base + "case_type=assigned_task&q=防汛")) == [urgent.number]
    unknown = client.get(base + "case_type=nothing&urgency=urgent")
    assert "case_type" in unknown.context["form"].errors
    assert rows(unknown) == [urgent.number]  # the valid filters still apply
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert rows(client.get(base + f"created_from={tomorrow}")) == []
    assert len(rows(client.get(base + f"created_to={tomorrow}"))) == 3
    set_due(urgent, tomorrow)
    assert rows(client.get(base + f"due_from={tomorrow}&due_to={tomorrow}")) == [urgent.number]
    # Unit filter: cases owned by or assigned to the unit (only the user's units are offered).
    assert rows(client.get(base + f"unit={office.duchashi.pk}&state=handling")) == [handling.number]
    # Only the user's own units are offered.
    assert "unit" in client.get(base + f"unit={office.nongjing.pk}").context["form"].errors


def test_sorting(client, office):
    today = timezone.localdate()
    a = new_case(office, title="甲")
    b = new_case(office, title="乙", urgency="extra_urgent")
    c = new_case(office, title="丙", urgency="urgent")
    set_due(a, today + datetime.timedelta(days=30))
    set_due(b, today + datetime.timedelta(days=60))
    set_due(c, today + datetime.timedelta(days=10))
    login(client, office.clerk)
    url = reverse("cases:inbox") + "?sort="
    assert rows(client.get(url + "due")) == [c.number, a.number, b.number]
    assert rows(client.get(url + "urgency")) == [b.number, c.number, a.number]
    assert rows(client.get(url + "created")) == [a.number, b.number, c.number]
    assert rows(client.get(url + "-created")) == [c.number, b.number, a.number]


def make_cases(office, n, start=0):
    """n cases in 办理中 led by 农经处, each with a 传阅 task for the farmer."""
    made = []
    for i in range(n):
        case = new_case(office, title=f"第{start + i}号督办事项")
        perform(case, "submit", office.clerk)
        perform(
            case,
            "assign",
            office.head,
            params={"lead_unit": office.nongjing, "co_units": [office.wenjiao]},
        )
        made.append(circulated(office, case, [office.farmer]))
    return made


def count_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


# Session, user, memberships, led units, unit filter, roles, delegations, the sort keys (up
# to the count's cap: count and page), the page's rows with their lead units and task kinds,
# bell, and the session save (idle timeout) in a savepoint.
INBOX_QUERIES = 12


@pytest.mark.parametrize("tab", ["todo", "unit", "overdue"])
def test_inbox_queries_do_not_grow_with_the_data(client, office, tab, django_assert_num_queries):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_cases(office, 5)
    Case.objects.update(due_date=yesterday)
    login(client, office.farmer)
    url = reverse("cases:inbox") + f"?tab={tab}&sort=urgency"
    client.get(url)  # warm the calendar and jieba caches
    small, _sql = count_queries(client, url)
    make_cases(office, 45, start=5)
    Case.objects.update(due_date=yesterday)
    large, sql = count_queries(client, url)
    assert small == large, "\n".join(sql)
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(url)
    assert len(rows(response)) == 25  # one page of 50


def test_pagination(client, office):
    made = make_cases(office, 27)
    login(client, office.farmer)
    first = client.get(reverse("cases:inbox") + "?tab=unit&sort=created")
    second = client.get(reverse("cases:inbox") + "?tab=unit&sort=created&page=2")
    assert rows(first) == [c.number for c in made[:25]]
    assert rows(second) == [c.number for c in made[25:]]
    assert "tab=unit&amp;sort=created&amp;page=2" in first.content.decode()


# --- the case page ---------------------------------------------------------------------------


def test_case_page_header_deadline_and_basis(client, office, handling):
    login(client, office.farmer)
    html = client.get(reverse("cases:detail", args=[handling.pk])).content.decode()
    assert handling.number in html and handling.title in html
    assert "办理中" in html and "市政府督查室" in html
    assert handling.due_date.strftime("%Y-%m-%d") in html
    assert "党政机关公文处理工作条例" in html  # the legal basis of the due date
    assert 'data-testid="paused"' not in html


def test_case_page_shows_a_pause_and_its_reason(client, office, handling):
    perform(handling, "pause", office.head, params={"reason": "third_party"}, comment="征求意见")
    login(client, office.farmer)
    html = client.get(reverse("cases:detail", args=[handling.pk])).content.decode()
    assert 'data-testid="paused"' in html
    assert re.search(r'data-testid="pause-reason">[^<]*征求第三方意见：征求意见', html)


def test_case_page_shows_a_provisional_due_date(client, office, handling):
    Case.objects.filter(pk=handling.pk).update(due_provisional=True)
    login(client, office.farmer)
    html = client.get(reverse("cases:detail", args=[handling.pk])).content.decode()
    assert "为暂定期限" in html


def test_opening_the_page_marks_my_circulation_read_and_audits_the_read(client, office, handling):
    task = handling.tasks.get(assignee=office.teacher)
    login(client, office.farmer)
    client.get(reverse("cases:detail", args=[handling.pk]))
    task.refresh_from_db()
    assert task.read_at is None  # someone else's task
    login(client, office.teacher)
    client.get(reverse("cases:detail", args=[handling.pk]))
    task.refresh_from_db()
    assert task.read_at is not None
    reads = AuditRecord.objects.filter(action="audit.read", object_id=str(handling.pk))
    assert set(reads.values_list("actor__username", flat=True)) == {"farmer", "teacher"}


def test_reading_a_public_case_is_not_audited(client, office):
    case = new_case(office, sensitivity=Clearance.PUBLIC)
    login(client, office.clerk)
    client.get(reverse("cases:detail", args=[case.pk]))
    assert not AuditRecord.objects.filter(action="audit.read").exists()


def action_codes(response) -> set[str]:
    return set(
        re.findall(
            r'data-action="([\w.]+)"', response.content.decode().split('data-testid="actions"')[1]
        )
    )


def test_actions_are_offered_only_to_those_allowed(client, office):
    case = new_case(office)
    login(client, office.clerk)
    offered = action_codes(client.get(reverse("cases:detail", args=[case.pk])))
    assert {"submit", "consult", "transfer", "circulate"} <= offered
    assert "assign" not in offered and "cancel" not in offered
    perform(case, "submit", office.clerk)
    login(client, office.head)
    offered = action_codes(client.get(reverse("cases:detail", args=[case.pk])))
    assert {"assign", "send_back", "countersign", "cancel"} <= offered
    assert "submit" not in offered
    login(client, office.clerk)
    offered = action_codes(client.get(reverse("cases:detail", args=[case.pk])))
    assert "withdraw" in offered and "assign" not in offered


def test_failing_guards_disable_the_button_with_the_reason(client, office, handling):
    login(client, office.farmer)
    url = reverse("cases:detail", args=[handling.pk])
    html = client.get(url).content.decode()
    form = re.search(r'data-action="complete"[^>]*>(.*?)</form>', html, re.S).group(1)
    assert '<button type="submit" disabled' in form
    assert "暂不能提请办结：协办单位尚未全部反馈" in html
    assignments.assignment_waive(
        assignment=handling.assignments.get(role="co"), actor=office.leader, reason="无需"
    )
    html = client.get(url).content.decode()
    assert "暂不能提请办结" not in html
    form = re.search(r'data-action="complete"[^>]*>(.*?)</form>', html, re.S).group(1)
    assert "disabled" not in form


def test_clock_actions_follow_the_clock(client, office, handling):
    login(client, office.leader)
    url = reverse("cases:detail", args=[handling.pk])
    offered = action_codes(client.get(url))
    assert {"pause", "extend"} <= offered and "resume" not in offered
    perform(handling, "pause", office.head, params={"reason": "third_party"}, comment="征求意见")
    offered = action_codes(client.get(url))
    assert "resume" in offered and "pause" not in offered
    perform(handling, "resume", office.head)
    perform(handling, "extend", office.leader, comment="工作量大")
    assert "extend" not in action_codes(client.get(url))  # extendable once


def test_assignment_forms_are_shown_only_to_those_allowed(client, office, handling):
    lead, co = _lead(handling), handling.assignments.get(role="co")

    def verbs(user):
        login(client, user)
        html = client.get(reverse("cases:detail", args=[handling.pk])).content.decode()
        # Each offered form is folded: it loads when opened (?form=a<assignment>-<verb>).
        return set(re.findall(r"\?form=a(\d+)-(\w+)#", html))

    # A unit reports, asks for more time or sends its part back; the owner 催办, 代录 for a
    # unit without accounts, and 改派; only a co-unit's report can be waived (免除反馈).
    unit_verbs = {"report", "extend", "return"}
    owner_verbs = {"record", "urge", "reassign"}
    assert verbs(office.farmer) == {(str(lead.pk), v) for v in unit_verbs}
    assert verbs(office.teacher) == {(str(co.pk), v) for v in unit_verbs}
    assert verbs(office.head) == {(str(a.pk), v) for a in (lead, co) for v in owner_verbs} | {
        (str(co.pk), "waive")
    }
    assert verbs(office.clerk) == {(str(a.pk), v) for a in (lead, co) for v in owner_verbs}


def test_assign_through_the_page_with_lead_and_co_units(client, office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    case.refresh_from_db()
    login(client, office.head)
    response = client.post(
        reverse("cases:perform", args=[case.pk, "assign"]),
        {
            "version": case.version,
            "lead_unit": office.nongjing.pk,
            "co_units": [office.wenjiao.pk, office.education.pk],
            "instructions": "请于两周内反馈",
        },
    )
    assert response.status_code == 302
    assert message_texts(response) == ["已交办。"]
    assert dict(case.assignments.values_list("unit__name", "role")) == {
        "农经处": "lead",
        "文教处": "co",
        "市教育局": "co",
    }
    case.refresh_from_db()
    assert case.state == "handling"


def test_version_conflict_through_the_page_changes_nothing(client, office):
    case = new_case(office)
    login(client, office.clerk)
    url = reverse("cases:perform", args=[case.pk, "submit"])
    first = client.post(url, {"version": case.version})
    assert message_texts(first) == ["已提交审核。"]
    before = snapshot()
    second = client.post(url, {"version": case.version})  # the same form again
    assert "该事项已被他人处理（版本已变化）" in message_texts(second)[0]
    assert snapshot() == before
    # A stale form of another action is refused just the same.
    login(client, office.head)
    stale = client.post(
        reverse("cases:perform", args=[case.pk, "send_back"]),
        {"version": case.version, "comment": "重写"},
    )
    assert "版本已变化" in message_texts(stale)[0]
    assert snapshot() == before


def test_guard_and_permission_messages_come_back(client, office):
    case = new_case(office, body="")
    login(client, office.clerk)
    response = client.post(
        reverse("cases:perform", args=[case.pk, "submit"]), {"version": case.version}
    )
    assert message_texts(response) == ["请先填写：标题、事项内容。"]
    response = client.post(
        reverse("cases:perform", args=[case.pk, "confirm"]), {"version": case.version}
    )
    assert "不能执行“确认办结”" in message_texts(response)[0]
    response = client.post(
        reverse("cases:perform", args=[case.pk, "nonsense"]), {"version": case.version}
    )
    assert "未知操作" in message_texts(response)[0]
    case.refresh_from_db()
    assert case.state == "draft"


def test_staff_cannot_take_a_head_action_through_the_page(client, office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    case.refresh_from_db()
    before = snapshot()
    login(client, office.clerk)
    response = client.post(
        reverse("cases:perform", args=[case.pk, "assign"]),
        {"version": case.version, "lead_unit": office.nongjing.pk},
    )
    assert "无权" in message_texts(response)[0]
    assert snapshot() == before


def test_countersign_round_and_opinion_form(client, office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    case.refresh_from_db()
    login(client, office.head)
    client.post(
        reverse("cases:perform", args=[case.pk, "countersign"]),
        {"version": case.version, "users": [office.leader.pk, office.deputy.pk]},
    )
    task = Task.objects.get(case=case, assignee=office.leader)
    login(client, office.leader)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "会签（全部同意，一票否决）：进行中" in html
    assert "同意 0 人，不同意 0 人，待签 2 人" in html
    assert 'value="read"' not in html.split('data-testid="my-task"')[1].split("</form>")[0]
    url = reverse("cases:task_opinion", args=[case.pk, task.pk])
    response = client.post(url, {f"t{task.pk}-opinion": "agree", f"t{task.pk}-text": "同意"})
    assert message_texts(response) == ["意见已提交。"]
    again = client.post(url, {f"t{task.pk}-opinion": "agree", f"t{task.pk}-text": "同意"})
    assert "无需重复提交" in message_texts(again)[0]
    assert CaseEvent.objects.filter(case=case, action="task.countersign").count() == 1
    login(client, office.deputy)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "同意 1 人，不同意 0 人，待签 1 人" in html


def test_assignment_report_return_waive_and_reassign_through_the_page(client, office, handling):
    lead, co = _lead(handling), handling.assignments.get(role="co")
    login(client, office.farmer)
    url = reverse("cases:assignment", args=[handling.pk, lead.pk, "report"])
    response = client.post(url, {f"a{lead.pk}report-report": "已部署落实"})
    assert message_texts(response) == ["已反馈办理情况。"]
    again = client.post(url, {f"a{lead.pk}report-report": "再报一次"})
    assert "无需重复提交" in message_texts(again)[0]
    lead.refresh_from_db()
    assert (lead.status, lead.report) == (AssignmentStatus.REPORTED, "已部署落实")
    # The farmer may not waive the co-unit; a leader may.
    before = snapshot()
    waive = reverse("cases:assignment", args=[handling.pk, co.pk, "waive"])
    response = client.post(waive, {f"a{co.pk}waive-reason": "不需要"})
    assert "无权" in message_texts(response)[0]
    assert snapshot() == before
    login(client, office.leader)
    client.post(waive, {f"a{co.pk}waive-reason": "文教处无相关任务"})
    co.refresh_from_db()
    assert co.status == AssignmentStatus.WAIVED
    # 改派 by the owner unit's head.
    other = to_handling(office, co_units=False)
    other_lead = _lead(other)
    login(client, office.farmer)
    client.post(
        reverse("cases:assignment", args=[other.pk, other_lead.pk, "return"]),
        {f"a{other_lead.pk}return-reason": "不属本处职责"},
    )
    login(client, office.head)
    client.post(
        reverse("cases:assignment", args=[other.pk, other_lead.pk, "reassign"]),
        {
            f"a{other_lead.pk}reassign-unit": office.education.pk,
            f"a{other_lead.pk}reassign-reason": "属教育局职责",
        },
    )
    assert dict(other.assignments.values_list("unit__name", "status")) == {
        "农经处": AssignmentStatus.REASSIGNED,
        "市教育局": AssignmentStatus.OPEN,
    }


def test_unknown_assignment_verb_is_404(client, office, handling):
    login(client, office.farmer)
    url = reverse("cases:assignment", args=[handling.pk, _lead(handling).pk, "delete"])
    assert client.post(url, {}).status_code == 404


def test_assignment_of_another_case_is_404(client, office, handling):
    other = to_handling(office)
    login(client, office.farmer)
    url = reverse("cases:assignment", args=[handling.pk, _lead(other).pk, "report"])
    assert client.post(url, {f"a{_lead(other).pk}report-report": "x"}).status_code == 404


def test_timeline_shows_x_on_behalf_of_y(client, office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=office.head, delegate=office.outsider, start=today, end=today, reason="出差"
    )
    outsider = type(office.outsider).objects.get(pk=office.outsider.pk)
    login(client, outsider)
    case.refresh_from_db()
    response = client.post(
        reverse("cases:perform", args=[case.pk, "send_back"]),
        {"version": case.version, "comment": "代为退回"},
    )
    assert message_texts(response) == ["已退回修改。"]
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    timeline = html.split('data-testid="timeline"')[1]
    assert re.search(r"<strong>outsider</strong>\s*<span class=\"badge\">代 head</span>", timeline)
    assert "退回修改" in timeline and "代为退回" in timeline


def test_kernel_actions_circulate_consult_transfer_withdraw(client, office):
    case = new_case(office)
    login(client, office.clerk)
    url = lambda code: reverse("cases:perform", args=[case.pk, code])  # noqa: E731
    client.post(url("circulate"), {"version": case.version, "users": [office.farmer.pk]})
    case.refresh_from_db()
    assert _circulation(case).assignee == office.farmer
    response = client.post(
        url("transfer"), {"version": case.version, "to_user": office.head.pk, "comment": "请阅处"}
    )
    assert message_texts(response) == ["已转办。"]
    case.refresh_from_db()
    assert case.assignee == office.head
    response = client.post(url("withdraw"), {"version": case.version})
    assert message_texts(response) == ["已撤回。"]
    case.refresh_from_db()
    assert case.assignee == office.clerk
    response = client.post(url("consult"), {"version": case.version, "users": [], "comment": ""})
    assert "征求意见人" in message_texts(response)[0]


def test_people_pickers_list_those_near_the_case_and_accept_others_by_id(client, office):
    case = new_case(office)
    login(client, office.clerk)
    # The 传阅 form is folded on the page and loads when opened.
    url = reverse("cases:detail", args=[case.pk]) + "?form=circulate"
    circulate = client.get(url, headers={"HX-Request": "true"}).content.decode()
    listed = set(re.findall(r'name="users" value="(\d+)"', circulate))
    # 督查室 people cleared for a 内部 case, and the leaders; not the 三员, not the low
    # clearance, not other divisions.
    expected = {office.clerk, office.head, office.leader, office.deputy, office.deputy2}
    assert listed == {str(u.pk) for u in expected}
    response = client.post(
        reverse("cases:perform", args=[case.pk, "circulate"]),
        {"version": case.version, "users": [office.outsider.pk]},
    )
    assert message_texts(response) == ["已传阅。"]
    assert _circulation(case).assignee == office.outsider
    for refused in (office.low, office.sysadmin):
        case.refresh_from_db()
        response = client.post(
            reverse("cases:perform", args=[case.pk, "circulate"]),
            {"version": case.version, "users": [refused.pk]},
        )
        assert message_texts(response)[0].startswith("传阅人：")
    assert case.tasks.filter(kind="circulate").count() == 1


def once(user, purpose: str) -> dict:
    """The one-time token a rendered form carries (zhengban.security.formtokens)."""
    from zhengban.security.formtokens import FIELD, form_token_issue

    return {FIELD: form_token_issue(user=user, purpose=purpose)}


def test_comment_double_submit_is_harmless(client, office, handling):
    login(client, office.farmer)
    url = reverse("cases:comment_add", args=[handling.pk])
    token = once(office.farmer, f"cases.comment:{handling.pk}")
    client.post(url, {**token, "text": "请尽快落实"})
    response = client.post(url, {**token, "text": "请尽快落实"})
    assert message_texts(response) == ["该表单已提交过，请勿重复提交。"]
    assert list(handling.comments.values_list("text", flat=True)) == ["请尽快落实"]
    assert "已失效" in message_texts(client.post(url, {"text": "没有令牌"}))[0]
    client.post(url, {**once(office.farmer, f"cases.comment:{handling.pk}"), "text": "第二条"})
    assert handling.comments.count() == 2
    html = client.get(reverse("cases:detail", args=[handling.pk])).content.decode()
    assert "请尽快落实" in html and "第二条" in html


def test_comment_on_a_classified_register_is_refused(client, office, settings):
    settings.CLASSIFIED_SYSTEM_LEVEL = 0
    case = new_case(office, actor=office.leader, sensitivity=Clearance.SECRET, body="")
    login(client, office.leader)
    response = client.post(
        reverse("cases:comment_add", args=[case.pk]),
        {**once(office.leader, f"cases.comment:{case.pk}"), "text": "正文内容"},
    )
    assert "保守国家秘密法" in message_texts(response)[0]
    assert case.comments.count() == 0


# --- attachments (attachments.py is written by another engineer) --------------------------------


def test_upload_and_download_through_the_page(client, office, handling, storage):
    login(client, office.teacher)
    url = reverse("cases:attachment_add", args=[handling.pk])
    upload = text_file("协办意见.txt", "文教处无意见。")
    token = once(office.teacher, f"cases.attachment:{handling.pk}")
    response = client.post(url, {**token, "file": upload})
    assert message_texts(response) == ["附件已上传。"]
    # The same form submitted twice stores one file.
    client.post(url, {**token, "file": text_file("协办意见.txt", "文教处无意见。")})
    attachment = handling.attachments.get(original_name="协办意见.txt")
    html = client.get(reverse("cases:detail", args=[handling.pk])).content.decode()
    download = reverse("cases:attachment_download", args=[handling.pk, attachment.pk])
    assert f'href="{download}"' in html
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == "文教处无意见。".encode()
    assert AuditRecord.objects.filter(action="cases.download", actor=office.teacher).exists()


def test_disguised_upload_is_refused_with_its_reason(client, office, handling, storage):
    login(client, office.farmer)
    fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("cases:attachment_add", args=[handling.pk]),
        {**once(office.farmer, f"cases.attachment:{handling.pk}"), "file": fake},
    )
    assert message_texts(response) and "附件已上传。" not in message_texts(response)
    assert handling.attachments.count() == 1


# --- creating --------------------------------------------------------------------------------


def sensitivity_options(response) -> list[str]:
    html = response.content.decode()
    select = html.split('name="sensitivity"')[1].split("</select>")[0]
    return re.findall(r'<option value="(\d)"', select)


def test_create_form_limits_sensitivity_and_units(client, office, settings):
    settings.CLASSIFIED_SYSTEM_LEVEL = 0
    url = reverse("cases:create") + "?type=assigned_task"
    # 密级 offers 无 (内部 for office staff, 公开 for those cleared only for it), never 公开.
    login(client, office.low)
    assert sensitivity_options(client.get(url)) == ["0"]
    login(client, office.clerk)
    response = client.get(url)
    assert sensitivity_options(response) == ["1"]
    assert '<option value="1" selected>无</option>' in response.content.decode()
    html = response.content.decode()
    assert 'data-testid="classified-hint"' in html and "保守国家秘密法" in html
    owner = html.split('name="owner_unit"')[1].split("</select>")[0]
    assert "市政府督查室" in owner and "农经处" not in owner
    login(client, office.leader)  # cleared for 绝密, but the system is not a classified one
    assert sensitivity_options(client.get(url)) == ["1"]
    settings.CLASSIFIED_SYSTEM_LEVEL = Clearance.CONFIDENTIAL
    assert sensitivity_options(client.get(url)) == ["1", "2", "3"]


def test_create_form_loads_the_routing_suggestions(client, office):
    login(client, office.clerk)
    html = client.get(reverse("cases:create") + "?type=assigned_task").content.decode()
    assert f'hx-get="{reverse("routing:suggest")}"' in html
    assert 'id="routing-suggestions"' in html


def test_create_a_case(client, office):
    login(client, office.clerk)
    response = client.post(
        reverse("cases:create") + "?type=assigned_task",
        {
            "title": "关于加强冬季供暖保障的交办",
            "body": "请相关处室落实。",
            "urgency": "urgent",
            "sensitivity": Clearance.INTERNAL,
            "owner_unit": office.duchashi.pk,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert (case.creator, case.urgency, case.state) == (office.clerk, "urgent", "draft")


def test_create_for_another_unit_or_above_clearance_is_refused(client, office):
    login(client, office.low)
    url = reverse("cases:create") + "?type=assigned_task"
    before = snapshot()
    for data in (
        {"owner_unit": office.nongjing.pk, "sensitivity": 0},
        {"owner_unit": office.duchashi.pk, "sensitivity": 1},
    ):
        response = client.post(url, {"title": "x", "urgency": "normal", **data})
        assert response.status_code == 400
    assert snapshot() == before


def test_create_without_a_type_lists_the_types(client, office):
    login(client, office.clerk)
    html = client.get(reverse("cases:create")).content.decode()
    assert "?type=assigned_task" in html and "交办事项" in html


# --- workflows -------------------------------------------------------------------------------


def test_types_and_workflow_page(client, office):
    login(client, office.clerk)
    assert "交办事项" in client.get(reverse("cases:types")).content.decode()
    response = client.get(reverse("cases:workflow", args=["assigned_task"]))
    html = response.content.decode()
    for label in ("起草", "待审核", "会签中", "办理中", "待确认办结", "已办结", "已撤销"):
        assert label in html
    assign = html.split('data-action="assign"')[1].split("</tr>")[0]
    assert "处室负责人（主责处室负责人）" in assign
    assert "办公厅领导、市政府领导" in assign
    assert "交办主办、协办单位" in assign and "开始计算办理期限" in assign
    complete = html.split('data-action="complete"')[1].split("</tr>")[0]
    assert "协办单位尚未全部反馈" in complete and "主办单位人员" in complete
    assert "主办单位提交办结报告" in complete
    countersign = html.split('data-action="countersign"')[1].split("</tr>")[0]
    assert "会签：全部同意，一票否决" in countersign and "通过→待审核" in countersign


def test_workflow_diagram_is_valid_svg_with_every_state_and_action(client, office):
    from zhengban.cases.workflow import get_workflow

    login(client, office.clerk)
    response = client.get(reverse("cases:workflow_svg", args=["assigned_task"]))
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    texts = {"".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")}
    flow = get_workflow("assigned_task")
    for state in flow.states:
        assert str(state.label) in texts
    joined = " ".join(texts)
    for action in flow.actions:
        assert str(action.label) in joined
    assert "会签通过" in texts and "会签未通过" in texts
    boxes = root.findall(".//{http://www.w3.org/2000/svg}g[@data-state]")
    assert len(boxes) == len(flow.states)
    assert client.get(reverse("cases:workflow", args=["no_such_type"])).status_code == 404


def test_diagram_boxes_do_not_overlap():
    from zhengban.cases.diagram import render_svg
    from zhengban.cases.workflow import all_workflows

    for flow in all_workflows():
        root = ET.fromstring(render_svg(flow))
        rects = []
        for g in root.findall(".//{http://www.w3.org/2000/svg}g[@data-state]"):
            r = g.find("{http://www.w3.org/2000/svg}rect")
            x, y, w, h = (float(r.get(k)) for k in ("x", "y", "width", "height"))
            rects.append((x, y, x + w, y + h))
        for i, a in enumerate(rects):
            for b in rects[i + 1 :]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


# --- delegations -----------------------------------------------------------------------------


def test_delegate_through_the_page_and_act_for_the_delegator(client, office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    login(client, office.head)
    today = timezone.localdate()
    response = client.post(
        reverse("cases:delegations"),
        {"delegate": office.farmer.pk, "start": today, "end": today, "reason": "出差"},
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.delegator, delegation.delegate) == (office.head, office.farmer)
    login(client, office.farmer)
    html = client.get(reverse("cases:delegations")).content.decode()
    assert "head" in html.split('data-testid="delegations-delegator"')[1] and "生效中" in html
    # The head's case becomes visible to the delegate, with the head's actions.
    offered = action_codes(client.get(reverse("cases:detail", args=[case.pk])))
    assert "assign" in offered
    # Revoke: the farmer may decline; then the case is out of reach again.
    client.post(reverse("cases:delegation_revoke", args=[delegation.pk]))
    delegation.refresh_from_db()
    assert delegation.revoked
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_delegation_form_errors_and_foreign_revoke(client, office):
    login(client, office.head)
    today = timezone.localdate()
    url = reverse("cases:delegations")
    response = client.post(
        url,
        {
            "delegate": office.farmer.pk,
            "start": today,
            "end": today - datetime.timedelta(1),
            "reason": "x",
        },
    )
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
    client.post(url, {"delegate": office.farmer.pk, "start": today, "end": today, "reason": "出差"})
    response = client.post(
        url, {"delegate": office.teacher.pk, "start": today, "end": today, "reason": "出差"}
    )
    assert "同一时段只能委托一人" in response.content.decode()
    assert Delegation.objects.count() == 1
    login(client, office.outsider)
    before = snapshot()
    response = client.post(reverse("cases:delegation_revoke", args=[Delegation.objects.get().pk]))
    assert response.status_code == 404
    assert snapshot() == before


def test_my_inbox_includes_the_delegators_tasks(client, office, handling):
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=office.teacher, delegate=office.outsider, start=today, end=today, reason="休假"
    )
    login(client, type(office.outsider).objects.get(pk=office.outsider.pk))
    assert rows(client.get(reverse("cases:inbox"))) == [handling.number]


# --- notifications ---------------------------------------------------------------------------


def test_bell_count_open_and_read_all(client, office, handling):
    notes = Notification.objects.filter(recipient=office.farmer)
    assert notes.count() >= 1
    login(client, office.farmer)
    html = client.get(reverse("cases:inbox")).content.decode()
    bell = html.split('data-testid="bell"')[1].split("</a>")[0]
    assert f">{notes.count()}</span>" in bell
    note = notes.first()
    response = client.get(reverse("cases:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("cases:detail", args=[handling.pk])
    note.refresh_from_db()
    assert note.read_at is not None
    client.post(reverse("cases:notifications_read_all"))
    assert not notes.filter(read_at__isnull=True).exists()
    html = client.get(reverse("cases:notifications")).content.decode()
    assert 'class="n"' not in html.split('data-testid="bell"')[1].split("</a>")[0]


def test_someone_elses_notification_is_404(client, office, handling):
    note = Notification.objects.filter(recipient=office.farmer).first()
    login(client, office.teacher)
    assert client.get(reverse("cases:notification_open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_context_processor_counts_unread(rf, office, handling):
    from zhengban.cases.context_processors import notifications

    request = rf.get("/")
    request.user = office.farmer
    count = notifications(request)["unread_notifications_count"]
    assert int(str(count)) == Notification.objects.filter(recipient=office.farmer).count()
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert notifications(request) == {}


# --- search ----------------------------------------------------------------------------------


def test_search_highlights_and_respects_visibility(client, office, handling):
    login(client, office.farmer)
    html = client.get(reverse("cases:search") + "?q=饮水安全").content.decode()
    assert handling.number in html
    assert "<mark>饮水</mark>" in html or "<mark>饮水安全</mark>" in html
    assert "找到1件" in html
    login(client, office.outsider)
    html = client.get(reverse("cases:search") + "?q=饮水安全").content.decode()
    assert handling.number not in html and "找到0件" in html


def test_search_escapes_titles(client, office):
    new_case(office, title="<script>alert(1)</script>饮水")
    login(client, office.clerk)
    html = client.get(reverse("cases:search") + "?q=饮水").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_search_is_paginated(client, office):
    make_cases(office, 26)
    login(client, office.farmer)
    first = client.get(reverse("cases:search") + "?q=督办")
    assert len(rows(first)) == 25
    second = client.get(reverse("cases:search") + "?q=督办&page=2")
    assert len(rows(second)) == 1


def test_search_query_count_is_bounded(client, office):
    make_cases(office, 5)
    login(client, office.farmer)
    url = reverse("cases:search") + "?q=督办"
    client.get(url)
    small, _sql = count_queries(client, url)
    make_cases(office, 45, start=5)
    large, sql = count_queries(client, url)
    assert small == large, "\n".join(sql)


def test_case_page_query_count_is_bounded(client, office, handling):
    login(client, office.head)
    url = reverse("cases:detail", args=[handling.pk])
    client.get(url)
    small, _sql = count_queries(client, url)
    for i in range(5):
        comments.comment_add(case=handling, actor=office.head, text=f"评论{i}")
        handling.refresh_from_db()
        services.case_circulate(
            case=handling, actor=office.head, version=handling.version, users=[office.deputy]
        )
    large, sql = count_queries(client, url)
    assert small == large, "\n".join(sql)


def test_closed_case_offers_no_actions(client, office):
    case = to_handling(office, co_units=False)
    perform(case, "complete", office.farmer, params={"report": "完成"})
    perform(case, "confirm", office.head)
    login(client, office.head)
    # A closed case may still be sent round to read (传阅), nothing else.
    assert action_codes(client.get(reverse("cases:detail", args=[case.pk]))) == {"circulate"}
