from zhengban.accounts.models import User
from zhengban.accounts.services import user_create


def make_user(*roles: str, username: str, staff_site: bool = False) -> User:
    user = user_create(
        username=username,
        password="x",
        display_name=username,
        roles=roles,
        validate_password=False,
    )
    if staff_site:
        # Django's admin site admits is_staff users only; business rights come from roles.
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.refresh_from_db()
    return user
