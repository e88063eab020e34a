"""Font faces by role (小标宋, 仿宋, 黑体, 楷体, 宋体), configurable per deployment.

Offices install 方正小标宋简体 and 仿宋_GB2312 and point the roles at them, in settings
(`DOCUMENT_FONTS = {"fangsong": "/path/to/仿宋_GB2312.ttf", …}`) or the environment
(`ZHENGBAN_FONT_FANGSONG=/path/file.ttc#2`; `#N` picks a face of a collection, a family name
after `#` works too). The defaults are free fonts from Debian packages the set-up installs:
fonts-noto-cjk (Noto Serif/Sans CJK SC) and fonts-arphic-ukai (AR PL UKai CN). There is no
free simplified 仿宋 in Debian, so the default 仿宋 is Noto Serif CJK SC (a 宋体).
"""

import contextlib
import io
import os
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

NOTO = "/usr/share/fonts/opentype/noto"
DEFAULT_FONTS = {
    "xiaobiaosong": f"{NOTO}/NotoSerifCJK-Bold.ttc#Noto Serif CJK SC",
    "fangsong": f"{NOTO}/NotoSerifCJK-Regular.ttc#Noto Serif CJK SC",
    "heiti": f"{NOTO}/NotoSansCJK-Bold.ttc#Noto Sans CJK SC",
    "kaiti": "/usr/share/fonts/truetype/arphic/ukai.ttc#AR PL UKai CN",
    "songti": f"{NOTO}/NotoSerifCJK-Regular.ttc#Noto Serif CJK SC",
}
ROLE_NAMES = {
    "xiaobiaosong": "小标宋",
    "fangsong": "仿宋",
    "heiti": "黑体",
    "kaiti": "楷体",
    "songti": "宋体",
}


class FontMissing(RuntimeError):
    pass


def configured_fonts() -> dict[str, str]:
    spec = dict(DEFAULT_FONTS)
    try:
        from django.conf import settings

        spec.update(getattr(settings, "DOCUMENT_FONTS", {}) or {})
    except Exception:  # used outside Django (benchmarks, scripts)
        pass
    for role in DEFAULT_FONTS:
        value = os.environ.get(f"ZHENGBAN_FONT_{role.upper()}")
        if value:
            spec[role] = value
    return spec


@dataclass
class Face:
    """One font face: metrics for layout and subsetting for embedding."""

    role: str
    path: str
    index: int
    family: str
    units_per_em: int
    advances: dict[str, float] = field(repr=False)  # char → advance in em
    is_cff: bool = False
    bold: bool = False  # the bold member of its family (selected with w:b in DOCX)

    def has(self, ch: str) -> bool:
        return ch in self.advances

    def advance(self, ch: str) -> float:
        return self.advances.get(ch, 1.0 if ord(ch) > 0x2E80 else 0.5)

    @property
    def file_ext(self) -> str:
        return "otf" if self.is_cff else "ttf"

    def subset(self, chars: set[str]) -> bytes:
        """The face with only `chars` (and .notdef), as an OpenType/TrueType file.

        Cut from a cached base subset (common characters) when it holds every character, so
        a document does not pay for parsing a 65,000-glyph collection."""
        return _document_subset(self.path, self.index, frozenset(c for c in chars if c.strip()))

    def base(self) -> tuple[bytes, frozenset[str]] | None:
        return _base_subset(self.path, self.index)

    def full_bytes(self) -> bytes:
        if self.index == 0 and not self.path.lower().endswith((".ttc", ".otc")):
            return Path(self.path).read_bytes()
        font = _load(self.path, self.index)
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()


@lru_cache(maxsize=32)
def _document_subset(path: str, index: int, wanted: frozenset[str]) -> bytes:
    base = _base_subset(path, index)
    if base is not None and wanted <= base[1]:
        return _subset(io.BytesIO(base[0]), 0, set(wanted))
    return _subset(path, index, set(wanted))


