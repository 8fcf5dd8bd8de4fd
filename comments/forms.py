import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BODY_MAX_LENGTH, Comment, NotificationPreferences, Report


class CommentForm(forms.ModelForm):
    # A fresh value with every form shown; the same value twice is one comment posted twice.
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": _("Your comment")}
        widgets = {"body": forms.Textarea(attrs={"rows": 5, "maxlength": BODY_MAX_LENGTH})}
        error_messages = {
            "body": {
                "required": _("Please write something before posting."),
                "max_length": _(
                    "A comment can be at most %(limit_value)d characters long "
                    "(it has %(show_value)d)."
                ),
            }
        }

    def clean(self):
        data = super().clean()
        # The reply forms of one page share one key (it is put in per request, once); each
        # thread's reply gets its own key from it, so replying to two threads is two replies.
        if data.get("parent") and data.get("submission_key"):
            data["submission_key"] = uuid.uuid5(data["submission_key"], f"reply-{data['parent']}")
        return data

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Please write something before posting."))
        return body


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["reason"]
        labels = {"reason": _("Why should a moderator look at this comment?")}
        error_messages = {"reason": {"required": _("Please say briefly what is wrong.")}}


class NotificationPreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationPreferences
        fields = ["replies", "approvals"]
        labels = {
            "replies": _("E-mail me when someone replies to my comments"),
            "approvals": _("E-mail me when a moderator publishes my comment that was held"),
        }
        help_texts = {"replies": "", "approvals": ""}
