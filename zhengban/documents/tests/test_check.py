import json
from datetime import date
from io import BytesIO

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengban.documents.check import check_document
from zhengban.documents.content import OfficialDocument, Paragraph
from zhengban.documents.parse import DraftUnreadable, parse_text, read_draft_bytes

TODAY = date(2026, 3, 1)

GOOD = """沈阳市人民政府办公厅文件
沈政办发〔2026〕12号
沈阳市人民政府办公厅关于做好春节期间安全生产工作的通知
各区、县（市）人民政府，市政府各部门：
为做好春节期间安全生产工作，现就有关事项通知如下。
一、总体要求
（一）加强组织领导。各地区要高度重视。
（二）压实工作责任。
1.明确责任主体。
2.强化监督检查。
（1）日常检查。
（2）专项检查。
二、工作安排
各部门要认真落实。
附件：1.春节期间值班安排表
2.联系人名单
沈阳市人民政府办公厅
2026年1月5日
（此件公开发布）
附件1
春节期间值班安排表
（略）
附件2
联系人名单
（略）
抄送：市委办公厅，市人大常委会办公厅。
沈阳市人民政府办公厅  2026年1月5日印发
"""


def rules(problems):
    return [p.rule for p in problems]


def test_a_clean_notice_has_no_problems():
    doc = parse_text(GOOD)
    assert doc.doc_type == "通知"
    assert doc.number == "沈政办发〔2026〕12号"
    assert doc.recipients == ["各区、县（市）人民政府", "市政府各部门"]
    assert doc.attachment_note == ["1.春节期间值班安排表", "2.联系人名单"]
    assert [a.title for a in doc.attachments] == ["春节期间值班安排表", "联系人名单"]
    assert doc.signature == ["沈阳市人民政府办公厅"] and doc.date_text == "2026年1月5日"
    assert doc.note == "此件公开发布" and doc.printer == "沈阳市人民政府办公厅"
    assert check_document(doc, today=TODAY) == []


@pytest.mark.parametrize(
    ("old", "new", "rule", "where"),
    [
        ("沈政办发〔2026〕12号", "沈政办发[2026]12号", "number.brackets", "发文字号（第2行）"),
        ("沈政办发〔2026〕12号", "沈政办发〔2026〕012号", "number.leading-zero", "发文字号"),
        ("沈政办发〔2026〕12号", "沈政办发〔２０２６〕12号", "number.fullwidth-digits", "发文字号"),
        ("沈政办发〔2026〕12号", "沈政办发〔2025〕12号", "number.year-mismatch", "发文字号"),
        ("2026年1月5日\n（此件", "二〇二六年一月五日\n（此件", "date.arabic", "成文日期（第18行）"),
        ("2026年1月5日\n（此件", "2026年01月05日\n（此件", "date.zero-pad", "成文日期"),
        ("现就有关事项通知如下。", "现就有关事项,通知如下。", "punct.halfwidth", "正文第1段"),
        ("2.强化监督检查。", "3.强化监督检查。", "heading.gap", "正文第6段（第10行）"),
        ("二、工作安排", "三、工作安排", "heading.gap", "正文第9段"),
        ("（二）压实工作责任。", "（一）压实工作责任。", "heading.duplicate", "正文第4段"),
        ("1.明确责任主体。", "（1）明确责任主体。", "heading.mixed", "正文第6段"),
        ("1.明确责任主体。", "1、明确责任主体。", "heading.punct", "正文第5段"),
        ("2.联系人名单\n", "2.联系人名单。\n", "attachment.punct", "附件说明"),
        ("2.联系人名单\n", "3.联系人名单\n", "attachment.numbering", "附件说明"),
        ("附件2\n联系人名单", "附件2\n联络人名单", "attachment.mismatch", "附件2"),
        ("各区、县（市）人民政府，市政府各部门：\n", "", "recipient.missing", "主送"),
        ("沈阳市人民政府办公厅关于做好", "关于做好", "title.organ", "标题（第3行）"),
        ("工作的通知\n", "工作\n", "title.doctype", "标题"),
        ("沈阳市人民政府办公厅  2026年1月5日印发\n", "", "required.printer", "版记"),
    ],
)
def test_each_planted_mistake_is_found_with_rule_and_where(old, new, rule, where):
    assert old in GOOD
    problems = check_document(parse_text(GOOD.replace(old, new)), today=TODAY)
    found = [p for p in problems if p.rule == rule]
    assert found, rules(problems)
    assert where in found[0].where
    assert found[0].message


