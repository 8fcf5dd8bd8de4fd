"""The site's URLs and error handlers plus one view that crashes, to see the 500 page as a
reader would."""

from django.urls import path

from newsroom import urls as site


def crash(request):
    return 1 / 0


handler500 = site.handler500
urlpatterns = [path("crash/", crash), *site.urlpatterns]
