"""Electronic seals: key pairs, the seal impression, signing rendered files, verifying them.

The signer interface is shaped after GB/T 38540 (电子签章): a seal (SES_Seal: identifier,
name, type, validity, the signer's public key, a digest of the impression) and a signature
(SES_Signature: the seal, the time, the SM3 digest of the signed data, a description of the
document, the algorithm, and the signature value). An office that has a certified seal
service plugs it in as another `Signer` (registered by name); the default signer does
SM2-with-SM3 with `gmssl` and keeps each seal's private key in the registry, encrypted with
SM4 under a key derived from the deployment's secret (ZHENGBAN_SEAL_KEY, else SECRET_KEY).
The structures are serialised as canonical JSON, not the standard's ASN.1 DER.

Where the signature goes:
- PDF: an incremental update appended after the rendered file's %%EOF holds the signature
  object; the signature covers every byte before it, and the update itself is rebuilt and
  compared byte for byte when verifying, so a change anywhere is found.
- OFD: the GB/T 33190 signature parts (Doc_0/Signs/Signatures.xml, Sign_0/Signature.xml with
  an SM3 CheckValue of every file, SignedValue.dat with the SES_Signature over Signature.xml).
Both carry an HMAC-SM3 integrity tag under the deployment's key, so a file re-signed with a
stolen key pair outside this system does not verify as ours.
"""

import base64
import hashlib
import hmac
import io
import json
import math
import os
import re
import secrets
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

SM2_ALG = "1.2.156.10197.1.501"  # SM2 signature with SM3
SM3_ALG = "1.2.156.10197.1.401"
MARKER = b"\n%ZHENGBAN-SEAL-BEGIN\n"
NS = "http://www.ofdspec.org/2016"


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def _secret() -> bytes:
    value = os.environ.get("ZHENGBAN_SEAL_KEY")
    if not value:
        from django.conf import settings

        value = settings.SECRET_KEY or "zhengban-development-secret"
    return value.encode()


def _derived(purpose: str) -> bytes:
    return hashlib.new("sm3", f"zhengban-seal-{purpose}|".encode() + _secret()).digest()


def integrity_tag(data_hash: str, signature: str) -> str:
    """HMAC-SM3 over the signed digest and the signature value, under the deployment key."""
    return hmac.new(_derived("hmac"), f"{data_hash}|{signature}".encode(), "sm3").hexdigest()


# --- keys ----------------------------------------------------------------------------------


def generate_keypair() -> tuple[str, str]:
    """A fresh SM2 key pair as (private hex, public hex x||y)."""
    from gmssl import sm2

    table = sm2.default_ecc_table
    n = int(table["n"], 16)
    d = secrets.randbelow(n - 2) + 1
    private = f"{d:064x}"
    # gmssl has no key generation of its own; _kg is its scalar multiplication.
    public = sm2.CryptSM2(private_key=private, public_key="")._kg(d, table["g"])
    return private, public


def encrypt_private_key(private_hex: str) -> bytes:
    from gmssl.sm4 import SM4_ENCRYPT, CryptSM4

    iv = secrets.token_bytes(16)
    cipher = CryptSM4()
    cipher.set_key(_derived("sm4")[:16], SM4_ENCRYPT)
    return iv + cipher.crypt_cbc(iv, bytes.fromhex(private_hex))


def decrypt_private_key(blob: bytes) -> str:
    from gmssl.sm4 import SM4_DECRYPT, CryptSM4

    cipher = CryptSM4()
    cipher.set_key(_derived("sm4")[:16], SM4_DECRYPT)
    return cipher.crypt_cbc(bytes(blob[:16]), bytes(blob[16:])).hex()


# --- signers -------------------------------------------------------------------------------


class Signer:
    """The pluggable signing service. `sign` receives the seal and the bytes to sign (the
    canonical SES_Signature toSign part) and returns the signature value (hex)."""

    name = ""
    algorithm = SM2_ALG

    def sign(self, seal: "SealInfo", data: bytes) -> str:
        raise NotImplementedError

    def verify(self, public_key: str, data: bytes, signature: str) -> bool:
        raise NotImplementedError


class SM2Signer(Signer):
    name = "sm2"

    def sign(self, seal: "SealInfo", data: bytes) -> str:
        from gmssl import sm2

        if not seal.private_key:
            raise SealError("该印章没有可用的私钥")
        crypt = sm2.CryptSM2(private_key=seal.private_key, public_key=seal.public_key)
        return crypt.sign_with_sm3(data, secrets.token_hex(32))

    def verify(self, public_key: str, data: bytes, signature: str) -> bool:
        from gmssl import sm2

        try:
            return bool(
                sm2.CryptSM2(private_key="", public_key=public_key).verify_with_sm3(signature, data)
            )
        except Exception:
            return False


