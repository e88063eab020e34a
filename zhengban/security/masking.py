"""Masked forms of personal data for lists and for people without need-to-know."""

STAR = "*"


def mask_phone(value: str) -> str:
    """138****1234 for a mobile number; 024-****0001 for an office line: the first three
    and last four digits stay, every digit between them becomes a star."""
    if not value:
        return ""
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    # Short numbers (an extension) keep only their last two digits.
    keep = set(digits[-2:]) if len(digits) <= 7 else set(digits[:3]) | set(digits[-4:])
    return "".join(ch if (i in keep or not ch.isdigit()) else STAR for i, ch in enumerate(value))


def mask_id_number(value: str) -> str:
    """110***********1234: the first three and the last four characters stay."""
    if not value:
        return ""
    if len(value) <= 7:
        return STAR * len(value)
    return value[:3] + STAR * (len(value) - 7) + value[-4:]


def mask_address(value: str) -> str:
    """The city and district stay (up to the first 区/县/市 after the third character, at
    most six characters), the street and number are hidden."""
    if not value:
        return ""
    cut = min(6, max(1, len(value) // 3))
    for index, ch in enumerate(value[:8]):
        if index >= 2 and ch in "区县旗":
            cut = index + 1
            break
    return value[:cut] + STAR * 4
