"""`zhengban archive verify DIR` and `zhengban archive package --fonds F --year Y --out DIR`."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

ArchiveCommandError = type("错误", (CommandError,), {})


class Command(BaseCommand):
    help = "档案：校验移交包（verify），生成某年度的移交包（package）。"
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help="逐个校验移交包中的文件；有问题时列出每个文件，退出码为 1"
        )
        verify.add_argument("dir")
        package = sub.add_parser("package", help="生成一个全宗某年度的移交包")
        package.add_argument("--fonds", required=True, help="全宗号（4位）")
        package.add_argument("--year", type=int, required=True)
        package.add_argument("--out", required=True)

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify":
            self.verify(Path(options["dir"]))
        else:
            self.package(options["fonds"], options["year"], Path(options["out"]))

    def verify(self, root: Path) -> None:
        from zhengban.documents.archive import verify_package
        from zhengban.documents.archive_services import package_tag

        if not root.is_dir():
            raise ArchiveCommandError(f"不是目录：{root}", returncode=2)
        problems = verify_package(root, tag=package_tag)
        if not problems:
            self.stdout.write(f"移交包完整：{root}")
            return
        for p in problems:
            self.stderr.write(f"{p.path}：{p.message}")
        self.stderr.write(f"共 {len({p.path for p in problems})} 个文件未通过校验")
        sys.exit(1)

    def package(self, fonds: str, year: int, out: Path) -> None:
        from zhengban.documents.archive import build_package
        from zhengban.documents.archive_services import package_tag
        from zhengban.documents.models import ArchiveItem

        items = list(
            ArchiveItem.objects.filter(fonds=fonds, year=year).order_by(
                "retention", "unit_code", "item_number"
            )
        )
        if not items:
            raise ArchiveCommandError(f"全宗{fonds}在{year}年没有归档文件", returncode=2)
        try:
            root = build_package(items, out, fonds=fonds, year=year, tag=package_tag)
        except FileExistsError as exc:
            raise ArchiveCommandError(f"目录已存在：{exc.filename}", returncode=2) from exc
        self.stdout.write(f"{root}（{len(items)} 件）")
