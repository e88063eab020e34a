"""The English UI: the 中文/English switch, Chinese by default, and a complete catalog.

The catalog tests fail when someone adds a string without translating it. The project
catalog is zhengban/locale/en/LC_MESSAGES/django.po; an app may keep its own strings in
zhengban/<app>/locale/en/LC_MESSAGES/django.po (Django reads app catalogs too), so that apps
are translated without touching each other's files. Add the entries (or run makemessages from
the app's folder), then `zhengban compilemessages --ignore=.venv --ignore=node_modules` and
commit both the .po and the .mo.
"""

import ast
import gettext as gnu_gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create

PACKAGE = Path(settings.BASE_DIR)
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
# The project catalog first, then each app's own.
CATALOGS = [PO, *sorted(PACKAGE.glob("*/locale/en/LC_MESSAGES/django.po"))]
SAMPLE = PACKAGE / "org" / "data" / "shenyang-general-office-2009.txt"

# Legal-basis texts quoting Chinese statutes stay in Chinese (they are stored with each case
# and must not change with the reader's language). None of them is marked for translation
# today (workcalendar/deadlines.py keeps them out of gettext), so no entry is exempt; a
# marked citation left untranslated on purpose would be listed here by its msgid.
UNTRANSLATED_ON_PURPOSE: frozenset[str] = frozenset()

NAV_ZH = [
    "工作台",
    "待办事项",
    "收文",
    "发文",
    "签报",
    "公文交换",
    "督查督办",
    "会议",
    "建议提案",
    "市长信箱",
    "依申请公开",
    "值班应急",
    "机构职责",
    "编制管理",
    "承办单位",
    "职责匹配",
    "工作日历",
]
NAV_EN = [
    "Workbench",
    "Inbox",
    "Incoming documents",
    "Outgoing documents",
    "Requests for approval",
    "Document exchange",
    "Supervision",
    "Meetings",
    "Suggestions & proposals",
    "Mayor's mailbox",
    "Disclosure on request",
    "Duty & emergencies",
    "Organs & duties",
    "Staffing",
    "Handling units",
    "Duty matching",
    "Working calendar",
]
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


# --- reading pages -------------------------------------------------------------------------


