from django.db import migrations

DEFAULTS = [
    ("funding", "经费", 1),
    ("personnel", "人事", 2),
    ("work_plan", "工作部署", 3),
    ("meeting", "会议活动", 4),
    ("other", "其他", 9),
]


def add_defaults(apps, schema_editor):
    category = apps.get_model("approvals", "ApprovalCategory")
    for code, name, order in DEFAULTS:
        category.objects.get_or_create(code=code, defaults={"name": name, "order": order})


def remove_defaults(apps, schema_editor):
    category = apps.get_model("approvals", "ApprovalCategory")
    category.objects.filter(
        code__in=[c for c, _n, _o in DEFAULTS], requests__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
