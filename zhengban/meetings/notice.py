"""The 会议通知 as an official document: the same content as the printable page, laid out by
the documents library in the GB/T 9704 信函 format (the office's letterhead, no 文号 — a
meeting notice is not registered in a 文号 series) and rendered to PDF."""

from __future__ import annotations

import datetime

from django.utils import timezone

from zhengban.documents.content import OfficialDocument, Paragraph, chinese_date

WEEKDAYS = "一二三四五六日"


def when_text(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    weekday = WEEKDAYS[local.weekday()]
    return f"{local.year}年{local.month}月{local.day}日（星期{weekday}）{local:%H:%M}"


def notice_document(*, meeting, items, attendees, observers, issued_on) -> OfficialDocument:
    organization = meeting.case.owner_unit.organization
    organ = organization.name if organization else meeting.case.owner_unit.name
    opening = f"定于{when_text(meeting.starts_at)}在{meeting.venue}召开{meeting.name}。"
    if meeting.chair:
        opening += f"会议由{meeting.chair}主持。"
    body = [opening]
    if items:
        body.append("会议议题：")
        for n, item in enumerate(items, 1):
            who = f"；{item.presenter}汇报" if item.presenter else ""
            body.append(f"{n}．{item.case.title}（{item.case.owner_unit.name}提请{who}）")
    if observers:
        body.append("请列席单位派负责同志参加。")
    body += [line.strip() for line in (meeting.notice_text or "").splitlines() if line.strip()]
    body.append("请于会前在系统中反馈参会回执；不能出席的，请注明代会人员或请假事由。")
    return OfficialDocument(
        doc_type="通知",
        layout="信函",
        identifier=meeting.case.number,
        issuer_mark=organ,
        title=f"关于召开{meeting.name}的通知",
        recipients=[*(str(u) for u in attendees), *(u.name for u in observers)],
        body=[Paragraph(text) for text in body],
        signature=[organ],
        date_text=chinese_date(issued_on),
    )
