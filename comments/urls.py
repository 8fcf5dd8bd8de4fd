from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("article/<int:article_id>/", views.comment_create, name="create"),
    path("<int:pk>/edit/", views.comment_edit, name="edit"),
    path("<int:pk>/delete/", views.comment_delete, name="delete"),
    path("<int:pk>/report/", views.comment_report, name="report"),
    path("notifications/", views.notification_preferences, name="notification_preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
