"""What every admin that edits public content shares: its writes say what they changed.

A model's own save() and delete() announce their change (newsroom/invalidation.py); what the
admin writes past them — many-to-many fields and inlines after the save, and the bulk "delete
selected" action, which deletes with one query — is announced here."""


class AnnouncesChanges:
    """A ModelAdmin mixin: `announce(obj, before)` after the related objects of a save are
    written and after a delete or a bulk delete. `before(obj)` is asked ahead of a delete (for an
    article: the lists it was on)."""

    def announce(self, obj, before):
        raise NotImplementedError

    def before(self, obj):
        return ()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.announce(form.instance, getattr(form.instance, "_announce_before", ()))

    def delete_model(self, request, obj):
        before = self.before(obj)
        super().delete_model(request, obj)
        self.announce(obj, before)

    def delete_queryset(self, request, queryset):
        objects = [(obj, self.before(obj)) for obj in queryset]
        super().delete_queryset(request, queryset)
        for obj, before in objects:
            self.announce(obj, before)
