"""`zhengban documents check|parse-number|render-sample|verify`.

Contract (relied on by scripts and the checks): `check FILE [--type 文种] --json` prints
{"problems": [{"rule", "message", "where"}]} and exits 0, also when problems are found; exit 2
with one line on stderr for unreadable input. `parse-number TEXT --json` prints
{"organ_code", "series", "year", "sequence"} or exits 2 with one specific line.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhengban.documents.content import DOC_TYPES

# Django prints a failed command as "<class name>: <message>"; named so the line reads "错误: …".
DocumentsCommandError = type("错误", (CommandError,), {})


def _fail(message: str, code: int = 2) -> CommandError:
    return DocumentsCommandError(message.splitlines()[0] if message else "", returncode=code)


class Command(BaseCommand):
    # check, parse-number, render-sample and verify work on files only: no system checks, no
    # database, so they run on a machine without the project's database.
    requires_system_checks = []
    help = (
        "公文：体检（check）、解析文号（parse-number）、生成样张（render-sample）、验章（verify）。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("check", help="公文体检：列出草稿的全部格式问题")
        check.add_argument("file", help="UTF-8 文本或 DOCX 文件（- 表示标准输入）")
        check.add_argument("--type", dest="doc_type", choices=sorted(DOC_TYPES), help="文种")
        check.add_argument("--json", action="store_true", help="输出 JSON")
        number = sub.add_parser("parse-number", help="解析并校验文号，如 沈政办发〔2026〕12号")
        number.add_argument("text")
        number.add_argument("--json", action="store_true", help="输出 JSON")
        sample = sub.add_parser("render-sample", help="生成通知、函、纪要样张（PDF、DOCX、OFD）")
        sample.add_argument("--out", required=True, help="输出目录")
        sample.add_argument("--png", action="store_true", help="另存首页 PNG（需要 pdftoppm）")
        verify = sub.add_parser("verify", help="校验已盖章的 PDF 或 OFD 是否被改动、由哪枚印章签署")
        verify.add_argument("file")
        verify.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, subcommand, **options):
        handler = getattr(self, "do_" + subcommand.replace("-", "_"))
        handler(**options)

    def do_check(self, *, file, doc_type, json: bool = False, **_):
        from zhengban.documents.check import check_document
        from zhengban.documents.parse import DraftUnreadable, read_draft_bytes

        try:
            data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise _fail(f"无法读取 {file}：{exc.strerror or exc}") from exc
        try:
            doc = read_draft_bytes(data, filename=file)
        except DraftUnreadable as exc:
            raise _fail(str(exc)) from exc
        if doc_type:
            doc.doc_type = doc_type
        problems = check_document(doc)
        if json:
            self._json({"problems": [p.as_dict() for p in problems]})
            return
        if not problems:
            self.stdout.write(f"未发现格式问题（{doc.doc_type}：{doc.title or '无标题'}）")
        for p in problems:
            self.stdout.write(f"[{p.rule}] {p.where}：{p.message}")

    def do_parse_number(self, *, text, json: bool = False, **_):
        from zhengban.documents.numbers import NumberError, parse_number

        try:
            number = parse_number(text)
        except NumberError as exc:
            raise _fail(exc.message) from exc
        if json:
            self._json(number.as_dict())
        else:
            self.stdout.write(
                f"机关代字：{number.organ_code}  序列：{number.series or '（无）'}  "
                f"年份：{number.year}  顺序号：{number.sequence}"
            )

    def do_render_sample(self, *, out, png: bool = False, **_):
        from zhengban.documents.render.samples import write_samples

        try:
            written = write_samples(Path(out), png=png)
        except OSError as exc:
            raise _fail(f"无法写入 {out}：{exc.strerror or exc}") from exc
        for path in written:
            self.stdout.write(str(path))

    def do_verify(self, *, file, json: bool = False, **_):
        from zhengban.documents.seals import verify_file

        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise _fail(f"无法读取 {file}：{exc.strerror or exc}") from exc
        result = verify_file(data)
        if json:
            self._json(result.as_dict())
        else:
            (self.stdout if result.ok else self.stderr).write(result.message)
        if not result.ok:
            sys.exit(1)

    def _json(self, value) -> None:
        self.stdout.write(json.dumps(value, ensure_ascii=False))
