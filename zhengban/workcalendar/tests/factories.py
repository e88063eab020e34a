from zhengban.accounts.models import User
from zhengban.accounts.services import user_create


def make_user(*roles: str, username: str) -> User:
    return user_create(
        username=username,
        password="x",
        display_name=username,
        roles=roles,
        validate_password=False,
    )
