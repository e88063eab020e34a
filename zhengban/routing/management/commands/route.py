"""`zhengban route "文本"`: which unit's duties cover a text.

zhengban route "关于做好今冬明春农村饮水安全工作的通知" --top 3 --json
zhengban route --tsv titles.txt            # one text a line → text<TAB>unit1<TAB>unit2<TAB>unit3
zhengban route --regulation 三定.txt "文本"  # against a regulation file, no database needed
zhengban route --scope internal "文本"       # only the office's own units; external: only the
                                            # city departments / district governments
With --regulation the handling units are the built-in catalogue's city departments.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhengban.routing import selectors
from zhengban.routing.engine import RoutingIndex
from zhengban.routing.regulation import structure_from_text, targets_from_structure


class Command(BaseCommand):
    help = "按三定规定的职责条文匹配承办单位"

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", help="来文标题或内容")
        parser.add_argument("--top", type=int, default=3, help="列出前几个单位（默认 3）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument(
            "--tsv", metavar="FILE", help="批量：每行一条文本（- 为标准输入），输出制表符分隔"
        )
        parser.add_argument(
            "--regulation", metavar="FILE", help="直接按该三定规定文本匹配，不读数据库"
        )
        parser.add_argument(
            "--scope",
            choices=["internal", "external", "all"],
            default="all",
            help="internal：本机关处室；external：市直部门、区县政府等承办单位；all：全部（默认）",
        )

    def handle(
        self,
        *args,
        text=None,
        top=3,
        json=False,
        tsv=None,
        regulation=None,
        scope="all",
        **options,
    ):
        if not text and not tsv:
            raise CommandError("请给出要匹配的文本，或用 --tsv 指定文件。", returncode=2)
        top = max(1, min(top, 50))
        index = self._index(regulation)
        if tsv:
            self._tsv(index, tsv, top, scope)
            return
        matches = index.route(text, top=top, scope=scope)
        if json:
            self.stdout.write(_dumps(matches))
            return
        if not matches:
            self.stdout.write("没有找到职责相符的单位。")
        for rank, match in enumerate(matches, start=1):
            kind = "承办单位" if match.kind == "external" else "本机关"
            via = f"  经由{match.via}" if match.via else ""
            self.stdout.write(f"{rank}. {match.name}  {match.score}  [{kind}]{via}")
            for sentence in match.because:
                self.stdout.write(f"   依据：{sentence}")

    def _index(self, regulation: str | None) -> RoutingIndex:
        if regulation:
            try:
                source = Path(regulation).read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"无法读取 {regulation}：{error}", returncode=2) from error
            targets, shared = targets_from_structure(structure_from_text(source))
            if not targets:
                raise CommandError(f"{regulation} 中没有读出内设机构。", returncode=2)
            return RoutingIndex.build(targets, shared=shared, department_targets=True)
        try:
            return selectors.routing_index()
        except selectors.RoutingUnavailable as error:
            raise CommandError(
                "尚未载入三定规定，无法匹配。请先运行 zhengban org load <文件> --apply，"
                "或用 --regulation 指定规定文本。",
                returncode=2,
            ) from error

    def _tsv(self, index: RoutingIndex, path: str, top: int, scope: str) -> None:
        try:
            stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"无法读取 {path}：{error}", returncode=2) from error
        out = []
        with stream:
            for line in stream:
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                units = [m.name for m in index.route(line, top=top, scope=scope)]
                units += [""] * (top - len(units))
                out.append("\t".join([line.replace("\t", " "), *units]))
                if len(out) >= 1000:
                    self.stdout.write("\n".join(out))
                    out = []
        if out:
            self.stdout.write("\n".join(out))


def _dumps(matches) -> str:
    return json.dumps(
        [
            {
                "unit": m.name,
                "key": m.key,
                "kind": m.kind,
                "score": m.score,
                "via": m.via,
                "because": m.because,
            }
            for m in matches
        ],
        ensure_ascii=False,
        indent=2,
    )
