from datetime import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhengban.audit.models import AuditRecord
from zhengban.audit.retention import check_retention

from .factories import make_chain


def test_default_retention_passes_the_check():
    assert check_retention(None) == []


@pytest.mark.parametrize("days", [90, 179, "365"])
def test_retention_below_six_months_fails_the_check(settings, days):
    settings.AUDIT_RETENTION_DAYS = days

    errors = check_retention(None)

    assert [error.id for error in errors] == ["audit.E001"]


def test_longer_retention_passes(settings):
    settings.AUDIT_RETENTION_DAYS = 3650

    assert check_retention(None) == []


@pytest.mark.django_db
def test_stats_prints_count_oldest_newest_and_retention(capsys, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    first, *_ = make_chain(3)
    AuditRecord.objects.filter(pk=first.pk).update(
        time=timezone.make_aware(datetime(2025, 1, 2, 9, 30))
    )

    call_command("audit", "stats")

    out = capsys.readouterr().out
    assert "记录数：3" in out
    assert "链头序号：3" in out
    assert "最早记录：2025-01-02 09:30:00" in out
    assert f"最新记录：{timezone.localtime(AuditRecord.objects.get(seq=3).time):%Y-%m-%d}" in out
    assert "留存期限：365 天" in out
    assert "本系统不删除任何审计记录" in out


@pytest.mark.django_db
def test_stats_on_an_empty_chain(capsys):
    call_command("audit", "stats")

    out = capsys.readouterr().out
    assert "记录数：0" in out
    assert "最早记录" not in out
