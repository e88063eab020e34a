"""发起督办 from any case (the kernel's 派生): the link on the source page, the create page
prefilled from the source, the item linked to it, then 交办 from the item's page."""

import datetime

from django.urls import reverse
from django.utils import timezone

from zhengban.accounts.choices import Clearance
from zhengban.cases import services
from zhengban.cases.models import Case
from zhengban.supervision.models import SupervisionItem


def test_an_item_is_started_from_a_case_and_assigned(client, office):
    source = services.case_create(
        case_type="assigned_task",
        title="关于做好冬季供暖保障工作的通知",
        body="请各单位抓好落实。",
        owner_unit=office.duchashi,
        actor=office.clerk,
        sensitivity=Clearance.INTERNAL,
    )
    client.force_login(office.clerk)
    page = client.get(reverse("cases:detail", args=[source.pk])).content.decode()
    assert f"?type=supervision&amp;from={source.pk}" in page and "发起督办事项" in page
    url = f"{reverse('cases:create')}?type=supervision&from={source.pk}"
    form = client.get(url).content.decode()
    assert 'value="关于做好冬季供暖保障工作的通知"' in form
    assert source.number in form  # the source label
    response = client.post(
        url,
        {
            "title": "督办：冬季供暖保障",
            "body": "请督查室跟踪",
            "urgency": "normal",
            "sensitivity": Clearance.INTERNAL,
            "owner_unit": office.duchashi.pk,
            "d-source_kind": "manual",
            "d-source_label": f"{source.number} 冬季供暖",
            "d-cadence": "weekly",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item_case = Case.objects.get(case_type="supervision")
    assert item_case.parent == source and item_case.state == "draft"
    item = SupervisionItem.objects.get(case=item_case)
    assert item.cadence == "weekly" and item.lead_unit is None
    due = timezone.localdate() + datetime.timedelta(days=30)
    services.case_perform(
        case=item_case,
        action_code="assign",
        actor=office.clerk,
        version=item_case.version,
        params={"lead_unit": office.bureau, "due_date": due, "leader": office.leader},
    )
    item.refresh_from_db()
    assert item.lead_unit == office.bureau and item.leader == office.leader
    assert item.next_report_due is not None
    page = client.get(reverse("cases:detail", args=[item_case.pk])).content.decode()
    assert 'data-testid="supervision-panel"' in page and "市交通运输局" in page
