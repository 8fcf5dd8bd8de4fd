"""The site's URLs plus one view that crashes, to see the 500 page as a reader would."""

from django.urls import path

from newsroom.urls import urlpatterns as site_urlpatterns


def crash(request):
    return 1 / 0


urlpatterns = [path("crash/", crash), *site_urlpatterns]
