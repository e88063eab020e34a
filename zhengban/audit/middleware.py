from .context import reset_request_info, set_request_info


class RequestContextMiddleware:
    """Makes the client address and a request id available to audit records, and returns
    the id in an X-Request-ID header so a user's report can be matched to the records."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_info(request.META.get("REMOTE_ADDR", ""))
        try:
            response = self.get_response(request)
            response.setdefault("X-Request-ID", token.var.get().request_id)
            return response
        finally:
            reset_request_info(token)
