"""`zhengban org load FILE [--apply]`, `zhengban org check`, `zhengban org import-external FILE`.

`org load` takes a whole 三定 regulation or an amending notice (调整通知), which is applied to
the organization it names (`--organization` when the name fits several)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhengban.org import selectors, services


def _decode(data: bytes) -> str:
    from zhengban.org.sanding import SandingError, decode_bytes

    try:
        return decode_bytes(data)
    except (SandingError, UnicodeDecodeError, ValueError) as error:
        raise CommandError(_("无法识别文件编码：%(e)s") % {"e": error}, returncode=2) from error


class Command(BaseCommand):
    help = _("机构编制：载入三定规定、检查编制使用、导入承办单位")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help=_("载入三定规定；已载入时显示差异，加 --apply 才应用"))
        load.add_argument("file")
        load.add_argument("--apply", action="store_true", help=_("应用与已载入版本的差异"))
        load.add_argument("--title", default="", help=_("标题（默认取文件名）"))
        load.add_argument(
            "--organization",
            default=None,
            help=_("调整通知所调整的机构名称（通知所写名称对应多个已载入机构时）"),
        )
        load.add_argument(
            "--accept-over-quota",
            action="store_true",
            help=_("调整后编制或领导职数少于实有人数时仍然应用（将显示为超编）"),
        )
        sub.add_parser("check", help=_("检查各机构编制和领导职数的使用情况；超编时退出码为1"))
        external = sub.add_parser("import-external", help=_("从CSV或Excel导入承办单位"))
        external.add_argument("file")

    def handle(self, *args, action, **options):
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _read(self, name: str) -> bytes:
        path = Path(name)
        try:
            return path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("无法读取文件：%(f)s（%(e)s）") % {"f": name, "e": error.strerror},
                returncode=2,
            ) from error

    def _load(self, *, file, apply, title, organization, accept_over_quota, **options):
        text = _decode(self._read(file))
        try:
            result = services.regulation_load(
                text=text,
                title=title or Path(file).stem,
                actor=None,
                apply=apply,
                organization=organization,
                accept_over_quota=accept_over_quota,
            )
        except services.AmbiguousOrganization as error:
            raise CommandError(
                _("%(message)s（用 --organization 指定，例如 --organization %(name)s）")
                % {"message": str(error).rstrip("。"), "name": error.candidates[0]},
                returncode=2,
            ) from error
        except (services.RegulationLoadError, ValidationError) as error:
            message = "; ".join(getattr(error, "messages", [str(error)]))
            raise CommandError(message.splitlines()[0], returncode=2) from error
        for line in result.lines():
            self.stdout.write(line)
        if result.blocked:
            # Asked to apply and refused: the shell must see it (`org check` uses 1 for 超编).
            raise SystemExit(1)

    def _check(self, **options):
        rows = [
            (
                q.organization.name,
                q.get_category_display(),
                q.approved,
                q.filled,
                q.vacant,
                q.over,
            )
            for q in selectors.quotas_with_use()
        ]
        rows += [
            (
                p.organization.name,
                p.title + (f"（{p.grade}）" if p.grade and p.grade not in p.title else ""),
                p.count,
                p.filled,
                p.vacant,
                p.over,
            )
            for p in selectors.posts_with_use()
        ]
        if not rows:
            self.stdout.write(_("尚未载入三定规定。"))
            return
        header = (_("机构"), _("类别"), _("核定"), _("实有"), _("空编"), _("超编"))
        self.stdout.write(_table([header, *rows]))
        over = [r for r in rows if r[5]]
        if over:
            for r in over:
                self.stderr.write(
                    _("超编：%(org)s %(cat)s 核定%(a)d名，实有%(f)d名")
                    % {"org": r[0], "cat": r[1], "a": r[2], "f": r[3]}
                )
            raise SystemExit(1)
        self.stdout.write(_("编制和领导职数均未超出核定数。"))

    def _import_external(self, *, file, **options):
        data = self._read(file)
        try:
            result = services.external_units_import(file=data, actor=None)
        except services.ImportRefused as refusal:
            for row, message in refusal.errors:
                self.stderr.write(
                    (_("第%(n)d行：%(m)s") % {"n": row, "m": message}) if row else message
                )
            raise CommandError(_("未导入任何数据。"), returncode=2) from refusal
        self.stdout.write(
            _("导入完成：新增%(c)d个，更新%(u)d个。") % {"c": result.created, "u": result.updated}
        )


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _table(rows) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            cells.append(pad + str(cell) if isinstance(cell, int) else str(cell) + pad)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
