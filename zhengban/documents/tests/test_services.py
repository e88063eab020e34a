import io
import shutil

import pytest
from django.core.management import call_command

from zhengban.audit.models import AuditRecord
from zhengban.documents import services
from zhengban.documents.archive import (
    archival_code,
    build_package,
    propose_retention,
    verify_package,
)
from zhengban.documents.content import OfficialDocument
from zhengban.documents.models import (
    DocumentNumber,
    NumberAct,
    NumberStatus,
    SealKind,
    SealStatus,
    SealUse,
)
from zhengban.documents.render import render_pdf
from zhengban.documents.render.samples import sample_letter, sample_notice
from zhengban.documents.seals import decrypt_private_key, verify_file


@pytest.fixture
def series(organization, clerk):
    return services.series_create(
        organization=organization, organ_code="沈政办", name="发", kind="outgoing", actor=clerk
    )


def test_numbers_are_gapless_and_formatted(series, clerk):
    numbers = [
        services.number_allocate(series=series, year=2026, actor=clerk, purpose=f"文{k}")
        for k in range(3)
    ]
    assert [n.text for n in numbers] == [
        "沈政办发〔2026〕1号",
        "沈政办发〔2026〕2号",
        "沈政办发〔2026〕3号",
    ]
    assert services.number_allocate(series=series, year=2025, actor=clerk).sequence == 1
    assert AuditRecord.objects.filter(action="documents.number_allocate").count() == 4


def test_a_rolled_back_allocation_returns_its_number(series, clerk):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.number_allocate(series=series, year=2026, actor=clerk)
        raise RuntimeError("签发失败")
    assert services.number_allocate(series=series, year=2026, actor=clerk).sequence == 1


def test_voiding_and_reusing_are_recorded_acts(series, clerk):
    number = services.number_allocate(series=series, year=2026, actor=clerk, purpose="关于甲的通知")
    with pytest.raises(services.DocumentsError, match="理由"):
        services.number_void(number=number, reason=" ", actor=clerk)
    with pytest.raises(services.DocumentsError, match="未作废"):
        services.number_reuse(number=number, purpose="乙", reason="重用", actor=clerk)
    services.number_void(number=number, reason="文件撤回，不再印发", actor=clerk)
    number.refresh_from_db()
    assert number.status == NumberStatus.VOIDED
    # a voided number is never handed out again by the allocator
    assert services.number_allocate(series=series, year=2026, actor=clerk).sequence == 2
    services.number_reuse(
        number=number, purpose="关于乙的通知", reason="经秘书长同意启用", actor=clerk
    )
    number.refresh_from_db()
    assert number.status == NumberStatus.IN_USE and number.purpose == "关于乙的通知"
    acts = list(NumberAct.objects.filter(number=number).values_list("kind", "reason"))
    assert acts == [("allocate", ""), ("void", "文件撤回，不再印发"), ("reuse", "经秘书长同意启用")]
    void = AuditRecord.objects.get(action="documents.number_void")
    assert void.changes["reason"] == "文件撤回，不再印发"
    assert AuditRecord.objects.filter(action="documents.number_reuse").count() == 1
    assert DocumentNumber.objects.filter(series=series).count() == 2


def test_series_are_unique_per_organization(series, organization, clerk):
    with pytest.raises(services.DocumentsError, match="已存在"):
        services.series_create(
            organization=organization, organ_code="沈政办", name="发", kind="outgoing", actor=clerk
        )
    with pytest.raises(services.DocumentsError, match="机关代字"):
        services.series_create(
            organization=organization, organ_code="沈政办1", name="函", kind="letter", actor=clerk
        )


@pytest.fixture
def seal(organization, clerk):
    return services.seal_create(
        organization=organization,
        name="沈阳市人民政府办公厅",
        kind=SealKind.OFFICIAL,
        holder=clerk,
        actor=clerk,
    )


def test_seal_keys_are_kept_encrypted(seal):
    private = decrypt_private_key(bytes(seal.private_key))
    assert len(private) == 64 and private not in bytes(seal.private_key).hex()
    assert len(seal.public_key) == 128
    assert bytes(seal.image)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "private" not in str(AuditRecord.objects.get(action="documents.seal_create").changes)


