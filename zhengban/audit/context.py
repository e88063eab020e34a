"""Request metadata (client address, request id) for audit rows.

Only request metadata lives here; the actor is always passed explicitly to services.
"""

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    request_id: str
    client_address: str


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "zhengban_request", default=None
)


def current_request_info() -> RequestInfo | None:
    return _current.get()


def set_request_info(client_address: str) -> contextvars.Token:
    return _current.set(RequestInfo(request_id=uuid.uuid4().hex, client_address=client_address))


def reset_request_info(token: contextvars.Token) -> None:
    _current.reset(token)
