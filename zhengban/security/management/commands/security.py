"""`zhengban security init-keys | rotate-key [--retire] | rotate-digest-key | key-status |
verify-grants`."""

from django.core.management.base import BaseCommand, CommandError

from zhengban.security import crypto
from zhengban.security.keys import key_ids_in_use, rotate_digest_key, rotate_personal_data_key


class Command(BaseCommand):
    help = (
        "个人信息加密密钥：初始化（init-keys）、轮换（rotate-key）、查看（key-status）；"
        "权限数据完整性校验（verify-grants）。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("init-keys", help="生成密钥文件（已存在则保留）")
        rotate = sub.add_parser("rotate-key", help="生成新密钥并用它重新加密全部个人信息")
        rotate.add_argument("--retire", action="store_true", help="完成后删除不再使用的旧密钥")
        digest = sub.add_parser(
            "rotate-digest-key",
            help="生成新的检索摘要密钥并重算全部摘要（可中断，再次运行即继续）",
        )
        digest.add_argument("--batch-size", type=int, default=500, help="每个事务处理的行数")
        sub.add_parser("key-status", help="当前密钥、密钥来源及各密钥的使用情况")
        sub.add_parser(
            "verify-grants",
            help="校验全部角色授权和知悉范围的完整性标签，列出校验失败的记录并告警",
        )

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify-grants":
            from zhengban.accounts.integrity import failures
            from zhengban.audit.alerts import import_spool

            found = failures()
            import_spool()
            for failure in found:
                self.stdout.write(f"校验失败  {failure.describe()}")
            if found:
                raise CommandError(
                    f"{len(found)} 条权限数据完整性校验失败"
                    "（不予采信，已告警安全管理员和审计管理员）"
                )
            self.stdout.write("角色授权和知悉范围的完整性标签全部校验通过")
            return
        if subcommand == "init-keys":
            path = crypto.key_file_create()
            self.stdout.write(f"密钥文件：{path}")
        elif subcommand == "rotate-key":
            result = rotate_personal_data_key(retire=options["retire"])
            self.stdout.write(f"当前密钥：{result.key_id}")
            for label, count in result.reencrypted.items():
                self.stdout.write(f"  {label}：重新加密 {count} 项")
            if result.retired:
                self.stdout.write(f"已删除旧密钥：{', '.join(result.retired)}")
        elif subcommand == "rotate-digest-key":
            if options["batch_size"] < 1:
                raise CommandError("--batch-size 必须是正整数")
            result = rotate_digest_key(batch=options["batch_size"])
            self.stdout.write("开始轮换检索摘要密钥" if result.started else "继续未完成的轮换")
            for label, count in result.recomputed.items():
                self.stdout.write(f"  {label}：重算 {count} 项")
            if crypto.keyring().source == "environment":
                self.stdout.write(
                    "全部摘要已改用新密钥；"
                    "请从环境中删除 ZHENGBAN_PERSONAL_DATA_PREVIOUS_DIGEST_KEY"
                )
            else:
                self.stdout.write("全部摘要已改用新密钥，旧摘要密钥已删除")
        else:
            ring = crypto.keyring()
            used = key_ids_in_use()
            self.stdout.write(f"密钥来源：{ring.source}")
            self.stdout.write(f"当前密钥：{ring.current}")
            for key_id in sorted(ring.keys):
                state = "使用中" if key_id in used else "未使用"
                self.stdout.write(f"  {key_id}：{state}")
            if ring.previous_digest_key is not None:
                self.stdout.write(
                    "检索摘要密钥：轮换未完成（新旧密钥均可检索），请再次运行 rotate-digest-key"
                )
            else:
                self.stdout.write("检索摘要密钥：正常")
