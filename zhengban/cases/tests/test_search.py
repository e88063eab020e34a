"""Chinese full-text search over cases: jieba tokens in FTS5 (SQLite) or a GIN tsvector
index (PostgreSQL), always through the visibility policy."""

import pytest
from django.db import connection

from zhengban.accounts.choices import Clearance
from zhengban.cases import comments, services
from zhengban.cases.models import Case, CaseSearchText
from zhengban.cases.policies import cases_visible_to
from zhengban.cases.search import search_filter

WATER = "关于做好今冬明春农村饮水安全工作的通知"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def new_case(office, title=WATER, body="请农经处牵头，文教处配合，抓好落实。", **kwargs):
    defaults = {
        "case_type": "assigned_task",
        "owner_unit": office.duchashi,
        "actor": office.clerk,
        "sensitivity": Clearance.INTERNAL,
    }
    defaults.update(kwargs)
    return services.case_create(title=title, body=body, **defaults)


def search(user, query) -> set[str]:
    return set(search_filter(cases_visible_to(user), query).values_list("title", flat=True))


@pytest.fixture
def cases(office):
    water = new_case(office)
    safety = new_case(
        office,
        title="关于开展安全生产大检查的通知",
        body="各处室要对办公楼消防通道、电气线路进行排查。",
    )
    flood = new_case(
        office,
        title="关于切实做好防汛抗旱工作的紧急通知",
        body="做好水库除险加固和山洪灾害防御，确保PM2.5监测站点正常运行。",
    )
    return water, safety, flood


@pytest.mark.parametrize("query", ["饮水安全", "农村饮水", "今冬明春", "饮水", "农村饮水安全工作"])
def test_title_words_find_the_case(office, cases, query):
    assert search(office.clerk, query) == {WATER}


def test_every_word_must_match(office, cases):
    assert search(office.clerk, "安全") == {WATER, "关于开展安全生产大检查的通知"}
    assert search(office.clerk, "安全 生产") == {"关于开展安全生产大检查的通知"}
    assert search(office.clerk, "饮水 防汛") == set()


def test_body_words_and_latin_letters_find_the_case(office, cases):
    assert search(office.clerk, "水库除险加固") == {"关于切实做好防汛抗旱工作的紧急通知"}
    assert search(office.clerk, "消防通道") == {"关于开展安全生产大检查的通知"}
    assert search(office.clerk, "pm2.5") == {"关于切实做好防汛抗旱工作的紧急通知"}
    assert search(office.clerk, "PM2.5 监测") == {"关于切实做好防汛抗旱工作的紧急通知"}


def test_case_number_finds_the_case(office, cases):
    water = cases[0]
    assert search(office.clerk, water.number) == {WATER}


def test_comment_words_find_the_case(office, cases):
    water = cases[0]
    assert search(office.clerk, "校园直饮水") == set()
    comments.comment_add(case=water, actor=office.clerk, text="请文教处同步排查校园直饮水设施。")
    assert search(office.clerk, "校园直饮水") == {WATER}
    assert search(office.clerk, "直饮水 设施") == {WATER}


def test_results_respect_unit_scope_clearance_and_admin_roles(office, cases):
    public = new_case(
        office, title="关于农村饮水工程建设情况的公开通报", sensitivity=Clearance.PUBLIC
    )
    assert search(office.clerk, "农村饮水") == {WATER, public.title}
    assert search(office.leader, "农村饮水") == {WATER, public.title}
    assert search(office.outsider, "农村饮水") == set()  # another division
    assert search(office.low, "农村饮水") == {public.title}  # cleared for 公开 only
    assert search(office.sysadmin, "农村饮水") == set()  # 三员 see no business
    assert search(office.farmer, "农村饮水") == set()  # until 农经处 is assigned the case


def test_an_assigned_unit_finds_the_case(office, cases):
    water = cases[0]
    water = services.case_perform(
        case=water, action_code="submit", actor=office.clerk, version=water.version
    )
    services.case_perform(
        case=water,
        action_code="assign",
        actor=office.head,
        version=water.version,
        params={"lead_unit": office.nongjing},
    )
    assert search(office.farmer, "饮水安全") == {WATER}
    assert search(office.teacher, "饮水安全") == set()


def test_an_update_reindexes(office, cases):
    water = cases[0]
    services.case_update(
        case=water,
        actor=office.clerk,
        version=water.version,
        title="关于做好冬季城市供暖保障工作的通知",
        body="确保供热管网安全运行。",
        urgency=water.urgency,
    )
    assert search(office.clerk, "饮水安全") == set()
    assert search(office.clerk, "供暖保障") == {"关于做好冬季城市供暖保障工作的通知"}
    assert search(office.clerk, "供热管网") == {"关于做好冬季城市供暖保障工作的通知"}


