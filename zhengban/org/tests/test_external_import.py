import io

import pytest
from openpyxl import Workbook

from zhengban.audit.models import AuditRecord
from zhengban.org.choices import ExternalUnitKind, UnitKind
from zhengban.org.models import Duty, Unit, UnitContact
from zhengban.org.services import ImportRefused, external_units_import

pytestmark = pytest.mark.django_db

HEADER = "名称,类别,主要职责,地址,联络员,职务,电话,电子邮箱\n"
EDUCATION = (
    "市教育局,市直部门,负责全市基础教育工作；负责招生考试。指导学校安全工作,"
    "和平区南京南街2号,李晓琳,办公室主任,024-22861234,lxl@example.gov.cn\n"
)
DISTRICT = "沈河区人民政府,区县政府,办理市政府交办的督办事项,,胡桂英,,024-22700000,\n"


def csv_bytes(*rows, encoding="utf-8") -> bytes:
    return (HEADER + "".join(rows)).encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_csv_import_creates_units_with_duties_per_sentence_and_contacts():
    result = external_units_import(file=csv_bytes(EDUCATION, DISTRICT), actor=None)

    assert (result.created, result.updated) == (2, 0)
    education = Unit.objects.get(name="市教育局")
    assert education.kind == UnitKind.EXTERNAL and education.organization is None
    assert education.external_kind == ExternalUnitKind.DEPARTMENT
    assert list(education.duties.values_list("text", flat=True)) == [
        "负责全市基础教育工作",
        "负责招生考试",
        "指导学校安全工作",
    ]
    assert all(d.regulation_id is None and d.kind == "unit" for d in education.duties.all())
    contact = education.contacts.get()
    assert (contact.name, contact.position, contact.phone, contact.email) == (
        "李晓琳",
        "办公室主任",
        "024-22861234",
        "lxl@example.gov.cn",
    )
    assert Unit.objects.get(name="沈河区人民政府").external_kind == ExternalUnitKind.DISTRICT
    assert AuditRecord.objects.filter(action="org.external_units_import").count() == 1


def test_gb18030_csv_is_read():
    result = external_units_import(file=csv_bytes(EDUCATION, encoding="gb18030"), actor=None)
    assert result.created == 1
    assert Unit.objects.filter(name="市教育局").exists()


def test_xlsx_import():
    data = xlsx_bytes(
        [["市民政局", "市直部门", "负责社会救助。负责养老服务", "", "孙佳怡", "", "", ""]]
    )
    result = external_units_import(file=io.BytesIO(data), actor=None)
    assert result.created == 1
    assert Duty.objects.filter(unit__name="市民政局").count() == 2


def test_import_upserts_by_name_and_replaces_duties():
    external_units_import(file=csv_bytes(EDUCATION), actor=None)
    unit_pk = Unit.objects.get(name="市教育局").pk
    changed = EDUCATION.replace(
        "负责全市基础教育工作；负责招生考试。指导学校安全工作", "负责教育督导"
    )

    result = external_units_import(file=csv_bytes(changed), actor=None)

    assert (result.created, result.updated) == (0, 1)
    unit = Unit.objects.get(name="市教育局")
    assert unit.pk == unit_pk
    assert list(unit.duties.values_list("text", flat=True)) == ["负责教育督导"]
    assert UnitContact.objects.filter(unit=unit).count() == 1


def test_bad_rows_are_reported_by_number_and_nothing_is_imported():
    bad_kind = "市公安局,公安,负责治安,,,,,\n"
    bad_email = "市财政局,市直部门,负责预算,,钱建国,,,not-an-email\n"
    no_name = ",市直部门,负责,,,,,\n"
    data = csv_bytes(EDUCATION, bad_kind, bad_email, no_name, EDUCATION)

    with pytest.raises(ImportRefused) as refusal:
        external_units_import(file=data, actor=None)

    rows = [row for row, _message in refusal.value.errors]
    assert rows == [3, 4, 5, 6]
    messages = dict(refusal.value.errors)
    assert "公安" in messages[3]
    assert "电子邮箱" in messages[4]
    assert "第2行" in messages[6]  # duplicate of row 2
    assert not Unit.objects.filter(kind=UnitKind.EXTERNAL).exists()
    assert not AuditRecord.objects.filter(action="org.external_units_import").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "没有内容"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "不是CSV或Excel"),
        (b"PK\x03\x04not really a zip", "不是有效的Excel"),
        ("名称,类别\n市教育局,市直部门\n".encode("utf-16"), "不是CSV或Excel"),
        (b"\xff\xfe\xfa\xfb\x80\x81", "UTF-8或GB18030"),
        (b"a" * (5 * 1024 * 1024 + 1), "超过5 MB"),
        ("名字,类型\n市教育局,市直部门\n".encode(), "缺少列"),
    ],
)
def test_files_that_are_not_a_directory_are_refused(data, message):
    with pytest.raises(ImportRefused) as refusal:
        external_units_import(file=data, actor=None)
    assert message in str(refusal.value)
    assert not Unit.objects.exists()
