"""Deep upload inspection: zip bombs, macros, images decoded in full, PDFs parsed, polyglots."""

import io
import zipfile

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from zhengban.security.uploads import UploadRefused, inspect_upload

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
    b"</Types>"
)
DOCUMENT = (
    b'<?xml version="1.0"?><w:document><w:body><w:p>'
    + "通知".encode()
    + b"</w:p></w:body></w:document>"
)
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def office(parts: dict, compression=zipfile.ZIP_DEFLATED) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


def docx(**extra) -> io.BytesIO:
    return office({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": DOCUMENT, **extra})


def image(fmt: str, size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def pdf(javascript: str = "") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if javascript:
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(javascript),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def refused(name, data, declared=None) -> str:
    fileobj = data if hasattr(data, "read") else io.BytesIO(data)
    with pytest.raises(UploadRefused) as error:
        inspect_upload(name, fileobj, declared)
    assert error.value.reason
    return error.value.reason


# --- Office documents ----------------------------------------------------------------------------


def test_an_ordinary_docx_passes():
    assert inspect_upload("通知.docx", docx(), DOCX_TYPE) == "docx"


def test_a_204_kb_docx_inflating_to_200_mb_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * (1024 * 1024)
            for _ in range(200):
                member.write(block)
    assert path.stat().st_size < 250 * 1024  # ~204 KB on disk
    with open(path, "rb") as handle:
        reason = refused("bomb.docx", handle, DOCX_TYPE)
    assert "压缩炸弹" in reason


def test_a_high_ratio_entry_under_the_total_is_refused():
    bomb = docx(**{"word/media/pad.xml": b"\x00" * (8 * 1024 * 1024)})
    assert "压缩炸弹" in refused("a.docx", bomb)


def test_too_many_entries_are_refused(settings):
    settings.UPLOAD_ZIP_MAX_ENTRIES = 10
    parts = {f"word/p{i}.xml": b"<a/>" for i in range(20)}
    assert "条目过多" in refused("a.docx", docx(**parts))


@pytest.mark.parametrize(
    "extra",
    [{"word/vbaProject.bin": b"\x00VBA"}, {"word/activeX/activeX1.bin": b"\x00"}],
)
def test_macro_parts_are_refused(extra):
    assert "宏" in refused("a.docx", docx(**extra))


def test_macro_enabled_content_types_are_refused():
    types = CONTENT_TYPES.replace(
        b"</Types>",
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.'
        b'macroEnabled.main+xml"/></Types>',
    )
    document = office({"[Content_Types].xml": types, "word/document.xml": DOCUMENT})
    assert "宏" in refused("a.docx", document)


@pytest.mark.parametrize("name", ["宏.docm", "表.xlsm", "演示.pptm"])
def test_macro_enabled_names_are_refused(name):
    assert "宏" in refused(name, docx())


def test_xml_entity_declarations_are_refused():
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><w:document/>'
    assert "实体" in refused("a.docx", docx(**{"word/document.xml": laughs}))


def test_ole2_with_a_vba_project_is_refused():
    data = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 500 + "_VBA_PROJECT".encode("utf-16-le")
    assert "宏" in refused("旧.doc", data)
    plain = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 500
    assert inspect_upload("旧.doc", io.BytesIO(plain), "application/msword") == "ole2"


# --- images --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "kind"),
    [("PNG", "a.png", "png"), ("JPEG", "a.jpg", "jpeg"), ("TIFF", "a.tif", "tiff")],
)
def test_ordinary_images_pass(fmt, name, kind):
    assert inspect_upload(name, io.BytesIO(image(fmt)), None) == kind


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "a.png"), ("JPEG", "a.jpg")])
def test_an_image_header_followed_by_html_is_refused(fmt, name):
    assert "网页或脚本" in refused(name, image(fmt) + HTML)


def test_a_png_header_followed_by_html_only_is_refused():
    # The classic polyglot: a valid signature and then a page.
    assert refused("a.png", b"\x89PNG\r\n\x1a\n" + HTML)


def test_data_appended_after_a_png_is_refused():
    assert "末尾" in refused("a.png", image("PNG") + b"\x01\x02payload")


def test_a_truncated_image_is_refused():
    data = image("PNG", (400, 400))
    assert "损坏" in refused("a.png", data[: len(data) // 2])


def test_an_image_too_large_in_pixels_is_refused(settings):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 10_000
    assert "尺寸过大" in refused("a.png", image("PNG", (200, 200)))


def test_an_image_under_the_wrong_extension_or_type_is_refused():
    assert "扩展名" in refused("a.pdf", image("PNG"))
    assert "声明" in refused("a.png", image("PNG"), "application/pdf")
    assert "声明" in refused("a.png", image("PNG"), "text/html")
    assert "声明" in refused("a.png", image("PNG"), "image/svg+xml")


def test_browser_aliases_and_unknown_declared_types_are_accepted():
    assert inspect_upload("a.jpg", io.BytesIO(image("JPEG")), "image/jpg") == "jpeg"
    csv = io.BytesIO("单位,人数\n".encode())
    assert inspect_upload("a.csv", csv, "application/vnd.ms-excel") == "text"
    assert inspect_upload("a.docx", docx(), "application/x-unknown-type") == "docx"


# --- PDF -----------------------------------------------------------------------------------------


def test_an_ordinary_pdf_passes():
    assert inspect_upload("a.pdf", io.BytesIO(pdf()), "application/pdf") == "pdf"


def test_a_pdf_header_followed_by_html_is_refused():
    assert "网页或脚本" in refused("a.pdf", b"%PDF-1.7\n" + HTML)
    assert "网页或脚本" in refused("a.pdf", pdf() + HTML)


def test_a_pdf_that_does_not_parse_is_refused():
    assert "PDF" in refused("a.pdf", b"%PDF-1.7\n1 0 obj garbage")


def test_a_pdf_with_javascript_is_refused():
    assert "脚本" in refused("a.pdf", pdf(javascript="app.alert('x');"))


# --- text and the rest ---------------------------------------------------------------------------


def test_plain_text_passes_in_utf8_and_gb18030():
    assert inspect_upload("a.txt", io.BytesIO("通知正文".encode()), "text/plain") == "text"
    assert inspect_upload("a.csv", io.BytesIO("单位,人数\n".encode("gb18030")), None) == "text"


@pytest.mark.parametrize(
    "data", [HTML, b"\xef\xbb\xbf<script>x</script>", b"#!/bin/sh\nrm -rf /", b"MZ\x90\x00\x03"]
)
def test_pages_scripts_and_executables_are_refused(data):
    refused("a.txt", data)


def test_an_empty_file_is_refused():
    assert "空" in refused("a.txt", b"")


def test_the_file_is_left_at_its_start():
    handle = io.BytesIO(image("PNG"))
    inspect_upload("a.png", handle, "image/png")
    assert handle.tell() == 0
