"""公文体检: every format problem of a draft, each with its rule id, message and where.

Pure Python. Rules follow 党政机关公文处理工作条例 (2012) arts. 8–9 and GB/T 9704-2012 §7
(facts in ../shared/reference/regs.md §1–2). `check_document` never raises on a bad draft: a
problem is a finding, not an error.
"""

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date

from .content import (
    DOC_TYPES,
    HEADING_PATTERNS,
    NEEDS_RECIPIENT,
    SECRECY_LEVELS,
    UPWARD,
    URGENCY_LEVELS,
    OfficialDocument,
)
from .numbers import NumberError, parse_number
from .parse import split_recipient_names

MAX_PUNCT_FINDINGS = 30  # per document; the last finding says how many more there are


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str
    where: str

    def as_dict(self) -> dict:
        return asdict(self)


def check_document(doc: OfficialDocument, *, today: date | None = None) -> list[Problem]:
    today = today or date.today()
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule(doc, today))
    return problems


def _where(doc: OfficialDocument, element: str, detail: str = "") -> str:
    line = doc.lines.get(element)
    text = element + detail
    return f"{text}（第{line}行）" if line else text


# --- required elements -------------------------------------------------------------------


def _required(doc: OfficialDocument, today: date):
    if doc.doc_type not in DOC_TYPES:
        yield Problem(
            "type.unknown",
            f"“{doc.doc_type}”不是条例规定的15种文种之一",
            "文种",
        )
    if not doc.title:
        yield Problem("required.title", "缺少标题", "标题")
    if not doc.body:
        yield Problem("required.body", "缺少正文", "正文")
    if not doc.number and doc.doc_type not in ("公告", "通告"):
        yield Problem("required.number", "缺少发文字号", "版头")
    if not doc.signature and doc.doc_type not in ("纪要", "命令", "令"):
        yield Problem("required.signature", "缺少发文机关署名", "署名")
    if not doc.date_text:
        yield Problem("required.date", "缺少成文日期", "成文日期")
    if doc.effective_layout != "信函" and not (doc.printer and doc.print_date_text):
        yield Problem(
            "required.printer",
            "版记缺少印发机关和印发日期（如“沈阳市人民政府办公厅  2026年3月1日印发”）",
            "版记",
        )
    if doc.doc_type in NEEDS_RECIPIENT and not doc.recipients:
        yield Problem("recipient.missing", f"{doc.doc_type}应写明主送机关", "主送")
    if doc.effective_direction == "上行" and len(split_recipient_names(doc.recipients)) > 1:
        yield Problem(
            "recipient.upward-many",
            "上行文原则上只主送一个上级机关，其他机关可抄送",
            _where(doc, "主送"),
        )
    if doc.effective_direction == "上行" and not doc.signers:
        yield Problem(
            "signer.missing",
            f"上行文（{doc.doc_type}）应在版头标注签发人姓名",
            _where(doc, "发文字号", "右侧"),
        )


# --- title ---------------------------------------------------------------------------------


def _title(doc: OfficialDocument, today: date):
    title = doc.title
    if not title:
        return
    where = _where(doc, "标题")
    if title[-1] in "。，；：！？.,;:!?":
        yield Problem("title.punct", f"标题末尾不加标点“{title[-1]}”", where)
    if doc.doc_type in DOC_TYPES and not title.endswith(doc.doc_type):
        yield Problem("title.doctype", f"标题应以文种“{doc.doc_type}”结尾", where)
    organ = doc.organ_name
    body = title
    if organ:
        if title.startswith(organ):
            body = title[len(organ) :]
        elif doc.doc_type != "纪要":
            yield Problem("title.organ", f"标题应以发文机关名称“{organ}”开头", where)
    if body.endswith(doc.doc_type):
        body = body[: -len(doc.doc_type)]
    subject = body.removeprefix("关于").removesuffix("的")
    if not subject:
        yield Problem("title.subject", "标题缺少事由（发文机关名称 + 事由 + 文种）", where)
    elif "关于" not in body and doc.doc_type not in ("纪要", "命令", "令", "公告", "通告", "公报"):
        yield Problem("title.guanyu", "标题的事由一般以“关于”引出", where)


# --- 附件说明 -----------------------------------------------------------------------------


_NOTE_NUMBER_RE = re.compile(r"^([0-9０-９]{1,2})[.．、]\s*(.*)$")


