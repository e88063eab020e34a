"""The content of an official document (公文) — pure Python, no Django.

One `OfficialDocument` carries the GB/T 33480 core metadata (公文标识, 文种, 份号, 密级/保密期限,
紧急程度, 发文机关标志, 发文字号, 签发人, 标题, 主送, 正文, 附件说明, 署名, 成文日期, 附注, 抄送,
印发机关, 印发日期, 发布层次) as plain fields. The 公文体检 (`check.py`) reads it, the renderers
(`render/`) lay it out, and the case flows will build it from their records.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

# 党政机关公文处理工作条例 (2012) art. 8: the 15 文种, with the usual direction (regs.md §1.2).
DOC_TYPES: dict[str, str] = {
    "决议": "下行",
    "决定": "下行",
    "命令": "下行",
    "令": "下行",
    "公报": "下行",
    "公告": "公布",
    "通告": "公布",
    "意见": "下行",
    "通知": "下行",
    "通报": "下行",
    "报告": "上行",
    "请示": "上行",
    "批复": "下行",
    "议案": "上行",
    "函": "平行",
    "纪要": "下行",
}
# 文种 whose documents name a 主送机关 (公告/通告/公报/命令/决议/纪要 are published or 普发).
NEEDS_RECIPIENT = {"通知", "通报", "报告", "请示", "批复", "议案", "函", "意见"}
UPWARD = {"请示", "报告", "议案"}
SECRECY_LEVELS = {"绝密": 30, "机密": 20, "秘密": 10}  # level → maximum period in years
URGENCY_LEVELS = ("特急", "加急")
TELEGRAM_URGENCY = ("特提", "特急", "加急", "平急")

HEADING_PATTERNS = (
    (1, re.compile(r"^([一二三四五六七八九十]{1,3})、")),
    (2, re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[）)]")),
    (3, re.compile(r"^(\d{1,2})[.．]")),
    (4, re.compile(r"^[（(](\d{1,2})[）)]")),
)


def heading_level(text: str) -> int:
    """The official heading level (1 一、 2 （一） 3 1. 4 （1）) a paragraph starts with, or 0."""
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(text):
            return level
    return 0


@dataclass
class Paragraph:
    text: str
    level: int = 0  # heading level 1–4, 0 for running text
    line: int | None = None  # source line (1-based) when parsed from text

    def __post_init__(self):
        if self.level == 0:
            self.level = heading_level(self.text)

    @property
    def heading_text(self) -> str:
        """The part set in the heading's face: a level-1 heading is the whole paragraph; a
        lower heading followed by text in the same paragraph ends at its first 。."""
        if not self.level:
            return ""
        if self.level == 1:
            return self.text
        stop = self.text.find("。")
        return self.text if stop < 0 or stop == len(self.text) - 1 else self.text[: stop + 1]


@dataclass
class Attachment:
    title: str
    body: list[Paragraph] = field(default_factory=list)


@dataclass
class OfficialDocument:
    doc_type: str = "通知"  # 文种
    title: str = ""  # 标题
    body: list[Paragraph] = field(default_factory=list)  # 正文
    issuer_mark: str = ""  # 发文机关标志, e.g. 沈阳市人民政府办公厅文件
    number: str = ""  # 发文字号
    identifier: str = ""  # 公文标识 (a stable id, e.g. a UUID or the case number)
    copy_number: str = ""  # 份号 (6 digits)
    secrecy: str = ""  # 密级 绝密/机密/秘密 ("" = not classified)
    secrecy_period: str = ""  # 保密期限, e.g. 1年
    urgency: str = ""  # 紧急程度 特急/加急
    signers: list[str] = field(default_factory=list)  # 签发人 (上行文)
    recipients: list[str] = field(default_factory=list)  # 主送机关
    attachment_note: list[str] = field(default_factory=list)  # 附件说明 (names, in order)
    attachments: list[Attachment] | None = None  # the attachments themselves, when known
    signature: list[str] = field(default_factory=list)  # 发文机关署名 (joint: several)
    date_text: str = ""  # 成文日期 as written (the check reads the digits)
    note: str = ""  # 附注 (without the parentheses)
    cc: list[str] = field(default_factory=list)  # 抄送机关
    printer: str = ""  # 印发机关
    print_date_text: str = ""  # 印发日期 as written
    release_scope: str = ""  # 发布层次 / 公开属性 (主动公开 …)
    direction: str = ""  # 上行/下行/平行 ("" = the 文种's usual direction)
    layout: str = ""  # 文件 / 信函 / 纪要 ("" = from the 文种)
    attendance: dict[str, list[str]] = field(default_factory=dict)  # 纪要: 出席/请假/列席
    lines: dict[str, int] = field(default_factory=dict)  # source line of each element

    @property
    def effective_direction(self) -> str:
        return self.direction or DOC_TYPES.get(self.doc_type, "")

    @property
    def effective_layout(self) -> str:
        if self.layout:
            return self.layout
        return {"函": "信函", "纪要": "纪要"}.get(self.doc_type, "文件")

    @property
    def date(self) -> dt.date | None:
        return parse_chinese_date(self.date_text)

    @property
    def print_date(self) -> dt.date | None:
        return parse_chinese_date(self.print_date_text)

    @property
    def organ_name(self) -> str:
        """The issuing organ's name: the 署名, else the 发文机关标志 without 文件."""
        if self.signature:
            return self.signature[0]
        mark = self.issuer_mark
        return mark[:-2] if mark.endswith("文件") else mark


DATE_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


def parse_chinese_date(text: str) -> dt.date | None:
    m = DATE_RE.match((text or "").strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def chinese_date(value: dt.date) -> str:
    """GB/T 9704 §7.3.5.4: Arabic digits, full year, no zero padding: 2026年3月1日."""
    return f"{value.year}年{value.month}月{value.day}日"
