from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The office's business areas in the order staff think of them. Entries whose app is not
# installed yet show as unavailable rather than disappearing, so the layout stays stable.
NAVIGATION = [
    ("home", _("工作台")),
    ("cases:inbox", _("待办事项")),
    ("documents:incoming", _("收文")),
    ("documents:outgoing", _("发文")),
    ("supervision:list", _("督查督办")),
    ("meetings:list", _("会议")),
    ("proposals:list", _("建议提案")),
    ("letters:list", _("市长信箱")),
    ("disclosure:list", _("依申请公开")),
    ("duty:log", _("值班应急")),
    ("org:chart", _("机构职责")),
    ("org:staffing", _("编制管理")),
    ("org:external", _("承办单位")),
    ("routing:ask", _("职责匹配")),
    ("workcalendar:index", _("工作日历")),
    ("accounts:users", _("用户管理")),
    ("accounts:configuration", _("系统配置")),
    ("accounts:security", _("安全管理")),
    ("audit:log", _("审计日志")),
]


def _resolve(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from zhengban.accounts.policies import can_see_section

    items = []
    for name, label in NAVIGATION:
        if can_see_section(request.user, name):
            items.append({"label": label, "url": _resolve(name), "active": False})
    # Only the most specific entry is active: /org/staffing/ is 编制管理, not also 机构职责.
    matches = [
        i for i in items if i["url"] and i["url"] != "/" and request.path.startswith(i["url"])
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"navigation": items}