def _attachments(doc: OfficialDocument, today: date):
    where = _where(doc, "附件说明")
    names = []
    numbered = []
    for item in doc.attachment_note:
        m = _NOTE_NUMBER_RE.match(item)
        numbered.append(int(m[1].translate(_FW)) if m else None)
        names.append(m[2] if m else item)
        if m and m[0][len(m[1])] != ".":
            yield Problem(
                "attachment.number-punct",
                f"附件序号后用“.”，不用“{m[0][len(m[1])]}”：{item}",
                where,
            )
        if item and item[-1] in "。，；、.,;":
            yield Problem("attachment.punct", f"附件名称后不加标点：{item}", where)
    if len(names) == 1 and numbered[0] is not None:
        yield Problem("attachment.single-numbered", "只有一个附件时不编序号", where)
    if len(names) > 1:
        expected = list(range(1, len(names) + 1))
        if numbered != expected:
            got = "、".join("无" if x is None else str(x) for x in numbered)
            yield Problem(
                "attachment.numbering",
                f"多个附件应依次编号1.至{len(names)}.，现为：{got}",
                where,
            )
    mentions = any("附件" in p.text for p in doc.body)
    if not names and (mentions or doc.attachments):
        yield Problem(
            "attachment.note-missing",
            "正文提到附件或附有附件，但缺少附件说明（正文下空一行“附件：……”）",
            "附件说明",
        )
    if doc.attachments is not None and names:
        titles = [a.title for a in doc.attachments]
        if len(titles) != len(names):
            yield Problem(
                "attachment.count",
                f"附件说明列出{len(names)}个附件，实际附有{len(titles)}个",
                where,
            )
        for k, (name, title) in enumerate(zip(names, titles, strict=False), 1):
            if _plain(name) != _plain(title):
                yield Problem(
                    "attachment.mismatch",
                    f"附件{k}的名称与附件说明不一致：说明为“{name}”，附件标题为“{title}”",
                    f"附件{k}",
                )


def _plain(s: str) -> str:
    return re.sub(r"\s+", "", s)


# --- heading numbering ---------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_LEVEL_SAMPLE = {1: "一、", 2: "（一）", 3: "1.", 4: "（1）"}


def chinese_number(text: str) -> int:
    """一 … 九十九 → int (0 when not a numeral)."""
    if not text or any(c not in "一二三四五六七八九十" for c in text):
        return 0
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else 0
    tens, _, units = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (
        _CN_DIGITS.get(units, 0) if units else 0
    )


def _number_of(level: int, raw: str) -> int:
    return chinese_number(raw) if level in (1, 2) else int(raw)


def _headings(doc: OfficialDocument, today: date):
    stack: list[tuple[int, int]] = []  # (level, last number) from outermost to innermost
    for index, paragraph in enumerate(doc.body, 1):
        text = paragraph.text
        where = f"正文第{index}段" + (f"（第{paragraph.line}行）" if paragraph.line else "")
        bad = re.match(
            r"^(\d{1,2})、|^([一二三四五六七八九十]{1,3})[.．]|^([（(][一二三四五六七八九十\d]{1,3}[）)])[、.．]",
            text,
        )
        if bad:
            if bad[1]:
                message = f"阿拉伯数字序号后用“.”，不用“、”：“{bad[0]}”"
            elif bad[2]:
                message = f"汉字序号后用“、”，不用“.”：“{bad[0]}”"
            else:
                message = f"带括号的序号后不再加标点：“{bad[0]}”"
            yield Problem("heading.punct", message, where)
        level = 0
        for lv, pattern in HEADING_PATTERNS:
            if m := pattern.match(text):
                level, number = lv, _number_of(lv, m[1])
                break
        if not level:
            continue
        levels = [lv for lv, _ in stack]
        label = _LEVEL_SAMPLE[level]
        if level in levels:
            while stack[-1][0] != level:
                stack.pop()
            last = stack[-1][1]
            if number != last + 1:
                kind = "重复" if number <= last else "跳号"
                yield Problem(
                    f"heading.{'duplicate' if number <= last else 'gap'}",
                    f"{label}层级序号{kind}："
                    f"上一个是{_show(level, last)}，这里是{_show(level, number)}",
                    where,
                )
            stack[-1] = (level, number)
        elif stack and level < stack[-1][0]:
            yield Problem(
                "heading.mixed",
                f"层级混用：“{_show(level, number)}”（第{level}层）出现在"
                f"“{_show(stack[-1][0], stack[-1][1])}”（第{stack[-1][0]}层）之下",
                where,
            )
            stack.append((level, number))
        else:
            if number != 1:
                yield Problem(
                    "heading.start",
                    f"{label}层级应从{_show(level, 1)}开始，这里是{_show(level, number)}",
                    where,
                )
            stack.append((level, number))


