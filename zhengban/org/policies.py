"""Who may see and change what in the organization.

The structure (units, duties, staffing numbers) is public inside the office: any logged-in user
reads it. Personal data of staff (phone, birth year) is for the person themself, 人事处 (which
keeps the roster) and the office leaders. Appointments are made by 人事处 and office leaders;
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


def can_manage_appointments(user) -> bool:
    return sees_all_personal_data(user)


def can_import_external_units(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)
