"""Password rules of the security policy (等保 2.0 8.1.4.1 a): length, character classes and
no reuse of the last N passwords. The numbers come from `accounts.selectors.security_policy`,
so the security administrator's changes apply to the next password set."""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _policy():
    from .selectors import security_policy

    return security_policy()


def character_classes(password: str) -> int:
    return sum(
        [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )


class PolicyLengthValidator:
    def validate(self, password, user=None):
        minimum = _policy().password_min_length
        if len(password) < minimum:
            raise ValidationError(
                _("密码至少须有%(n)d个字符。") % {"n": minimum},
                code="password_too_short",
            )

    def get_help_text(self):
        minimum = _policy().password_min_length
        return _("密码至少须有%(n)d个字符。") % {"n": minimum}


class CharacterClassValidator:
    """Passwords mix upper case, lower case, digits and symbols: at least the policy's number
    of these four classes (three by default)."""

    def validate(self, password, user=None):
        needed = _policy().password_min_classes
        if character_classes(password) < needed:
            raise ValidationError(self._message(needed), code="password_character_classes")

    def _message(self, needed: int) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类。") % {"n": needed}

    def get_help_text(self):
        return self._message(_policy().password_min_classes)


class PasswordHistoryValidator:
    """Not the current password, nor one of the last N (their hashes are kept)."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        keep = _policy().password_history
        if keep <= 0:
            return
        # The history holds every password set, newest first; the current one heads it, or
        # is added for accounts whose password was set before the history was kept.
        hashes = list(
            user.password_history.order_by("-created_at", "-pk").values_list("password", flat=True)[
                :keep
            ]
        )
        if user.password and user.password not in hashes:
            hashes = [user.password, *hashes[: keep - 1]]
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("不得使用最近%(n)d次用过的密码。") % {"n": keep}, code="password_reused"
            )

    def get_help_text(self):
        return _("不得使用最近%(n)d次用过的密码。") % {"n": _policy().password_history}
