from django.contrib import admin

from .models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__email", "user__username"]
    autocomplete_fields = ["user"]