def test_upward_documents_need_a_signer_and_one_recipient():
    text = (
        GOOD.replace("沈阳市人民政府办公厅文件\n", "")
        .replace("通知\n", "请示\n", 1)
        .replace("工作的通知", "工作的请示")
    )
    doc = parse_text(text)
    assert doc.doc_type == "请示"
    found = rules(check_document(doc, today=TODAY))
    assert "signer.missing" in found and "recipient.upward-many" in found
    doc.signers, doc.recipients = ["张三"], ["沈阳市人民政府"]
    found = rules(check_document(doc, today=TODAY))
    assert "signer.missing" not in found and "recipient.upward-many" not in found


def test_report_must_not_carry_a_request():
    doc = OfficialDocument(
        doc_type="报告",
        title="沈阳市人民政府办公厅关于2025年工作情况的报告",
        body=[Paragraph("现将有关情况报告如下。"), Paragraph("妥否，请批复。")],
        recipients=["辽宁省人民政府"],
        signers=["张三"],
        number="沈政办〔2026〕3号",
        signature=["沈阳市人民政府办公厅"],
        date_text="2026年2月1日",
        printer="沈阳市人民政府办公厅",
        print_date_text="2026年2月1日",
    )
    assert rules(check_document(doc, today=TODAY)) == ["report.request"]


def test_classified_documents_need_copy_number_and_period():
    doc = parse_text("秘密\n" + GOOD)
    assert doc.secrecy == "秘密"
    found = rules(check_document(doc, today=TODAY))
    assert "secrecy.copy-number" in found and "secrecy.period" in found
    doc = parse_text("000123\n秘密★30年\n" + GOOD)
    found = rules(check_document(doc, today=TODAY))
    assert found == ["secrecy.period-too-long"]


def test_docx_draft_is_parsed_like_text():
    d = docx.Document()
    for line in GOOD.splitlines():
        d.add_paragraph(line)
    out = BytesIO()
    d.save(out)
    doc = read_draft_bytes(out.getvalue().replace(b"", b""))
    assert doc.number == "沈政办发〔2026〕12号"
    assert check_document(doc, today=TODAY) == []


def test_unreadable_input_is_refused():
    with pytest.raises(DraftUnreadable):
        read_draft_bytes("沈政办发".encode("gb18030") + b"\xff\xfe")
    with pytest.raises(DraftUnreadable):
        read_draft_bytes(b"PK\x03\x04 not really a zip")


def run_cli(*args):
    from zhengban.cli import main

    try:
        main(list(args))
    except SystemExit as exit:
        return exit.code
    return 0


def test_cli_check_json_contract(tmp_path, capsys):
    path = tmp_path / "draft.txt"
    path.write_text(GOOD.replace("1.明确", "1、明确"), encoding="utf-8")
    assert run_cli("documents", "check", str(path), "--json") in (0, None)
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"problems"}
    assert out["problems"]
    assert all(set(p) == {"rule", "message", "where"} for p in out["problems"])
    assert "heading.punct" in [p["rule"] for p in out["problems"]]


def test_cli_check_type_option_and_unreadable(tmp_path, capsys):
    path = tmp_path / "draft.txt"
    path.write_text(GOOD, encoding="utf-8")
    run_cli("documents", "check", str(path), "--type", "函", "--json")
    out = json.loads(capsys.readouterr().out)
    assert "title.doctype" in [p["rule"] for p in out["problems"]]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\x01garbage")
    assert run_cli("documents", "check", str(bad), "--json") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert run_cli("documents", "check", str(tmp_path / "missing.txt"), "--json") == 2


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(
                alphabet="一二三四五六七八九十（）()、.．，,：:。附件号〔〕[]0123456789年月日抄送印发秘密★",
                max_size=30,
            ),
            st.sampled_from(GOOD.splitlines()),
        ),
        max_size=30,
    )
)
def test_any_text_parses_and_checks_without_crashing(lines):
    doc = parse_text("\n".join(lines))
    for problem in check_document(doc, today=TODAY):
        assert problem.rule and problem.message and problem.where