@pytest.mark.parametrize("fmt", ["pdf", "ofd"])
def test_sealed_file_verifies_and_one_changed_byte_fails(seal, clerk, fmt, tmp_path, capsys):
    doc = sample_letter()
    sealed = services.seal_apply(seal=seal, document=doc, file_format=fmt, copies=5, actor=clerk)
    result = verify_file(sealed)
    assert result.ok, result.problems
    assert result.seal_code == seal.code and result.seal_name == seal.name
    assert result.document["number"] == doc.number
    use = SealUse.objects.get()
    assert use.copies == 5 and use.document_number == doc.number and use.actor == clerk
    assert AuditRecord.objects.filter(action="documents.seal_use").count() == 1
    # one byte changed, in the content and in the signature block
    for position in (len(sealed) // 3, len(sealed) - 200):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        assert not verify_file(bytes(tampered)).ok
    # the CLI says which seal, and exits 1 for the tampered copy
    good, bad = tmp_path / f"good.{fmt}", tmp_path / f"bad.{fmt}"
    good.write_bytes(sealed)
    tampered = bytearray(sealed)
    tampered[len(sealed) // 2] ^= 0xFF
    bad.write_bytes(bytes(tampered))
    call_command("documents", "verify", str(good))
    assert seal.name in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit:
        call_command("documents", "verify", str(bad))
    assert exit.value.code == 1


def test_a_suspended_seal_cannot_be_used(seal, clerk):
    services.seal_set_status(seal=seal, status=SealStatus.SUSPENDED, reason="印章更换", actor=clerk)
    with pytest.raises(services.DocumentsError, match="停用"):
        services.seal_apply(seal=seal, document=sample_letter(), file_format="pdf", actor=clerk)


def test_seal_image_sits_at_the_signature(seal, clerk):
    from zhengban.documents.render.layout import layout_document

    layout = layout_document(sample_letter(), seal_png=bytes(seal.image))
    pictures = [(i, p) for i, page in enumerate(layout.pages) for p in page.pictures]
    assert len(pictures) == 1
    index, pic = pictures[0]
    page = layout.pages[index]
    date = next(r for r in page.runs if r.text.startswith("2026"))
    sig = next(r for r in page.runs if r.text == "沈阳市人民政府办公厅" and r.role == "fangsong")
    # the seal presses both 署名 and 成文日期, centred on the date
    assert pic.y < sig.y < date.y < pic.y + pic.h
    assert abs((pic.x + pic.w / 2) - (date.x + date.width / 2)) < 1
    # §7.3.5.1: the date 4 characters in from the right edge of the type area
    assert abs((28 + 156) - (date.x + date.width) - 4 * 156 / 28) < 0.5


def test_unverifiable_inputs(tmp_path):
    assert not verify_file(b"hello").ok
    assert "没有电子印章" in verify_file(render_pdf(sample_letter())).message


# --- archive -------------------------------------------------------------------------------


def test_retention_proposals():
    assert (
        propose_retention(OfficialDocument(doc_type="决定", title="关于表彰的决定")).retention
        == "Y"
    )
    assert (
        propose_retention(OfficialDocument(doc_type="函", title="关于商请的函")).retention == "D10"
    )
    assert (
        propose_retention(OfficialDocument(doc_type="通知", title="关于放假的通知")).retention
        == "D30"
    )
    assert propose_retention(OfficialDocument(doc_type="通知"), incoming=True).retention == "D10"
    assert (
        propose_retention(OfficialDocument(doc_type="纪要", title="市政府常务会议纪要")).retention
        == "Y"
    )
    assert propose_retention(OfficialDocument(doc_type="请示"), important=True).retention == "Y"
    assert (
        archival_code(fonds="0194", year=2016, retention="D30", unit="BGS", item=1)
        == "0194-WS·2016-D30-BGS-0001"
    )


def test_archive_items_package_and_verify(organization, clerk, tmp_path, capsys):
    from pypdf import PdfReader

    notice, letter = sample_notice(), sample_letter()
    items = [
        services.archive_item_create(
            organization=organization,
            document=doc,
            pdf=render_pdf(doc),
            fonds="0194",
            unit_code="BGS",
            actor=clerk,
        )
        for doc in (notice, letter, sample_letter())
    ]
    assert [i.archival_code for i in items] == [
        "0194-WS·2026-D30-BGS-0001",
        "0194-WS·2026-D10-BGS-0001",
        "0194-WS·2026-D10-BGS-0002",
    ]
    # the 归档章 is on page 1 of the archived PDF
    text = PdfReader(io.BytesIO(bytes(items[0].file))).pages[0].extract_text().replace("\x00", "")
    for value in ("0194", "2026", "0001", "BGS", "定期30年", str(items[0].pages)):
        assert value in text
    from zhengban.documents.archive import SUMS, SUMS_TAG, sm3
    from zhengban.documents.archive_services import package_tag

    root = build_package(items, tmp_path, fonds="0194", year=2026, tag=package_tag)
    assert verify_package(root, tag=package_tag) == []
    call_command("archive", "verify", str(root))
    assert "完整" in capsys.readouterr().out
    # A file changed and the checksum list rewritten to match: only the keyed tag tells.
    target = sorted(root.rglob("*.xml"))[0]
    rel = target.relative_to(root).as_posix()
    original, sums = target.read_bytes(), (root / SUMS).read_text(encoding="utf-8")
    target.write_bytes(original + b" ")
    (root / SUMS).write_text(
        "\n".join(
            f"{sm3(target.read_bytes())}  {rel}" if line.endswith(f"  {rel}") else line
            for line in sums.splitlines()
        )
        + "\n",
        encoding="utf-8",
    )
    assert verify_package(root) == []  # consistent without the key
    assert [p.path for p in verify_package(root, tag=package_tag)] == [SUMS_TAG]
    with pytest.raises(SystemExit):
        call_command("archive", "verify", str(root))
    assert "完整性标记不符" in capsys.readouterr().err
    target.write_bytes(original)
    (root / SUMS).write_text(sums, encoding="utf-8")
    # break three things: alter a PDF, delete an XML, add a stray file
    pdfs = sorted(root.rglob("*.pdf"))
    data = bytearray(pdfs[0].read_bytes())
    data[100] ^= 0x01
    pdfs[0].write_bytes(bytes(data))
    xml = sorted(root.rglob("*-0002.xml"))[0]
    xml.unlink()
    (root / "stray.txt").write_text("x")
    failing = {p.path for p in verify_package(root, tag=package_tag)}
    assert pdfs[0].relative_to(root).as_posix() in failing
    assert xml.relative_to(root).as_posix() in failing
    assert "stray.txt" in failing
    with pytest.raises(SystemExit) as exit:
        call_command("archive", "verify", str(root))
    assert exit.value.code == 1
    err = capsys.readouterr().err
    assert pdfs[0].name in err and xml.name in err and "stray.txt" in err
    shutil.rmtree(root)
