"""The 签报单 PDF: A4, the fonts embedded, every part of the slip in its place (the leaders'
批示 in order, above the division head's opinion and the 拟办意见), downloadable only by
those who may read the 签报."""

import io

from django.urls import reverse
from pypdf import PdfReader

from zhengban.audit.models import AuditRecord
from zhengban.cases import services
from zhengban.cases.models import Case

from .conftest import draft, perform, to_leaders

MM = 72 / 25.4


def text_of(reader) -> str:
    return "".join(page.extract_text().replace("\x00", "") for page in reader.pages)


def approved(office) -> Case:
    case = to_leaders(office, draft(office), office.leader1, office.leader2)
    perform(case, "approve", office.leader1, comment="同意，请陈副市长审批。")
    return perform(case, "approve", office.leader2, comment="同意。请市应急管理局抓紧采购。")


def test_the_slip_of_an_approved_request(client, office):
    case = approved(office)
    client.force_login(office.drafter)
    response = client.get(reverse("approvals:slip", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert abs(float(box.width) / MM - 210) < 0.1 and abs(float(box.height) / MM - 297) < 0.1
    text = text_of(reader).replace(" ", "")
    for part in (
        "测试市人民政府办公厅签报单",
        f"编号：{case.number}",
        "紧急程度：加急",
        "签报单位",
        "综合处",
        "张明",
        "请示事项类别",
        "经费",
        case.title,
        "拟同意安排专项经费120万元",
        "情况属实，建议同意。",
        "审批结果：已批准",
        "一、基本情况",
    ):
        assert part in text, part
    # The leaders' 批示 in the order given, above the head's opinion and the 拟办意见.
    order = [
        text.index(s)
        for s in (
            "领导批示",
            "同意，请陈副市长审批。",
            "王副秘书长20",  # the signature: name and date
            "同意。请市应急管理局抓紧采购。",
            "陈副市长20",
            "处室负责人意见",
            "拟办意见",
        )
    ]
    assert order == sorted(order)
    # The fonts travel with the file.
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        descriptor = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert any(k in descriptor for k in ("/FontFile2", "/FontFile3")), descriptor
    assert AuditRecord.objects.filter(action="audit.read", summary="下载签报单").exists()


def test_a_pending_request_has_room_for_the_leaders(client, office):
    case = draft(office)
    client.force_login(office.drafter)
    response = client.get(reverse("approvals:slip", args=[case.pk]))
    text = text_of(PdfReader(io.BytesIO(response.content)))
    assert "领导批示" in text and "审批结果" not in text


def test_only_those_who_may_read_it_get_the_slip(client, office):
    case = draft(office)
    client.force_login(office.outsider)
    assert client.get(reverse("approvals:slip", args=[case.pk])).status_code == 404
    client.force_login(office.leader1)
    assert client.get(reverse("approvals:slip", args=[case.pk])).status_code == 200
    # A case of another type is not a 签报.
    other = services.case_create(
        case_type="assigned_task",
        title="关于做好防汛工作的通知",
        owner_unit=office.zonghe,
        actor=office.drafter,
    )
    client.force_login(office.drafter)
    assert client.get(reverse("approvals:slip", args=[other.pk])).status_code == 404
    assert client.get("/approvals/99999999/slip.pdf").status_code == 404
    client.logout()
    assert client.get(reverse("approvals:slip", args=[case.pk])).status_code == 302


def test_a_long_slip_runs_on_to_numbered_pages():
    from zhengban.approvals.slip import Signed, SlipData, render_slip

    opinion = "同意。请有关部门抓紧落实，确保资金使用规范、安全、高效，并及时报告进展情况。" * 3
    data = SlipData(
        organization="沈阳市人民政府办公厅",
        number="签〔2026〕7号",
        date="2026年12月4日",
        unit="综合处",
        drafter="张明",
        category="经费",
        urgency="",
        sensitivity="",
        title="关于申请专项经费的签报",
        proposal="拟同意。",
        head=Signed("同意呈报。", "李强", "2026年12月4日"),
        leaders=[Signed(opinion, f"领导{n}", "2026年12月5日") for n in range(1, 5)],
        outcome="已批准",
        body="\n".join(f"{n}.第{n}项工作的具体安排和要求。" * 4 for n in range(1, 30)),
    )
    reader = PdfReader(io.BytesIO(render_slip(data)))
    assert len(reader.pages) >= 3
    pages = [p.extract_text().replace("\x00", "").replace(" ", "") for p in reader.pages]
    assert all(f"—{n}—" in text for n, text in enumerate(pages, 1))
    whole = "".join(pages)
    assert [whole.index(f"领导{n}20") for n in range(1, 5)] == sorted(
        whole.index(f"领导{n}20") for n in range(1, 5)
    )
    assert "29.第29项工作" in whole
    assert "领导批示（续）" in pages[1]  # the leaders' row goes on under its label
