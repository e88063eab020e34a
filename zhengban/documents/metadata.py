"""GB/T 33480 core metadata of an official document, as a dict and as XML.

The element names are the standard's Chinese names as listed in the issue and regs.md; the
standard's own XML schema (tag spellings, codes) was not available to read, so the XML here
uses those names as tags under one root — an exchange partner that needs the exact schema maps
them one to one.
"""

from xml.etree import ElementTree as ET

from .content import OfficialDocument

FIELDS = (
    "公文标识",
    "文种",
    "份号",
    "密级",
    "保密期限",
    "紧急程度",
    "发文机关标志",
    "发文字号",
    "签发人",
    "标题",
    "主送",
    "附件说明",
    "署名",
    "成文日期",
    "附注",
    "抄送",
    "印发机关",
    "印发日期",
    "发布层次",
)


def core_metadata(doc: OfficialDocument) -> dict[str, str]:
    return {
        "公文标识": doc.identifier,
        "文种": doc.doc_type,
        "份号": doc.copy_number,
        "密级": doc.secrecy,
        "保密期限": doc.secrecy_period,
        "紧急程度": doc.urgency,
        "发文机关标志": doc.issuer_mark,
        "发文字号": doc.number,
        "签发人": "、".join(doc.signers),
        "标题": doc.title,
        "主送": "，".join(doc.recipients),
        "附件说明": "；".join(doc.attachment_note),
        "署名": "、".join(doc.signature),
        "成文日期": doc.date.isoformat() if doc.date else doc.date_text,
        "附注": doc.note,
        "抄送": "，".join(doc.cc),
        "印发机关": doc.printer,
        "印发日期": doc.print_date.isoformat() if doc.print_date else doc.print_date_text,
        "发布层次": doc.release_scope,
    }


def metadata_xml(doc: OfficialDocument) -> bytes:
    root = ET.Element("电子公文元数据", {"标准": "GB/T 33480"})
    for name, value in core_metadata(doc).items():
        ET.SubElement(root, name).text = value
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)