def _subset(source, index: int, chars: set[str], *, desubroutinize: bool = False) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=index, lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = desubroutinize
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in chars} | {0x20})
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _common_chars() -> set[str]:
    """ASCII, the GB 2312 symbol rows and its 3,755 level-1 characters: nearly every official
    document's text. A document with rarer characters is cut from the full face instead."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for hi in [*range(0xA1, 0xAA), *range(0xB0, 0xD8)]:
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([hi, lo]).decode("gb2312"))
    return chars | set("—–…·〔〕【】★●○、。，；：？！“”‘’（）《》〇")


def cache_dir() -> Path:
    """Where base subsets are kept: ZHENGBAN_FONT_CACHE, else the user's cache directory (so
    fresh checkouts on one machine share it), else the var directory."""
    configured = os.environ.get("ZHENGBAN_FONT_CACHE")
    if configured:
        return Path(configured)
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    if os.access(home if home.exists() else home.parent, os.W_OK):
        return home / "zhengban" / "fonts"
    try:
        from django.conf import settings

        return Path(settings.VAR_DIR) / "cache" / "fonts"
    except Exception:
        return Path(os.environ.get("ZHENGBAN_VAR_DIR", "var")) / "cache" / "fonts"


@cache
def _base_subset(path: str, index: int) -> tuple[bytes, frozenset[str]] | None:
    """The common-character cut of a face (see `_common_chars`), cached on disk."""
    import hashlib

    root = cache_dir()
    stat = Path(path).stat()
    key = hashlib.sha1(f"{path}|{index}|{stat.st_size}|{stat.st_mtime_ns}|3".encode()).hexdigest()
    target = root / f"{key[:16]}.font"
    from fontTools.ttLib import TTFont

    cmap = TTFont(path, fontNumber=index, lazy=True).getBestCmap()
    chars = frozenset(c for c in _common_chars() if ord(c) in cmap)
    if target.is_file():
        return target.read_bytes(), chars
    # Without subroutines, cutting a document's subset needs no charstring interpretation.
    data = _subset(path, index, set(chars), desubroutinize=True)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError:
        pass  # a read-only var directory only costs time
    return data, chars


def _load(path: str, index: int):
    from fontTools.ttLib import TTFont

    return TTFont(path, fontNumber=index, lazy=False)


def _split(spec: str) -> tuple[str, str]:
    path, _, which = spec.partition("#")
    return path, which


@cache
def face(role: str) -> Face:
    spec = configured_fonts().get(role)
    if not spec:
        raise FontMissing(f"未配置字体角色 {role}")
    path, which = _split(spec)
    if not Path(path).is_file():
        raise FontMissing(
            f"找不到{ROLE_NAMES.get(role, role)}字体文件 {path}"
            f"（设置 ZHENGBAN_FONT_{role.upper()}，或安装 fonts-noto-cjk、fonts-arphic-ukai）"
        )
    from fontTools.ttLib import TTCollection, TTFont

    index = 0
    if path.lower().endswith((".ttc", ".otc")):
        collection = TTCollection(path, lazy=True)
        if which.isdigit():
            index = int(which)
        elif which:
            for i, font in enumerate(collection.fonts):
                if font["name"].getBestFamilyName() == which:
                    index = i
                    break
            else:
                raise FontMissing(f"{path} 中没有字体“{which}”")
    font = TTFont(path, fontNumber=index, lazy=True)
    upem = font["head"].unitsPerEm
    cmap = font.getBestCmap()
    hmtx = font["hmtx"].metrics
    advances = {chr(code): hmtx[name][0] / upem for code, name in cmap.items() if name in hmtx}
    return Face(
        role=role,
        path=path,
        index=index,
        family=font["name"].getBestFamilyName(),
        units_per_em=upem,
        advances=advances,
        is_cff="CFF " in font,
        bold=font["OS/2"].usWeightClass >= 600 if "OS/2" in font else False,
    )