def index_rows(word: str) -> int:
    """Rows of the full-text index itself matching a word, whatever the Case table says."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM cases_search_fts WHERE cases_search_fts MATCH %s",
                [f'"{word}"'],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM cases_casesearchtext "
                "WHERE to_tsvector('simple', tokens) @@ plainto_tsquery('simple', %s)",
                [word],
            )
        return cursor.fetchone()[0]


def test_a_deleted_case_leaves_the_index(office, cases):
    water = cases[0]
    assert index_rows("饮水") == 1
    water.delete()
    assert not CaseSearchText.objects.filter(case_id=water.pk).exists()
    assert index_rows("饮水") == 0
    assert search(office.leader, "饮水安全") == set()
    # The other cases are still found: the delete removed one row only.
    assert index_rows("通知") == 2


def test_the_index_follows_the_table_row_by_row(office, cases):
    # Two updates in a row keep exactly one index entry per case (no stale duplicates).
    water = cases[0]
    for title in ("关于加强冬季农村饮水安全管理的通知", WATER):
        water.refresh_from_db()
        services.case_update(
            case=water,
            actor=office.clerk,
            version=water.version,
            title=title,
            body=water.body,
            urgency=water.urgency,
        )
    assert index_rows("饮水") == 1
    assert index_rows("管理") == 0


@pytest.mark.parametrize(
    "query",
    [
        '"饮水安全"',
        '饮水安全"',
        "“饮水安全”",
        "'饮水安全'",
        "饮水 AND 安全",
        "饮水 OR 安全",
        "饮水 NOT 农村",
        "NEAR(饮水 安全)",
        "饮水*",
        "饮水 -农村",
        "-饮水",
        "(饮水",
        "饮水:安全",
        "^饮水",
        "{饮水}",
        "饮水 + 安全",
        "饮水\\安全",
        "饮水%安全_",
        "饮水\x00安全",
    ],
)
def test_query_syntax_characters_are_plain_text(office, cases, query):
    # Operators and quotes are not passed through to FTS5 or tsquery: no error, and the
    # Chinese words still find the case.
    assert search(office.clerk, query) == {WATER}
    assert Case.objects.count() == 3


@pytest.mark.parametrize(
    "query",
    ["tokens:饮水", "饮水'; DROP TABLE cases_case; --", "NEAR(饮水 安全, 2)"],
)
def test_other_words_in_the_query_are_words_too(office, cases, query):
    # "tokens", "drop", "2"… are required like any other word: nothing matches, no error.
    assert search(office.clerk, query) == set()
    assert Case.objects.count() == 3


def test_pm25_and_decimals_are_searchable(office, cases):
    assert search(office.clerk, "PM2.5") == {"关于切实做好防汛抗旱工作的紧急通知"}


@pytest.mark.parametrize("query", ["", "   ", '"', "*", "-", "AND", "OR NEAR", "()", "：；，。"])
def test_queries_without_words_find_nothing(office, cases, query):
    assert search(office.clerk, query) == set()


def test_search_is_one_query_whatever_the_data_size(office, django_assert_num_queries):
    user = office.clerk
    cases_visible_to(user)  # warms the user's cached roles, units and delegations
    new_case(office)
    with django_assert_num_queries(1):
        assert len(list(search_filter(cases_visible_to(user), "饮水安全"))) == 1
    for i in range(20):
        new_case(office, title=f"关于第{i}批农村饮水安全工程验收的通知")
    with django_assert_num_queries(1):
        assert len(list(search_filter(cases_visible_to(user), "饮水安全"))) == 21


def test_reindex_command_rebuilds_every_entry(office, cases):
    import io

    from django.core.management import call_command

    water = cases[0]
    comments.comment_add(case=water, actor=office.clerk, text="请同步排查校园直饮水设施。")
    CaseSearchText.objects.update(tokens="")  # as if indexed by an older tokenizer
    CaseSearchText.objects.filter(case_id=cases[1].pk).delete()
    assert search(office.clerk, "饮水") == set()
    out = io.StringIO()
    call_command("reindex_cases", "--batch-size", "2", stdout=out)
    assert "3 件" in out.getvalue()
    assert search(office.clerk, "农村饮水") == {WATER}
    assert search(office.clerk, "校园直饮水") == {WATER}
    assert search(office.clerk, "安全生产") == {"关于开展安全生产大检查的通知"}
    assert search(office.clerk, "PM2.5") == {"关于切实做好防汛抗旱工作的紧急通知"}
    assert CaseSearchText.objects.count() == 3
    assert index_rows("通知") == 3


@pytest.mark.postgres
def test_postgres_search_uses_the_gin_index(office, cases):
    # Enough rows, and fresh statistics, for the planner to prefer the index as it would
    # in production (on three rows it may as well scan, and does so unpredictably).
    filler = [
        Case(
            case_type="assigned_task",
            number=f"填充〔2025〕{i}号",
            year=2025,
            title=f"填充事项{i}",
            state="draft",
            owner_unit=office.duchashi,
            creator=office.clerk,
        )
        for i in range(3000)
    ]
    Case.objects.bulk_create(filler)
    CaseSearchText.objects.bulk_create(
        CaseSearchText(case=case, tokens=f"填充 事项 编号{case.number}") for case in filler
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
        cursor.execute("ANALYZE cases_casesearchtext")
        sql, params = search_filter(Case.objects.all(), "饮水安全").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_search_tsv" in plan, plan
    assert search(office.clerk, "饮水安全") == {WATER}


def test_highlighting_is_safe_for_any_unicode():
    from zhengban.cases.selectors import highlight

    assert str(highlight("İstanbul 供暖 <b>", "供暖")) == "İstanbul <mark>供暖</mark> &lt;b&gt;"
    assert "<mark>" in str(highlight("İİİ ISTANBUL", "istanbul"))