class _Elements(HTMLParser):
    """Every element's text, with its ancestors, so tests can pick UI chrome out of a page."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict, list[str]]] = []
        self.found: list[tuple[str, dict, list[tuple[str, dict]], str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs), []))

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][2].append(data)

    def handle_endtag(self, tag):
        if not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            name, attrs, parts = self.stack.pop()
            text = "".join(parts)
            if self.stack:
                self.stack[-1][2].append(" " + text + " ")
            ancestors = [(t, a) for t, a, _ in self.stack]
            self.found.append((name, attrs, ancestors, " ".join(text.split())))
            if name == tag:
                return


def elements(response, tag, inside=None):
    """Texts of the `tag` elements, optionally only those inside a `tag.class` ancestor."""
    assert response.status_code == 200, response.status_code
    parser = _Elements()
    parser.feed(response.content.decode())
    out = []
    for name, _attrs, ancestors, text in parser.found:
        if name != tag:
            continue
        if inside:
            a_tag, a_class = inside.split(".")
            if not any(t == a_tag and a_class in a.get("class", "").split() for t, a in ancestors):
                continue
        out.append(text)
    return out


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _chinese_afterwards():
    # The language middleware activates English for the thread and leaves it active after
    # the response; later tests in this process must start from the default again.
    yield
    translation.deactivate()


@pytest.fixture
def staff(db):
    return user_create(
        username="keyuan", password="Zhengban-2026", roles=(Role.STAFF,), validate_password=False
    )


@pytest.fixture
def organization(db):
    from zhengban.org.services import regulation_load

    return regulation_load(text=SAMPLE.read_text(encoding="utf-8"), title="t", actor=None)


def switch(client, language, next_url="/"):
    """What the top bar's 中文/English button does."""
    response = client.post(reverse("i18n:set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


# --- pages ---------------------------------------------------------------------------------


def test_chinese_is_the_default_without_a_language_cookie(client, staff):
    client.force_login(staff)
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    home = client.get(reverse("home"))
    assert html_lang(home) == "zh-hans"
    assert elements(home, "li", inside="nav.sidebar") == NAV_ZH
    assert elements(home, "h1") == ["工作台"]
    assert elements(home, "button", inside="header.topbar") == ["English", "退出"]
    # Only the switch changes the language, not an English browser.
    inbox = client.get(reverse("cases:inbox"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert html_lang(inbox) == "zh-hans"
    assert elements(inbox, "h1") == ["待办事项"]
    assert elements(inbox, "a", inside="nav.tabs")[0] == "待办"


def test_home_in_english(client, staff):
    client.force_login(staff)
    switch(client, "en")
    home = client.get(reverse("home"))
    assert html_lang(home) == "en"
    assert elements(home, "li", inside="nav.sidebar") == NAV_EN
    # Only the audit administrator sees the audit log, in any language.
    assert "Audit log" not in home.content.decode()
    assert elements(home, "h1") == ["Workbench"]
    assert elements(home, "p", inside="main.content")[0] == "Hello, keyuan."
    assert "No notices yet." in elements(home, "p", inside="main.content")
    # The cards repeat the sections that are already available.
    linked = elements(home, "a", inside="nav.sidebar")
    assert linked[:2] == ["Workbench", "Inbox"] and "Organs & duties" in linked
    assert elements(home, "h2", inside="div.cards") == linked[1:]
    assert elements(home, "title") == ["Workbench · General Office operations platform"]
    # The switch now offers Chinese, and signing out is in English.
    assert elements(home, "button", inside="header.topbar") == ["中文", "Sign out"]
    chrome = " ".join(elements(home, "header") + elements(home, "nav") + elements(home, "main"))
    assert not CJK.search(chrome.replace("中文", "")), chrome


def test_switching_back_to_chinese(client, staff):
    client.force_login(staff)
    switch(client, "en")
    assert elements(client.get(reverse("home")), "h1") == ["Workbench"]
    switch(client, "zh-hans")
    home = client.get(reverse("home"))
    assert elements(home, "h1") == ["工作台"]
    assert elements(home, "li", inside="nav.sidebar") == NAV_ZH


def test_organization_chart_in_english(client, staff, organization):
    client.force_login(staff)
    switch(client, "en", "/org/")
    page = client.get(reverse("org:chart"))
    assert elements(page, "h1") == ["Organs & duties"]
    nav = elements(page, "li", inside="nav.sidebar")
    assert nav == NAV_EN and "Organs & duties" in nav
    summaries = elements(page, "summary", inside="div.org-tree")
    assert "Main duties 12" in summaries
    organs = elements(page, "h4")
    assert "Internal organs 26" in organs
    # The full-width brackets come from the template, outside the translated text.
    assert "Other bodies （not counted as internal organs）" in organs
    headings = elements(page, "h2") + elements(page, "h3")
    assert any("This office" in h and "26 internal organs by regulation" in h for h in headings)
    chrome = " ".join(elements(page, "h1") + organs + elements(page, "nav"))
    for chinese in ("机构职责", "内设机构", "其他机构", "主要职责", "不计入内设机构数"):
        assert chinese not in chrome
    # The office's own data stays as the regulation wrote it.
    assert "秘书一处" in page.content.decode()
    # Units list their duty counts with English plurals.
    assert re.search(r"\b\d+ duties\b", page.content.decode())


def test_inbox_in_english(client, staff):
    client.force_login(staff)
    switch(client, "en", "/cases/")
    page = client.get(reverse("cases:inbox"))
    assert elements(page, "h1") == ["Inbox"]
    assert elements(page, "a", inside="nav.tabs") == [
        "To do",
        "To read",
        "Done",
        "Read",
        "Started by me",
        "My division",
        "Overdue",
        "Due this week",
        "All",
    ]
    assert elements(page, "th") == [
        "Number",
        "Title",
        "Type",
        "Status",
        "Responsible division",
        "Lead unit",
        "Handler",
        "Deadline",
    ]
    assert elements(page, "a", inside="div.toolbar") == [
        "New assigned task",
        "Delegation",
        "Frequent opinions",
        "Search",
        "Export to Excel",
        "Workflows",
    ]
    assert "Keywords" in elements(page, "label") and "Filter" in elements(page, "button")
    assert "0 cases in total" in page.content.decode()
    text = page.content.decode()
    for chinese in ("待办事项", "我的待办", "本处室待办", "新建交办事项", "主责处室", "筛选"):
        assert chinese not in text


def test_translation_costs_no_queries(client, staff):
    client.force_login(staff)
    client.get(reverse("cases:inbox"))  # warm the session and caches
    with CaptureQueriesContext(connection) as chinese:
        client.get(reverse("cases:inbox"))
    switch(client, "en")
    client.get(reverse("cases:inbox"))
    with CaptureQueriesContext(connection) as english:
        client.get(reverse("cases:inbox"))
    assert len(english) == len(chinese)


def test_login_page_in_english(client, db):
    switch(client, "en", "/accounts/login/")
    page = client.get(reverse("accounts:login"))
    assert html_lang(page) == "en"
    assert elements(page, "h1") == ["Sign in"]
    assert elements(page, "label") == ["Username", "Password", "One-time code"]
    # The language switch is on the login page too (its label is the other language's name).
    assert elements(page, "button") == ["中文", "Sign in"]
    text = page.content.decode()
    assert "6-digit one-time code" in text
    for chinese in ("登录", "用户名", "密码", "动态口令"):
        assert chinese not in text
    # Anonymous users are sent to the login page, still in English, not shown anything else.
    redirect = client.get(reverse("cases:inbox"))
    assert redirect.status_code == 302 and redirect["Location"].startswith("/accounts/login/")
    wrong = client.post(
        reverse("accounts:login"), {"username": "nobody", "password": "x", "otp": ""}
    )
    assert "Incorrect username, password or one-time code." in wrong.content.decode()


# --- the catalog ---------------------------------------------------------------------------


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), flags, obsolete."""
    entries, entry, key = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry if entry is not None else {"flags": set(), "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            key = match.group(1)
            value = _unquote(match.group(3))
            if key.startswith("msgstr"):
                key = int(match.group(2) or 0)
                entry["msgstr"][key] = value
            else:
                entry[key] = value
        else:  # a continuation line
            if isinstance(key, int):
                entry["msgstr"][key] += _unquote(line)
            else:
                entry[key] += _unquote(line)
    return entries


@pytest.fixture(scope="module")
def catalog():
    return [e for po in CATALOGS for e in read_po(po) if e["msgid"] and not e["obsolete"]]


def test_catalog_is_complete(catalog):
    for po in CATALOGS:
        header = read_po(po)[0]
        assert header["msgid"] == "" and "fuzzy" not in header["flags"], po
        assert "Language: en\n" in header["msgstr"][0], po
    untranslated = [
        e["msgid"]
        for e in catalog
        if e["msgid"] not in UNTRANSLATED_ON_PURPOSE
        and (not all(e["msgstr"].values()) or len(e["msgstr"]) != (2 if "msgid_plural" in e else 1))
    ]
    assert untranslated == [], f"untranslated: {untranslated}"
    fuzzy = [e["msgid"] for e in catalog if "fuzzy" in e["flags"]]
    assert fuzzy == [], f"fuzzy: {fuzzy}"
    assert len(catalog) > 700


PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|\{\w*\}|<[^>]+>")


def test_translations_keep_placeholders_and_markup(catalog):
    wrong = []
    for e in catalog:
        sources = [e["msgid"], e.get("msgid_plural", e["msgid"])]
        for n, text in e["msgstr"].items():
            source = sources[min(n, 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((e["msgid"], text))
    assert wrong == []


# Translations that must quote Chinese: the column names and categories an import file has
# to use verbatim.
QUOTES_CHINESE = {
    "CSV(UTF-8或GB18030)或Excel(.xlsx)，不超过5 MB；列：名称、类别(市直部门/区县政府/其他)、"
    "主要职责、地址、联络员、职务、电话、电子邮箱。",
    "类别须为市直部门、区县政府或其他，而不是“%(k)s”",
}


def test_translations_are_english(catalog):
    # Besides QUOTES_CHINESE, Chinese may only follow an English classification level in
    # brackets, as in "Secret (秘密)".
    in_brackets = re.compile(r"\([\u3400-\u9fff]+\)")
    leftovers = [
        (e["msgid"], s)
        for e in catalog
        if e["msgid"] not in QUOTES_CHINESE
        for s in e["msgstr"].values()
        if CJK.search(in_brackets.sub("", s))
    ]
    assert leftovers == []


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_compiled_catalog_matches_the_po(po):
    with po.with_suffix(".mo").open("rb") as f:
        compiled = gnu_gettext.GNUTranslations(f)
    stale = []
    for e in read_po(po):
        if not e["msgid"] or e["obsolete"]:
            continue
        ctx = e.get("msgctxt")
        if "msgid_plural" in e:
            for n, count in ((0, 1), (1, 2)):
                got = (
                    compiled.npgettext(ctx, e["msgid"], e["msgid_plural"], count)
                    if ctx
                    else compiled.ngettext(e["msgid"], e["msgid_plural"], count)
                )
                if got != e["msgstr"][n]:
                    stale.append(e["msgid"])
        else:
            got = compiled.pgettext(ctx, e["msgid"]) if ctx else compiled.gettext(e["msgid"])
            if got != e["msgstr"][0]:
                stale.append(e["msgid"])
    assert stale == [], f"run compilemessages; stale in {po.with_suffix('.mo')}: {stale}"


# What makemessages would extract, without needing GNU gettext installed.
GETTEXT_FUNCTIONS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
TEMPLATE_CALL = re.compile(
    rf"\b(gettext|pgettext|ngettext|npgettext|_)\(\s*({STRING})"
    rf"(?:\s*,\s*({STRING}))?(?:\s*,\s*({STRING}))?"
)


def _key(function, args):
    ctx_at, id_at, _plural_at = GETTEXT_FUNCTIONS[function]
    if len(args) <= id_at or not all(isinstance(a, str) for a in args[: id_at + 1]):
        return None
    return (args[ctx_at] if ctx_at is not None else None, args[id_at])


def source_messages() -> dict[tuple[str | None, str], str]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "locale" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # xgettext does not look inside f-strings, so makemessages never sees those calls.
        in_fstring = {
            id(n) for f in ast.walk(tree) if isinstance(f, ast.JoinedStr) for n in ast.walk(f)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in GETTEXT_FUNCTIONS:
                continue
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            key = _key(name, args)
            if key and key[1]:
                where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                if id(node) in in_fstring:
                    where += " (inside an f-string, where makemessages cannot see it)"
                found.setdefault(key, where)
    for path in sorted(PACKAGE.rglob("*.html")):
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for match in TEMPLATE_CALL.finditer(code):
            args = [ast.literal_eval(a) for a in match.groups()[1:] if a is not None]
            key = _key(match.group(1), args)
            if key and key[1]:
                found.setdefault(key, str(path.relative_to(PACKAGE)))
    return found


def test_every_marked_string_is_in_the_catalog(catalog):
    known = {(e.get("msgctxt"), e["msgid"]) for e in catalog}
    missing = {k: where for k, where in source_messages().items() if k not in known}
    assert missing == {}, "run makemessages and translate: " + "; ".join(
        f"{where}: {msgid!r}" + (f" (context {ctx!r})" if ctx else "")
        for (ctx, msgid), where in sorted(missing.items(), key=lambda i: i[1])
    )


def test_djangos_own_blank_choice_reads_in_chinese():
    """Django 6.1's "- Select an option -" has no zh_Hans entry of its own: the project's
    catalog supplies it, so an empty select does not show English on a Chinese page."""
    from django import forms
    from django.utils import translation

    from zhengban.org.models import Unit

    field = forms.ModelChoiceField(queryset=Unit.objects.none())
    with translation.override("zh-hans"):
        assert "- 请选择 -" in str(field.empty_label)
