from django.urls import path

from . import views

app_name = "newsletters"

urlpatterns = [
    path("", views.subscribe_page, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("profile/", views.profile, name="profile"),
]
