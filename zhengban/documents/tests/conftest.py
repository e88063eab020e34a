import pytest

from zhengban.org.choices import OrganizationKind
from zhengban.org.models import Organization, Regulation


@pytest.fixture
def organization(db):
    regulation = Regulation.objects.create(
        title="测试三定", source_text="", sha256="0" * 64, parsed={}
    )
    return Organization.objects.create(
        name="沈阳市人民政府办公厅", kind=OrganizationKind.MAIN, regulation=regulation
    )


@pytest.fixture
def clerk(db):
    from zhengban.org.tests.factories import make_user

    return make_user(username="wenshu")
