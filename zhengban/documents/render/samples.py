"""The sample documents `zhengban documents render-sample` writes: a 通知 with 附件说明 and
版记, a 函 and a 纪要 (invented content in the real formats)."""

import shutil
import subprocess
from pathlib import Path

from ..content import Attachment, OfficialDocument, Paragraph


def sample_notice() -> OfficialDocument:
    body = [
        "为切实做好2026年春节、元宵节期间安全生产工作，保障人民群众生命财产安全，经市政府同意，现就有关事项通知如下。",
        "一、提高思想认识，压实安全责任",
        "（一）强化组织领导。各地区、各部门要把节日期间安全生产工作摆上重要位置，主要负责同志要亲自部署、亲自督促，分管负责同志要深入一线、靠前指挥。",
        "（二）落实企业主体责任。督促各类生产经营单位严格落实全员安全生产责任制，开展节前安全检查，及时消除事故隐患。",
        "二、突出重点领域，狠抓隐患整治",
        "（一）道路交通安全。加强客运车辆、危险化学品运输车辆和校车安全管理，严厉查处超速、超员、疲劳驾驶和酒后驾驶等违法行为。",
        "（二）消防安全。",
        "1.加强人员密集场所检查。对商场、市场、宾馆、饭店、娱乐场所等开展消防安全检查，确保疏散通道、安全出口畅通。",
        "2.规范烟花爆竹管理。严格落实烟花爆竹禁限放规定，加强生产、经营、储存、运输和燃放各环节安全监管。",
        "三、加强应急值守，及时报告信息",
        "节日期间各地区、各部门要严格执行24小时值班和领导带班制度，值班人员要坚守岗位，保持通讯畅通。发生较大以上生产安全事故，要在事发后1小时内向市政府总值班室报告，不得迟报、漏报、谎报、瞒报。",
        "请各地区、各部门于2026年1月20日前将值班安排报市政府总值班室。",
    ]
    return OfficialDocument(
        doc_type="通知",
        identifier="sample-notice",
        issuer_mark="沈阳市人民政府办公厅文件",
        number="沈政办发〔2026〕12号",
        urgency="加急",
        title="沈阳市人民政府办公厅关于做好2026年春节元宵节期间安全生产工作的通知",
        recipients=["各区、县（市）人民政府", "市政府各部门、各直属机构"],
        body=[Paragraph(t) for t in body],
        attachment_note=["春节期间值班安排表", "安全生产检查重点单位名单"],
        attachments=[
            Attachment("春节期间值班安排表", [Paragraph("（略）")]),
            Attachment("安全生产检查重点单位名单", [Paragraph("（略）")]),
        ],
        signature=["沈阳市人民政府办公厅"],
        date_text="2026年1月5日",
        note="此件公开发布",
        cc=["市委办公厅", "市人大常委会办公厅", "市政协办公厅", "市纪委监委"],
        printer="沈阳市人民政府办公厅",
        print_date_text="2026年1月5日",
        release_scope="主动公开",
    )


def sample_letter() -> OfficialDocument:
    body = [
        "你厅《关于商请提供2025年度政务公开工作情况的函》收悉。经研究，现将有关情况函复如下。",
        "2025年，我市共主动公开政府信息12863条，受理政府信息公开申请436件，均在法定期限内答复。",
        "目前，我市已完成市、区两级政府门户网站政策文件库建设，实现现行有效规范性文件集中统一公开。",
        "特此函复。",
    ]
    return OfficialDocument(
        doc_type="函",
        identifier="sample-letter",
        issuer_mark="沈阳市人民政府办公厅",
        number="沈政办函〔2026〕7号",
        title="沈阳市人民政府办公厅关于提供2025年度政务公开工作情况的复函",
        recipients=["辽宁省人民政府办公厅"],
        body=[Paragraph(t) for t in body],
        signature=["沈阳市人民政府办公厅"],
        date_text="2026年2月3日",
        note="联系人：王明，电话：024-22722000",
        cc=["市政务服务中心"],
    )


def sample_minutes() -> OfficialDocument:
    body = [
        "2026年3月2日，市长张三主持召开市政府第二十一次常务会议，研究部署城市更新和营商环境建设等工作。纪要如下。",
        "一、关于城市更新行动实施方案",
        "会议原则同意市住房城乡建设局提出的实施方案。会议要求，要坚持规划引领，统筹推进老旧小区改造、背街小巷整治和历史文化街区保护，市财政局要做好资金保障。",
        "二、关于优化营商环境若干措施",
        "会议原则通过《沈阳市优化营商环境若干措施》，由市政府办公厅按程序印发。各部门要在30日内制定配套细则。",
    ]
    return OfficialDocument(
        doc_type="纪要",
        identifier="sample-minutes",
        issuer_mark="沈阳市人民政府常务会议纪要",
        number="沈政办纪要〔2026〕3号",
        title="市政府第二十一次常务会议纪要",
        body=[Paragraph(t) for t in body],
        attendance={
            "出席": ["张三", "李四", "王五", "赵六", "钱七", "孙八"],
            "请假": ["周九"],
            "列席": ["市政府办公厅", "市发展改革委", "市财政局", "市住房城乡建设局主要负责同志"],
        },
        date_text="2026年3月2日",
        cc=["市委办公厅", "市人大常委会办公厅"],
        printer="沈阳市人民政府办公厅",
        print_date_text="2026年3月3日",
    )


SAMPLES = {"notice": sample_notice, "letter": sample_letter, "minutes": sample_minutes}


def write_samples(out: Path, *, png: bool = False) -> list[Path]:
    from . import render_docx, render_ofd, render_pdf

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in SAMPLES.items():
        doc = make()
        for ext, render in (("pdf", render_pdf), ("docx", render_docx), ("ofd", render_ofd)):
            path = out / f"{name}.{ext}"
            path.write_bytes(render(doc))
            written.append(path)
        if png and shutil.which("pdftoppm"):
            target = out / f"{name}-page1"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "60",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(out / f"{name}.pdf"),
                    str(target),
                ],
                check=True,
            )
            written.append(target.with_suffix(".png"))
    return written
