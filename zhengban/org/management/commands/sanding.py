"""`zhengban sanding parse FILE [--json]`: parse a 三定 regulation without touching the database."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhengban.org.sanding import SandingError, decode_bytes, parse_regulation

# Django prints a failed command as "<class name>: <message>"; this class is named so the
# one line on stderr reads "错误: …".
SandingCommandError = type("错误", (CommandError,), {})


def _fail(message: str) -> CommandError:
    return SandingCommandError(message.splitlines()[0] if message else "", returncode=2)


def summary(result: dict) -> list[str]:
    """A short Chinese summary of a parse result."""
    if result.get("kind") == "amendment":
        return _amendment_summary(result)
    name = result["organization"] or "（未写明机构名称）"
    rank = f"（{result['rank']}）" if result["rank"] else ""
    units = result["units"]
    counted = [u["name"] for u in units if u["counted"]]
    extra = [u["name"] for u in units if not u["counted"]]
    stated = result["stated_unit_count"]
    staffing = result["staffing"]
    lines = [
        f"机构：{name}{rank}",
        f"职责调整：{len(result['adjustments'])}项；主要职责：{len(result['duties'])}项",
        "内设机构："
        + (f"声明{stated}个，" if stated is not None else "")
        + f"列出{len(counted)}个"
        + (f"：{'、'.join(counted)}" if counted else ""),
    ]
    if extra:
        lines.append(f"不计数机构{len(extra)}个：{'、'.join(extra)}")
    lines.append("人员编制：" + _staffing_text(staffing))
    for office in result["attached"]:
        office_units = "、".join(u["name"] for u in office["units"])
        lines.append(
            f"挂靠机构：{office['organization'] or '（未写明名称）'}"
            f"（内设机构{len(office['units'])}个"
            + (f"：{office_units}" if office_units else "")
            + f"；{_staffing_text(office['staffing'])}）"
        )
    lines += [f"警告：{w}" for w in result["warnings"]]
    return lines


def _amendment_summary(result: dict) -> list[str]:
    """An amending notice states a diff: what it adds, removes and renames, and the count and
    quotas after the change."""
    diff = result.get("amendment") or {}
    lines = [f"机构：{result['organization'] or '（未写明所调整的机构）'}（调整通知）"]
    if diff.get("amends"):
        lines.append(f"所调整的规定：《{diff['amends']}》")
    lines.append(f"职责调整：{len(result['adjustments'])}项")
    changes = []
    if diff.get("units_added"):
        changes.append("增设" + "、".join(diff["units_added"]))
    if diff.get("units_removed"):
        changes.append("撤销" + "、".join(diff["units_removed"]))
    if diff.get("units_renamed"):
        changes.append("更名" + "、".join(f"{r['from']}→{r['to']}" for r in diff["units_renamed"]))
    plaques = [
        f"{u['name']}加挂{other}" for u in result["units"] for other in u.get("other_names") or []
    ]
    if plaques:
        changes.append("、".join(plaques) + "牌子")
    lines.append("调整通知：" + ("；".join(changes) if changes else "未写明内设机构的变动"))
    stated = result["stated_unit_count"]
    after = "调整后内设机构" + (f"{stated}个" if stated is not None else "：未写明个数")
    if diff.get("full_list"):
        after += "（通知列出全部）：" + "、".join(u["name"] for u in result["units"])
    lines.append(after)
    lines.append("调整后人员编制：" + _staffing_text(result["staffing"]))
    lines += [f"警告：{w}" for w in result["warnings"]]
    return lines


def _staffing_text(staffing: dict) -> str:
    parts = []
    if staffing["administrative"] is not None:
        parts.append(f"行政编制{staffing['administrative']}名")
    if staffing["logistics"] is not None:
        parts.append(f"工勤人员编制{staffing['logistics']}名")
    if staffing["public_institution"] is not None:
        parts.append(f"事业编制{staffing['public_institution']}名")
    if staffing["posts"]:
        parts.append(f"领导职数{sum(p['count'] for p in staffing['posts'])}名")
    return "，".join(parts) or "未写明"


class Command(BaseCommand):
    help = "三定规定解析：zhengban sanding parse FILE [--json]"
    # Parsing is pure text work: no system checks, no migrations, no database.
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        parse = sub.add_parser("parse", help="解析三定规定文本文件（UTF-8或GB18030）")
        parse.add_argument("file", help="规定文本文件")
        parse.add_argument("--json", action="store_true", help="输出完整的JSON结果")

    def handle(self, *args, action, **options):
        if action == "parse":
            self._parse(options["file"], options["json"])

    def _parse(self, file: str, as_json: bool) -> None:
        path = Path(file)
        try:
            data = path.read_bytes()
        except FileNotFoundError as error:
            raise _fail(f"文件不存在：{file}") from error
        except OSError as error:
            raise _fail(f"无法读取文件：{file}（{error.strerror}）") from error
        try:
            result = parse_regulation(decode_bytes(data))
        except SandingError as error:
            raise _fail(str(error)) from error
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            for line in summary(result):
                self.stdout.write(line)
