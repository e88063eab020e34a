"""Bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""

from .errors import SandingError

_CONTROL_OK = {"\n", "\r", "\t", "\f", "\v"}


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    controls = sum(
        1 for ch in text if (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0) and ch not in _CONTROL_OK
    )
    return controls > max(2, len(text) // 100)


def decode_bytes(data: bytes) -> str:
    """Decode a regulation file; SandingError for binary or undecodable data."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", data)]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", data)]
    else:
        if b"\x00" in data:
            raise SandingError("文件是二进制数据，不是文本 / binary data, not text")
        candidates = [("utf-8", data), ("gb18030", data)]
    for encoding, payload in candidates:
        try:
            text = payload.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise SandingError("文件是二进制数据，不是文本 / binary data, not text")
        return text
    raise SandingError(
        "无法识别文件编码（应为UTF-8或GB18030）/ undecodable: expected UTF-8 or GB18030"
    )
