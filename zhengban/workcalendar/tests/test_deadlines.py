"""Statutory deadlines computed from rules, pauses and extensions (no database)."""

from dataclasses import replace
from datetime import date, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhengban.workcalendar.calendar import PACKAGE_LAST_YEAR, WorkCalendar
from zhengban.workcalendar.choices import DeadlineUnit, PauseReason
from zhengban.workcalendar.deadlines import (
    DECLARED_RULES,
    RULES,
    DeadlineError,
    DeadlineRule,
    ExtensionNotAllowed,
    Pause,
    check_extension,
    compute_due,
    effective_rules,
    extension_allowed,
    extension_refusal,
    get_rule,
    pause_allowed,
)

CAL = WorkCalendar()
DISCLOSURE = RULES["disclosure.reply"]


def due(rule, start, **kwargs):
    return compute_due(rule, start, calendar=CAL, **kwargs)


def test_disclosure_reply_20_working_days_from_receipt():
    # March 2026 has no holiday: 3/3 … 3/30 are the 20 working days after Mon 3/2.
    result = due(DISCLOSURE, date(2026, 3, 2))
    assert result.date == date(2026, 3, 30)
    assert result.state == "running" and not result.provisional
    assert "第三十三条" in result.basis_text and "20个工作日" in result.basis_text


def test_disclosure_reply_across_national_day():
    assert due(DISCLOSURE, date(2026, 9, 25)).date == date(2026, 10, 29)


def test_consultation_pause_of_five_working_days_pushes_due_five_working_days():
    # Third-party consultation from 3/9 to 3/16: 3/10–3/13 and 3/16 are not counted.
    pause = Pause(date(2026, 3, 9), date(2026, 3, 16), PauseReason.THIRD_PARTY)
    result = due(DISCLOSURE, date(2026, 3, 2), pauses=[pause])
    assert result.paused_workdays == 5
    # 3/30 + 5 working days: 3/31, 4/1, 4/2, 4/3, (4/4–4/6 清明) 4/7.
    assert result.date == date(2026, 4, 7)
    assert CAL.workdays_between(date(2026, 3, 30), result.date) == 5
    assert "暂停计时5个工作日" in result.basis_text


def test_overlapping_pauses_count_once():
    pauses = [
        Pause(date(2026, 3, 9), date(2026, 3, 16), PauseReason.THIRD_PARTY),
        Pause(date(2026, 3, 12), date(2026, 3, 13), PauseReason.OTHER_ORGAN),
    ]
    result = due(DISCLOSURE, date(2026, 3, 2), pauses=pauses)
    assert result.paused_workdays == 5 and result.date == date(2026, 4, 7)


def test_open_pause_suspends_the_due_date():
    pause = Pause(date(2026, 3, 9), None, PauseReason.THIRD_PARTY)
    result = due(DISCLOSURE, date(2026, 3, 2), pauses=[pause])
    assert result.state == "paused" and result.date is None
    assert result.basis_text.startswith("《中华人民共和国政府信息公开条例》")


def test_pause_after_the_due_date_changes_nothing():
    late = Pause(date(2026, 3, 31), None, PauseReason.THIRD_PARTY)
    result = due(DISCLOSURE, date(2026, 3, 2), pauses=[late])
    assert result.state == "running" and result.date == date(2026, 3, 30)


def test_pause_before_the_start_is_clipped():
    early = Pause(date(2026, 2, 26), date(2026, 3, 4), PauseReason.THIRD_PARTY)
    result = due(DISCLOSURE, date(2026, 3, 2), pauses=[early])
    assert result.paused_workdays == 2  # 3/3 and 3/4 only
    assert result.date == date(2026, 4, 1)


