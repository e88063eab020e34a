"""`zhengban meetings setup-types [--organization NAME]`: the default meeting types of an
organization built from its 三定, each with its organising division (秘书一处 / 秘书二处)."""

from django.core.management.base import BaseCommand, CommandError

from zhengban.org.choices import OrganizationKind
from zhengban.org.models import Organization


class Command(BaseCommand):
    help = "会议：按三定规定建立默认会议类型（setup-types）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        setup = sub.add_parser("setup-types", help="建立默认会议类型")
        setup.add_argument("--organization", default="", help="机关名称（默认：本机关）")

    def handle(self, *args, **options):
        from zhengban.meetings.services import DEFAULT_TYPES, meeting_types_setup

        name = options["organization"]
        rows = Organization.objects.filter(active=True)
        rows = rows.filter(name=name) if name else rows.filter(kind=OrganizationKind.MAIN)
        organization = rows.order_by("pk").first()
        if organization is None:
            raise CommandError("找不到机关；请先用 zhengban org load 载入三定规定。")
        made = meeting_types_setup(organization=organization)
        for kind in made:
            self.stdout.write(f"{kind.name}：{kind.organiser.name}")
        missing = len(DEFAULT_TYPES) - organization.meeting_types.count()
        self.stdout.write(f"{organization.name}：新建 {len(made)} 个会议类型")
        if missing > 0:
            self.stdout.write(f"有 {missing} 个默认类型因机关没有对应处室而未建立。")
