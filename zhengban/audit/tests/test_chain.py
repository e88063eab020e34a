"""The verifier's fast canonical form must equal the writer's definition for any values."""

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhengban.audit.chain import (
    HASHED_FIELDS,
    canonical,
    canonical_changes,
    canonical_text,
    iso_time,
)

text = st.text(max_size=40)  # any unicode, control characters and quotes included
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)
times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)


def _sqlite_text(moment: datetime) -> str:
    # How Django stores an aware datetime in SQLite: naive UTC, str().
    return str(moment.replace(tzinfo=None))


# Generation is the slow part on a loaded 2-core runner, not the code under test.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    seq=st.integers(min_value=1, max_value=2**62),
    moment=times,
    actor_id=st.none() | st.integers(min_value=1, max_value=2**62),
    strings=st.lists(text, min_size=9, max_size=9),
    changes=st.dictionaries(text, json_values, max_size=5),
)
def test_canonical_text_equals_canonical(seq, moment, actor_id, strings, changes):
    (
        actor_name,
        on_behalf_of_name,
        action,
        object_type,
        object_id,
        object_repr,
        summary,
        client_address,
        request_id,
    ) = strings
    values = dict(
        seq=seq,
        time=moment,
        actor_id=actor_id,
        actor_name=actor_name,
        on_behalf_of_name=on_behalf_of_name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        summary=summary,
        changes=changes,
        client_address=client_address,
        request_id=request_id,
    )
    assert set(values) == set(HASHED_FIELDS)
    stored_changes = json.dumps(changes)  # what JSONField writes: default separators, ASCII
    for time_value in (moment, moment.replace(tzinfo=None), _sqlite_text(moment)):
        fast = canonical_text(
            seq,
            iso_time(time_value),
            actor_id,
            actor_name,
            on_behalf_of_name,
            action,
            object_type,
            object_id,
            object_repr,
            summary,
            canonical_changes(stored_changes),
            client_address,
            request_id,
        )
        assert fast == canonical(values)


def test_canonical_changes_fast_path_and_whitespace():
    assert canonical_changes("{}") == "{}"
    assert canonical_changes(' {"b": 1, "a": "中"} ') == '{"a":"中","b":1}'
    assert canonical_changes({"b": [1, 2]}) == '{"b":[1,2]}'
