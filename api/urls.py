from django.urls import path, re_path

from .errors import error_response
from .views import api


def unknown(request, rest=""):
    """Any other address under /api/: the API's JSON 404, not the site's page."""
    return error_response(404)


urlpatterns = [
    path("v1/", api.urls),
    re_path(r"^(?P<rest>.*)$", unknown),
]
