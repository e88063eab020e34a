from .context import reset_request_info, set_request_info


class RequestContextMiddleware:
    """Makes the client address and a request id available to audit records."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_info(request.META.get("REMOTE_ADDR", ""))
        try:
            return self.get_response(request)
        finally:
            reset_request_info(token)