def _show(level: int, number: int) -> str:
    if level in (1, 2):
        cn = _to_chinese(number)
        return f"{cn}、" if level == 1 else f"（{cn}）"
    return f"{number}." if level == 3 else f"（{number}）"


def _to_chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


# --- dates ---------------------------------------------------------------------------------

_FW = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DATE_CHARS = set("〇○零一二三四五六七八九十")


def _date_problems(text: str, element: str, doc: OfficialDocument, today: date):
    where = _where(doc, element if element != "印发日期" else "印发")
    if any(c in _CN_DATE_CHARS for c in text):
        yield Problem(
            "date.arabic",
            f"{element}应使用阿拉伯数字（如“2026年3月1日”），不用汉字：{text}",
            where,
        )
        return
    if any(c in "０１２３４５６７８９" for c in text):
        yield Problem("date.fullwidth-digits", f"{element}应使用半角阿拉伯数字：{text}", where)
        text = text.translate(_FW)
    m = re.match(r"^(\d{2,4})年(\d{1,2})月(\d{1,2})日$", text.replace(" ", ""))
    if not m:
        yield Problem("date.format", f"{element}应写作“2026年3月1日”的形式：{text}", where)
        return
    if len(m[1]) != 4:
        yield Problem("date.year", f"{element}的年份应写全四位：{text}", where)
    if m[2].startswith("0") or m[3].startswith("0"):
        yield Problem(
            "date.zero-pad", f"{element}的月、日不编虚位（写“3月1日”而非“03月01日”）：{text}", where
        )
    try:
        date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        yield Problem("date.invalid", f"{element}不是有效日期：{text}", where)


def _dates(doc: OfficialDocument, today: date):
    if doc.date_text:
        yield from _date_problems(doc.date_text, "成文日期", doc, today)
    if doc.print_date_text:
        yield from _date_problems(doc.print_date_text, "印发日期", doc, today)
    if doc.date and doc.print_date and doc.print_date < doc.date:
        yield Problem("date.print-before", "印发日期早于成文日期", _where(doc, "印发"))


# --- 文号 ----------------------------------------------------------------------------------


def _number(doc: OfficialDocument, today: date):
    if not doc.number:
        return
    where = _where(doc, "发文字号")
    try:
        parsed = parse_number(doc.number, today=today)
    except NumberError as exc:
        yield Problem(exc.code, exc.message, where)
        return
    if parsed.normalized:
        yield Problem(
            "number.fullwidth-digits", f"发文字号应使用半角阿拉伯数字：{doc.number}", where
        )
    if doc.date and doc.date.year != parsed.year:
        yield Problem(
            "number.year-mismatch",
            f"发文字号的年份{parsed.year}与成文日期的年份{doc.date.year}不一致",
            where,
        )


# --- 密级, 紧急程度 ------------------------------------------------------------------------


def _secrecy(doc: OfficialDocument, today: date):
    where = _where(doc, "密级")
    if doc.secrecy:
        if doc.secrecy not in SECRECY_LEVELS:
            yield Problem("secrecy.level", f"密级只能是绝密、机密、秘密：{doc.secrecy}", where)
            return
        if not doc.copy_number:
            yield Problem("secrecy.copy-number", f"涉密公文（{doc.secrecy}）应标注份号", "份号")
        if not doc.secrecy_period:
            yield Problem(
                "secrecy.period",
                f"涉密公文应标注保密期限（如“{doc.secrecy}★1年”）",
                where,
            )
        else:
            m = re.match(r"^(\d+)年$", doc.secrecy_period.translate(_FW))
            if not m and doc.secrecy_period not in ("长期",):
                yield Problem(
                    "secrecy.period-format",
                    f"保密期限应写作“N年”（阿拉伯数字）：{doc.secrecy_period}",
                    where,
                )
            elif m and int(m[1]) > SECRECY_LEVELS[doc.secrecy]:
                yield Problem(
                    "secrecy.period-too-long",
                    f"{doc.secrecy}级事项的保密期限一般不超过{SECRECY_LEVELS[doc.secrecy]}年",
                    where,
                )
    if doc.copy_number and not re.fullmatch(r"\d{6}", doc.copy_number):
        yield Problem("copy-number.format", f"份号一般用6位阿拉伯数字：{doc.copy_number}", "份号")
    if doc.urgency and doc.urgency not in URGENCY_LEVELS:
        yield Problem(
            "urgency.value",
            f"公文的紧急程度只分“特急”“加急”（“{doc.urgency}”用于电报）",
            _where(doc, "紧急程度"),
        )


