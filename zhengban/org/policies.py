"""Who may see and change what in the organization.

The structure (units, duties, staffing numbers) is public inside the office: any logged-in user
reads it. Personal data of staff (phone, ID number, home address, birth year) is for the
person themself, 人事处 (which keeps the roster) and the office leaders: masked in lists, in
full only under `may_view_full`. Appointments are made by 人事处 and office leaders;
the external-units directory is kept by the system administrator.
"""

from zhengban.accounts.choices import Role

# The unit that keeps the roster, by its name in the regulation.
HR_UNIT_NAME = "人事处"


def in_hr_unit(user) -> bool:
    if not user.is_authenticated:
        return False
    # Cached on the user instance: lists ask this once per row.
    if not hasattr(user, "_org_in_hr"):
        user._org_in_hr = user.memberships.filter(
            unit__name=HR_UNIT_NAME, unit__active=True, unit__organization__isnull=False
        ).exists()
    return user._org_in_hr


def sees_all_personal_data(user) -> bool:
    return user.is_authenticated and (user.has_role(Role.OFFICE_LEADER) or in_hr_unit(user))


def can_view_personal_data(user, person) -> bool:
    if not user.is_authenticated:
        return False
    if user.person_id is not None and user.person_id == person.pk:
        return True
    return sees_all_personal_data(user)


# Need-to-know for personal data in full (个人信息保护法 arts. 6, 28: the minimum necessary;
# the ID number is sensitive). Everyone allowed by can_view_personal_data sees the masked
# form; the full value goes to:
# - the person themself (every field);
# - 人事处, which keeps the roster (every field);
# - office leaders: the phone only (they call their staff; they need no ID number or home
#   address).
# The three administrators get nothing beyond the masked form of what their other roles
# allow: their powers are accounts, settings and the audit log, not the roster.
FULL_VIEW_FOR_LEADERS = frozenset({"phone"})


def may_view_full(user, person, field: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.person_id is not None and user.person_id == person.pk:
        return True
    if in_hr_unit(user):
        return True
    return field in FULL_VIEW_FOR_LEADERS and user.has_role(Role.OFFICE_LEADER)


def can_search_personal_data(user) -> bool:
    """Exact-match search by phone or ID number (through their digests): 人事处 only."""
    return user.is_authenticated and in_hr_unit(user)


def can_manage_appointments(user) -> bool:
    return sees_all_personal_data(user)


def can_import_external_units(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)


def can_load_regulation(user) -> bool:
    """The structure is system configuration: the system administrator loads a regulation or
    an amending notice, as the operator does with `zhengban org load`."""
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)