def test_correction_restarts_the_clock_from_the_corrected_application():
    # 政府信息公开条例 art. 30: 补正 requested 3/4, corrected application received 3/11 →
    # 20 working days from 3/11: 3/12 … 4/3 is 17, then 4/7, 4/8, 4/9 (清明 4/4–4/6).
    correction = Pause(date(2026, 3, 4), date(2026, 3, 11), PauseReason.CORRECTION)
    assert due(DISCLOSURE, date(2026, 3, 2), pauses=[correction]).date == date(2026, 4, 9)
    waiting = Pause(date(2026, 3, 4), None, PauseReason.CORRECTION)
    assert due(DISCLOSURE, date(2026, 3, 2), pauses=[waiting]).state == "paused"


def test_pause_reason_must_be_allowed_by_the_rule():
    assert pause_allowed(DISCLOSURE, PauseReason.THIRD_PARTY)
    assert pause_allowed(DISCLOSURE, PauseReason.CORRECTION)
    assert not pause_allowed(DISCLOSURE, PauseReason.HEARING)
    assert not pause_allowed(RULES["petition.handle"], PauseReason.THIRD_PARTY)
    with pytest.raises(DeadlineError, match="不适用“听证”"):
        due(DISCLOSURE, date(2026, 3, 2), pauses=[Pause(date(2026, 3, 3), None, "hearing")])
    with pytest.raises(DeadlineError):
        due(RULES["petition.triage"], date(2026, 3, 2), pauses=[Pause(date(2026, 3, 3), None, "x")])
    with pytest.raises(DeadlineError, match="早于"):
        due(
            DISCLOSURE,
            date(2026, 3, 2),
            pauses=[Pause(date(2026, 3, 9), date(2026, 3, 5), "third_party")],
        )


def test_disclosure_extension_once_by_20_working_days():
    assert extension_allowed(DISCLOSURE, 0)
    assert not extension_allowed(DISCLOSURE, 1)
    extended = due(DISCLOSURE, date(2026, 3, 2), extensions=1)
    assert extended.date == CAL.add_workdays(date(2026, 3, 2), 40).date
    assert "已延长1次" in extended.basis_text
    assert DISCLOSURE.extension.approver_role == "office_leader"
    with pytest.raises(ExtensionNotAllowed, match=r"最多可延长1次.*已延长1次"):
        due(DISCLOSURE, date(2026, 3, 2), extensions=2)
    with pytest.raises(ExtensionNotAllowed):
        check_extension(DISCLOSURE, 1)
    check_extension(DISCLOSURE, 0)


def test_rules_without_extension_refuse_in_chinese():
    rule = RULES["petition.triage"]
    assert not extension_allowed(rule, 0)
    assert extension_refusal(rule, 0) == "“信访事项登记转送交办”期限依法不得延长。"
    with pytest.raises(ExtensionNotAllowed, match="不得延长"):
        due(rule, date(2026, 3, 2), extensions=1)
    with pytest.raises(DeadlineError):
        due(rule, date(2026, 3, 2), extensions=-1)


def test_petition_handling_60_days_plus_30():
    rule = RULES["petition.handle"]
    # 8/2 + 60 days = 10/1 → after the National Day holiday.
    assert due(rule, date(2026, 8, 2)).date == date(2026, 10, 8)
    # + 30 days = 10/31 (Sat) → Mon 11/2.
    assert due(rule, date(2026, 8, 2), extensions=1).date == date(2026, 11, 2)


def test_recheck_excludes_hearing_days():
    rule = RULES["petition.recheck"]
    assert due(rule, date(2026, 3, 2)).date == date(2026, 4, 1)
    hearing = Pause(date(2026, 3, 10), date(2026, 3, 20), PauseReason.HEARING)
    # 4/1 + 10 days = 4/11 (Sat) → Mon 4/13.
    result = due(rule, date(2026, 3, 2), pauses=[hearing])
    assert result.date == date(2026, 4, 13)
    assert "暂停计时10日" in result.basis_text