# --- body punctuation ----------------------------------------------------------------------

_HALF = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}


def _is_cjk(ch: str) -> bool:
    return bool(ch) and (
        "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in "，。；：？！、（）“”《》"
    )


def _punctuation(doc: OfficialDocument, today: date):
    found = 0
    extra = 0
    for index, paragraph in enumerate(doc.body, 1):
        text = paragraph.text
        for pos, ch in enumerate(text):
            if ch not in _HALF and ch != ".":
                continue
            before = text[pos - 1] if pos else ""
            after = text[pos + 1] if pos + 1 < len(text) else ""
            if ch == ".":
                # 1. is a heading; 3.5 a decimal; a . after Chinese text is a wrong 。
                if not (_is_cjk(before) and (not after or _is_cjk(after))):
                    continue
                if re.match(r"^\d{1,2}\.", text) and pos == text.index("."):
                    continue
                wanted = "。"
            else:
                if ch == ":" and before.isdigit() and after.isdigit():
                    continue  # 10:30
                if not (_is_cjk(before) or _is_cjk(after)):
                    continue
                wanted = _HALF[ch]
            if ch == ")" and re.match(r"^[（(]\d{1,2}\)", text) and pos < 5:
                pass  # （1) is reported below as a mixed bracket
            found += 1
            if found > MAX_PUNCT_FINDINGS:
                extra += 1
                continue
            line = f"（第{paragraph.line}行）" if paragraph.line else ""
            yield Problem(
                "punct.halfwidth",
                f"正文中文标点应使用全角“{wanted}”，不用半角“{ch}”："
                f"…{text[max(0, pos - 6) : pos + 6]}…",
                f"正文第{index}段第{pos + 1}字{line}",
            )
        if "（" in text and re.search(r"（[^）)]*\)|\([^）)]*）", text):
            yield Problem(
                "punct.mixed-brackets",
                "全角和半角括号混用",
                f"正文第{index}段" + (f"（第{paragraph.line}行）" if paragraph.line else ""),
            )
    if extra:
        yield Problem("punct.halfwidth", f"另有{extra}处半角标点未逐一列出", "正文")


# --- 文种-specific -------------------------------------------------------------------------

_REQUEST_WORDS = re.compile(r"请批示|请审批|请批准|请予批准|妥否，?请批复|请批复")


def _type_rules(doc: OfficialDocument, today: date):
    if doc.doc_type == "报告":
        for index, paragraph in enumerate(doc.body, 1):
            if m := _REQUEST_WORDS.search(paragraph.text):
                yield Problem(
                    "report.request",
                    f"报告中不得夹带请示事项（“{m[0]}”）",
                    f"正文第{index}段" + (f"（第{paragraph.line}行）" if paragraph.line else ""),
                )
    if doc.doc_type in UPWARD and doc.cc:
        pass  # 抄送 to lower organs cannot be told from names alone
    if doc.cc and doc.lines.get("抄送原文") == 1:
        yield Problem("cc.period", "抄送机关名称之后以句号结尾", _where(doc, "抄送"))


def _unicode(doc: OfficialDocument, today: date):
    for index, paragraph in enumerate(doc.body, 1):
        for pos, ch in enumerate(paragraph.text):
            if unicodedata.category(ch) == "Co" or ch in "\ufffd":
                yield Problem(
                    "text.bad-char",
                    f"正文含有无法显示的字符（U+{ord(ch):04X}）",
                    f"正文第{index}段第{pos + 1}字",
                )


RULES = (
    _required,
    _title,
    _number,
    _secrecy,
    _headings,
    _attachments,
    _dates,
    _punctuation,
    _type_rules,
    _unicode,
)
