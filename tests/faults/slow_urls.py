"""The site's URLs plus one view whose query runs for a long time, as a heavy report would."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as site_urlpatterns


def slow(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(5)")
    return HttpResponse("finished")


urlpatterns = [path("slow/", slow), *site_urlpatterns]