def test_npc_proposal_three_months_clamped_and_six_when_extended():
    rule = RULES["proposal.npc_reply"]
    assert due(rule, date(2025, 11, 30)).date == date(2026, 2, 28)  # make-up Saturday
    # 6 months from 1/31 is 7/31, not 4/30 + 3 months = 7/30.
    assert due(rule, date(2026, 1, 31), extensions=1).date == date(2026, 7, 31)
    assert due(rule, date(2026, 7, 1)).date == date(2026, 10, 8)


def test_minute_clocks_run_through_holidays():
    rule = RULES["emergency.major_phone"]
    start = datetime(2026, 10, 1, 23, 50)
    result = due(rule, start)
    assert result.at == datetime(2026, 10, 2, 0, 20)
    assert result.date == date(2026, 10, 2)
    with pytest.raises(DeadlineError):
        due(rule, date(2026, 10, 1))


def test_same_day_rule_is_not_rolled():
    assert due(RULES["hotline.urgent"], date(2026, 10, 1)).date == date(2026, 10, 1)


def test_beyond_known_years_the_due_date_is_provisional():
    year = PACKAGE_LAST_YEAR + 1
    result = due(DISCLOSURE, date(year - 1, 12, 20))
    assert result.provisional
    assert any(f"{year}年" in w for w in result.warnings)
    complete = WorkCalendar(complete_years=[year])
    assert not compute_due(DISCLOSURE, date(year - 1, 12, 20), calendar=complete).provisional


def test_unconfirmed_rules_say_so_in_the_basis():
    rule = RULES["proposal.cppcc_reply"]
    assert rule.unconfirmed and "待核实" in rule.basis_text
    assert not DISCLOSURE.unconfirmed and "待核实" not in DISCLOSURE.basis_text


def test_registry_is_consistent():
    assert set(RULES) >= {
        "disclosure.reply",
        "petition.triage",
        "petition.handle",
        "proposal.npc_reply",
        "proposal.cppcc_reply",
        "hotline.complaint",
        "emergency.major_written",
        "document.handle_normal",
    }
    for rule in RULES.values():
        assert rule.unit in DeadlineUnit.values
        assert rule.legal_basis and rule.title and len(rule.code) <= 40
    assert get_rule("disclosure.reply") is RULES["disclosure.reply"]
    with pytest.raises(DeadlineError, match="未定义的期限规则"):
        get_rule("nope")


def test_rule_declaration_is_validated():
    with pytest.raises(ValueError):
        DeadlineRule("x", "x", "weeks", 1, "receipt", "basis")
    with pytest.raises(ValueError):
        DeadlineRule(
            "x", "x", "working_days", 1, "receipt", "b", pause_reasons=frozenset({"hearing"})
        )


def test_deployment_overrides_change_unconfirmed_figures():
    rules = effective_rules(
        {
            "proposal.cppcc_reply": {"amount": 2, "unconfirmed": False},
            "hotline.complaint": {"extension": None},
            "petition.triage": {
                "extension": {"max_times": 1, "amount": 15, "unit": "calendar_days",
                              "approver_role": "office_leader"}
            },
        }
    )  # fmt: skip
    assert rules["proposal.cppcc_reply"].amount == 2
    assert not rules["proposal.cppcc_reply"].unconfirmed
    assert rules["hotline.complaint"].extension is None
    assert extension_allowed(rules["petition.triage"], 0)
    assert DECLARED_RULES["proposal.cppcc_reply"].amount == 3  # declarations untouched
    with pytest.raises(ImproperlyConfigured):
        effective_rules({"nope": {"amount": 1}})
    with pytest.raises(ImproperlyConfigured):
        effective_rules({"disclosure.reply": {"unit": "weeks"}})


def test_due_date_with_a_local_holiday_override():
    # A local holiday (民族自治地方) on 3/16 pushes the 20th working day by one.
    cal = WorkCalendar(overrides={date(2026, 3, 16): False})
    result = compute_due(replace(DISCLOSURE), date(2026, 3, 2), calendar=cal)
    assert result.date == date(2026, 3, 31)
