from django.conf import settings
from django.http import QueryDict
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The office's business areas in the order staff think of them. Entries whose app is not
# installed yet show as unavailable rather than disappearing, so the layout stays stable.
NAVIGATION = [
    ("home", _("工作台")),
    ("cases:inbox", _("待办事项")),
    # The documents' registers are the inbox filtered by type, over every case one may see.
    ("cases:inbox", _("收文"), "tab=all&case_type=incoming"),
    ("cases:inbox", _("发文"), "tab=all&case_type=outgoing"),
    ("cases:inbox", pgettext_lazy("navigation", "签报"), "tab=all&case_type=approval"),
    ("documents:exchange", _("公文交换")),
    ("documents:archive", _("归档文件目录")),
    ("classified:list", _("涉密文件登记簿")),
    ("supervision:list", _("督查督办")),
    ("instructions:ledger", _("批示件台账")),
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
    ("approvals:categories", pgettext_lazy("navigation", "请示事项类别")),
    ("accounts:security", _("安全管理")),
    ("audit:alerts", _("审计告警")),
    ("audit:log", _("审计日志")),
]


_resolved: dict[tuple, str | None] = {}


def _resolve(name: str) -> str | None:
    # Every page asks for the same twenty URLs: reversed once per URL configuration.
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)
    if key not in _resolved:
        try:
            _resolved[key] = reverse(name)
        except NoReverseMatch:
            _resolved[key] = None
    return _resolved[key]


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from zhengban.accounts.policies import can_see_section

    items = []
    for name, label, *query in NAVIGATION:
        if not can_see_section(request.user, name):
            continue
        url = _resolve(name)
        query = query[0] if query else ""
        items.append(
            {
                "label": label,
                "url": f"{url}?{query}" if url and query else url,
                "path": url,
                "query": QueryDict(query),
                "active": False,
            }
        )
    # Only the most specific entry is active: /org/staffing/ is 编制管理, not also 机构职责;
    # /cases/?case_type=incoming is 收文, not also 待办事项.
    matches = [
        i
        for i in items
        if i["path"]
        and i["path"] != "/"
        and request.path.startswith(i["path"])
        and all(request.GET.get(k) == v for k, v in i["query"].items() if k != "tab")
    ]
    if matches:
        best = max(matches, key=lambda i: (len(i["path"]), len(i["query"])))
        best["active"] = True
    return {"navigation": items}