SIGNERS: dict[str, Signer] = {"sm2": SM2Signer()}


def register_signer(signer: Signer) -> None:
    SIGNERS[signer.name] = signer


class SealError(ValueError):
    pass


@dataclass
class SealInfo:
    """What signing needs of a registry seal (SES_Seal plus the key)."""

    code: str
    name: str
    kind: str
    organization: str
    public_key: str
    image: bytes = field(repr=False)
    private_key: str = field(default="", repr=False)
    signer: str = "sm2"

    def ses_seal(self) -> dict:
        return {
            "version": 4,
            "esID": self.code,
            "property": {
                "type": self.kind,
                "name": self.name,
                "organization": self.organization,
                "publicKey": self.public_key,
            },
            "picture": {"type": "png", "sm3": sm3(self.image)},
        }


def _canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def make_signature(
    seal: SealInfo, data: bytes, *, document: dict, at: datetime | None = None
) -> dict:
    signer = SIGNERS.get(seal.signer)
    if signer is None:
        raise SealError(f"未知的签章服务：{seal.signer}")
    to_sign = {
        "version": 4,
        "eseal": seal.ses_seal(),
        "timeInfo": (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "dataHash": sm3(data),
        "dataLength": len(data),
        "propertyInfo": document,
        "signatureAlgID": signer.algorithm,
        "signer": signer.name,
    }
    value = signer.sign(seal, _canonical(to_sign))
    return {"toSign": to_sign, "signature": value, "tag": integrity_tag(to_sign["dataHash"], value)}


# --- sealing files -------------------------------------------------------------------------


def seal_pdf(pdf: bytes, seal: SealInfo, *, document: dict) -> tuple[bytes, dict]:
    if not pdf.rstrip().endswith(b"%%EOF"):
        raise SealError("不是完整的 PDF 文件")
    signature = make_signature(seal, pdf, document=document)
    return pdf + _pdf_update(pdf, signature), signature


def _pdf_update(pdf: bytes, signature: dict) -> bytes:
    tail = pdf[-4096:].decode("latin-1")
    startxref = int(re.findall(r"startxref\s+(\d+)", tail)[-1])
    trailer = pdf[pdf.rfind(b"trailer") :].decode("latin-1")
    size = int(re.search(r"/Size\s+(\d+)", trailer)[1])
    root = re.search(r"/Root\s+(\d+\s+\d+\s+R)", trailer)[1]
    info = re.search(r"/Info\s+(\d+\s+\d+\s+R)", trailer)
    payload = base64.b64encode(_canonical(signature))
    obj_offset = len(pdf) + len(MARKER)
    obj = f"{size} 0 obj\n<< /Type /ZhengbanSeal /Length {len(payload)} >>\nstream\n".encode()
    body = obj + payload + b"\nendstream\nendobj\n"
    xref_offset = obj_offset + len(body)
    xref = f"xref\n{size} 1\n{obj_offset:010d} 00000 n \n".encode()
    info_part = f" /Info {info[1]}" if info else ""
    trailer_out = (
        f"trailer\n<< /Size {size + 1} /Root {root}{info_part} /Prev {startxref} "
        f"/ZhengbanSeal {size} 0 R >>\nstartxref\n{xref_offset}\n%%EOF\n"
    ).encode()
    return MARKER + body + xref + trailer_out


def seal_ofd(
    ofd: bytes, seal: SealInfo, *, document: dict, stamp_box: tuple | None = None
) -> tuple[bytes, dict]:
    src = zipfile.ZipFile(io.BytesIO(ofd))
    files = {n: src.read(n) for n in src.namelist()}
    if "OFD.xml" not in files:
        raise SealError("不是 OFD 文件")
    ET.register_namespace("ofd", NS)
    root = ET.fromstring(files["OFD.xml"])
    body = root.find(f"{{{NS}}}DocBody")
    ET.SubElement(body, f"{{{NS}}}Signatures").text = "Doc_0/Signs/Signatures.xml"
    files["OFD.xml"] = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    signs = ET.Element(f"{{{NS}}}Signatures")
    ET.SubElement(
        signs, f"{{{NS}}}Signature", {"ID": "1", "Type": "Seal", "BaseLoc": "Sign_0/Signature.xml"}
    )
    files["Doc_0/Signs/Signatures.xml"] = ET.tostring(signs, encoding="UTF-8", xml_declaration=True)
    sig = ET.Element(f"{{{NS}}}Signature")
    info = ET.SubElement(sig, f"{{{NS}}}SignedInfo")
    ET.SubElement(
        info, f"{{{NS}}}Provider", {"ProviderName": "zhengban", "Company": seal.organization}
    )
    ET.SubElement(info, f"{{{NS}}}SignatureMethod").text = SM2_ALG
    ET.SubElement(info, f"{{{NS}}}SignatureDateTime").text = datetime.now(UTC).strftime(
        "%Y%m%d%H%M%SZ"
    )
    refs = ET.SubElement(info, f"{{{NS}}}References", {"CheckMethod": SM3_ALG})
    for name in sorted(files):
        ref = ET.SubElement(refs, f"{{{NS}}}Reference", {"FileRef": "/" + name})
        ET.SubElement(ref, f"{{{NS}}}CheckValue").text = base64.b64encode(
            hashlib.new("sm3", files[name]).digest()
        ).decode()
    if stamp_box:
        ET.SubElement(
            info,
            f"{{{NS}}}StampAnnot",
            {
                "ID": "1",
                "PageRef": str(stamp_box[0]),
                "Boundary": " ".join(f"{v:.3f}" for v in stamp_box[1:]),
            },
        )
    ET.SubElement(sig, f"{{{NS}}}SignedValue").text = "/Doc_0/Signs/Sign_0/SignedValue.dat"
    signature_xml = ET.tostring(sig, encoding="UTF-8", xml_declaration=True)
    signature = make_signature(seal, signature_xml, document=document)
    files["Doc_0/Signs/Sign_0/Signature.xml"] = signature_xml
    files["Doc_0/Signs/Sign_0/SignedValue.dat"] = _canonical(signature)
    from .render.ofd import zip_parts

    return zip_parts(files), signature


# --- verification --------------------------------------------------------------------------


@dataclass
class VerifyResult:
    ok: bool
    message: str
    format: str = ""
    seal_code: str = ""
    seal_name: str = ""
    organization: str = ""
    signed_at: str = ""
    document: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def verify_file(data: bytes) -> VerifyResult:
    if data[:5] == b"%PDF-":
        return _verify_pdf(data)
    if data[:4] == b"PK\x03\x04":
        return _verify_ofd(data)
    return VerifyResult(False, "不是 PDF 或 OFD 文件")


def _check_signature(signature: dict, data: bytes, fmt: str) -> VerifyResult:
    problems = []
    to_sign = signature.get("toSign", {})
    seal = to_sign.get("eseal", {})
    prop = seal.get("property", {})
    result = VerifyResult(
        False,
        "",
        format=fmt,
        seal_code=seal.get("esID", ""),
        seal_name=prop.get("name", ""),
        organization=prop.get("organization", ""),
        signed_at=to_sign.get("timeInfo", ""),
        document=to_sign.get("propertyInfo", {}),
    )
    if to_sign.get("dataHash") != sm3(data) or to_sign.get("dataLength") != len(data):
        problems.append("文件内容在盖章后被改动（摘要不符）")
    signer = SIGNERS.get(to_sign.get("signer", "sm2"))
    value = signature.get("signature", "")
    if signer is None or not signer.verify(prop.get("publicKey", ""), _canonical(to_sign), value):
        problems.append("签名值无效")
    if not hmac.compare_digest(
        signature.get("tag", ""), integrity_tag(to_sign.get("dataHash", ""), value)
    ):
        problems.append("完整性标记（HMAC-SM3）不符：不是本系统签署的文件")
    problems.extend(_registry_problems(result.seal_code, prop.get("publicKey", "")))
    result.problems = problems
    result.ok = not problems
    who = f"“{result.seal_name}”（{result.seal_code}）"
    if result.ok:
        result.message = f"文件自盖章后未被改动；由印章{who}于 {result.signed_at} 签署"
    else:
        result.message = f"校验失败（印章{who}）：" + "；".join(problems)
    return result


def _registry_problems(code: str, public_key: str) -> list[str]:
    """Cross-check with the seal registry when a database is at hand."""
    from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured
    from django.db import DatabaseError

    try:
        from .models import Seal, SealStatus

        seal = Seal.objects.filter(code=code).first()
    except (DatabaseError, ImproperlyConfigured, AppRegistryNotReady):
        return []  # no registry here: the file's own signature and tag still count
    if seal is None:
        return []
    if seal.public_key != public_key:
        return ["签名公钥与印章库中的印章不符"]
    if seal.status == SealStatus.REVOKED:
        return ["该印章已注销"]
    return []


def _verify_pdf(data: bytes) -> VerifyResult:
    at = data.rfind(MARKER)
    if at < 0:
        return VerifyResult(False, "文件没有电子印章", format="pdf")
    signed = data[:at]
    section = data[at:]
    m = re.search(rb"stream\n([A-Za-z0-9+/=]+)\nendstream", section)
    if not m:
        return VerifyResult(
            False, "电子印章数据已损坏", format="pdf", problems=["签章对象无法读取"]
        )
    try:
        signature = json.loads(base64.b64decode(m[1], validate=True))
    except ValueError:
        return VerifyResult(
            False, "电子印章数据已损坏", format="pdf", problems=["签章对象无法读取"]
        )
    result = _check_signature(signature, signed, "pdf")
    try:
        expected = _pdf_update(signed, signature)
    except (ValueError, TypeError, IndexError):
        expected = b""
    if expected != section:
        result.problems.append("签章之后的文件结构被改动")
        result.ok = False
        result.message = (
            f"校验失败（印章“{result.seal_name}”（{result.seal_code}））："
            + "；".join(result.problems)
        )
    return result


def _verify_ofd(data: bytes) -> VerifyResult:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        files = {n: z.read(n) for n in z.namelist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        return VerifyResult(False, f"文件已损坏：{exc}", format="ofd", problems=["压缩包损坏"])
    except Exception as exc:  # zlib.error and friends on a corrupted member
        return VerifyResult(False, f"文件已损坏：{exc}", format="ofd", problems=["压缩包损坏"])
    sig_xml = files.get("Doc_0/Signs/Sign_0/Signature.xml")
    value = files.get("Doc_0/Signs/Sign_0/SignedValue.dat")
    if sig_xml is None or value is None:
        return VerifyResult(False, "文件没有电子印章", format="ofd")
    try:
        signature = json.loads(value)
        root = ET.fromstring(sig_xml)
    except (ValueError, ET.ParseError):
        return VerifyResult(
            False, "电子印章数据已损坏", format="ofd", problems=["签章数据无法读取"]
        )
    result = _check_signature(signature, sig_xml, "ofd")
    listed = set()
    for ref in root.iter(f"{{{NS}}}Reference"):
        name = ref.get("FileRef", "").lstrip("/")
        listed.add(name)
        check = ref.find(f"{{{NS}}}CheckValue")
        got = files.get(name)
        want = check.text if check is not None else ""
        if got is None:
            result.problems.append(f"{name} 缺失")
        elif base64.b64encode(hashlib.new("sm3", got).digest()).decode() != want:
            result.problems.append(f"{name} 在盖章后被改动")
    own = {"Doc_0/Signs/Sign_0/Signature.xml", "Doc_0/Signs/Sign_0/SignedValue.dat"}
    for name in sorted(set(files) - listed - own):
        result.problems.append(f"{name} 是盖章后加入的")
    if result.problems:
        result.ok = False
        result.message = (
            f"校验失败（印章“{result.seal_name}”（{result.seal_code}））："
            + "；".join(result.problems)
        )
    return result


# --- the impression ------------------------------------------------------------------------


def seal_image(organization: str, name: str = "", *, size: int = 500) -> bytes:
    """A red round seal impression (PNG with transparency): the organization's name along the
    upper rim, a five-pointed star in the centre, the seal's own name below it."""
    from PIL import Image, ImageDraw, ImageFont

    from .render.fonts import face

    f = face("songti")
    scale = 3
    big = size * scale
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    red = (230, 0, 18, 235)
    ring = int(big * 0.035)
    draw.ellipse([ring // 2, ring // 2, big - ring // 2, big - ring // 2], outline=red, width=ring)
    c = big / 2
    r_star = big * 0.17
    points = []
    for k in range(10):
        radius = r_star if k % 2 == 0 else r_star * 0.382
        angle = -math.pi / 2 + k * math.pi / 5
        points.append((c + radius * math.cos(angle), c + radius * math.sin(angle)))
    draw.polygon(points, fill=red)
    bold = ImageFont.truetype(face("heiti").path, int(big * 0.11), index=face("heiti").index)
    text = organization
    span = math.radians(min(250, 22 * len(text)))
    radius = big / 2 - ring - big * 0.09
    for k, ch in enumerate(text):
        angle = -math.pi / 2 - span / 2 + span * (k + 0.5) / len(text)
        tile = Image.new("RGBA", (int(big * 0.14), int(big * 0.14)), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text(
            (tile.width / 2, tile.height / 2), ch, font=bold, fill=red, anchor="mm"
        )
        tile = tile.rotate(-math.degrees(angle + math.pi / 2), resample=Image.BICUBIC)
        x = c + radius * math.cos(angle) - tile.width / 2
        y = c + radius * math.sin(angle) - tile.height / 2
        img.alpha_composite(tile, (int(x), int(y)))
    if name:
        small = ImageFont.truetype(f.path, int(big * 0.075), index=f.index)
        draw.text((c, c + big * 0.28), name, font=small, fill=red, anchor="mm")
    img = img.resize((size, size), Image.LANCZOS)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
