"""iCalendar (RFC 5545) export, written by hand: a calendar is a handful of properties, and
the rules that matter are few — CRLF line ends, lines folded at 75 octets without splitting
a UTF-8 character (3.1), TEXT values escaped (3.3.11), times in UTC (3.3.5, form #2)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

PRODID = "-//zhengban//meetings//ZH"


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime.datetime
    end: datetime.datetime | None
    summary: str
    location: str = ""
    description: str = ""
    cancelled: bool = False
    url: str = ""


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces, continuation lines starting with a space."""
    pieces, current, size = [], [], 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not pieces else 74  # the leading space counts
        if size + width > limit:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: list[Event], *, name: str, now: datetime.datetime) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    stamp = utc(now)
    for event in events:
        end = event.end or event.start + datetime.timedelta(hours=1)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc(event.start)}",
            f"DTEND:{utc(end)}",
            f"SUMMARY:{escape(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()
