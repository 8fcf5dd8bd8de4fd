"""Every failure of the API as one JSON shape, never an HTML page:
`{"error": {"status": 404, "code": "not_found", "message": "…"}}` (plus `details` for bad
parameters and `retry_after` for limits)."""

from django.http import JsonResponse
from django.utils.translation import gettext

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    410: "gone",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def messages():
    # Translated when asked for, in the request's language.
    return {
        400: gettext("The request is not valid."),
        401: gettext("The API key is not valid or has been revoked."),
        403: gettext("Not allowed."),
        404: gettext("Nothing was found at this address."),
        405: gettext("This address answers GET, HEAD and OPTIONS only."),
        410: gettext("This content has been removed."),
        429: gettext("Too many requests: wait before trying again."),
        500: gettext("Something went wrong on our side."),
        503: gettext("The service is briefly unavailable: try again shortly."),
    }


class ApiError(Exception):
    """Raised by an endpoint: the request gets this error's JSON body."""

    def __init__(self, status, message=None, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def error_response(status, message=None, *, headers=None, **extra):
    body = {
        "status": status,
        "code": CODES.get(status, "error"),
        "message": str(message or messages().get(status, gettext("The request failed."))),
        **extra,
    }
    response = JsonResponse({"error": body}, status=status, headers=headers)
    # Errors are nobody's to keep: a 404 now may be an article in a minute.
    response["Cache-Control"] = "no-store"
    return response


def is_json(response):
    return response.headers.get("Content-Type", "").startswith("application/json")
