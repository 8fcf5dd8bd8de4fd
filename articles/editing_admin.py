"""The article form's autosave and editing lock, in the admin: the form's part, the admin's
part and the JSON endpoints the form's script talks to (articles/editing.py keeps the rules)."""

import json

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from . import editing


class AutosaveForm:
    """A ModelForm mixin. `autosave` (set by the admin) is the user's unsaved text: an unbound
    form opens with it when it was typed on the article as it is now, or when `restore_anyway`.
    `refuse_without_lock()` refuses the save of a user whose editing was taken over."""

    autosave = None
    restore_anyway = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.restored = self.outdated = None
        if self.is_bound or self.autosave is None:
            return
        if editing.typed_on_current_version(self.autosave, self.instance) or self.restore_anyway:
            self.restore(self.autosave.data)
            self.restored = self.autosave
        else:
            self.outdated = self.autosave

    def restore(self, fields):
        """Open the form with `fields` as the browser sent them: each widget reads its value
        as it would from a post, and renders it back as it would after a form error."""
        data = MultiValueDict(
            {name: value if isinstance(value, list) else [value] for name, value in fields.items()}
        )
        for name, field in self.fields.items():
            if name == "opened_version":  # the version this form is opened on, never an older
                continue
            key = self.add_prefix(name)
            if not field.widget.value_omitted_from_data(data, {}, key):
                self.initial[name] = field.widget.value_from_datadict(data, {}, key)

    def refuse_without_lock(self):
        lock = editing.blocking_lock(self.instance, self.user)
        if lock is None:
            return
        names = {"who": editing.display_name(lock.user), "when": editing.display_time(lock.since)}
        if lock.taken_from_id == self.user.pk:
            why = _("Not saved: %(who)s took over editing at %(when)s, after you opened it.")
        else:
            why = _("Not saved: %(who)s is editing this article (since %(when)s).")
        raise ValidationError(
            format_html(
                '{} {} <a href="{}" target="_blank">{}</a>',
                why % names,
                _("Your text is still in the form below: copy what you need, then"),
                reverse("admin:articles_article_change", args=[self.instance.pk]),
                _("open the article in a new tab."),
            ),
            code="locked",
        )


def json_error(message, status):
    return JsonResponse({"error": str(message)}, status=status)


def _csrf_failure(request):
    """Django's CSRF check, answered in JSON for the form's script."""
    response = CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})
    if response is None:
        return None
    return json_error(
        _("The form's security token is missing or old: reload the page (copy your text first)."),
        403,
    )


class EditingDesk:
    """A ModelAdmin mixin for ArticleAdmin: the change form takes the article's lock, opens read
    only while another editor holds it, restores unsaved text, keeps the text of a refused save;
    a successful save clears the autosave and frees the lock."""

    # Change form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            article = self.get_object(request, unquote(object_id))
            if article is not None and self.has_change_permission(request, article):
                request.editing_lock = editing.take(article, request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_change_permission(self, request, obj=None):
        """While another editor holds the lock, the form opens read-only (until “Take over”)."""
        if not super().has_change_permission(request, obj):
            return False
        lock = getattr(request, "editing_lock", None)
        return not (
            obj is not None
            and lock is not None
            and lock.article_id == obj.pk
            and lock.user_id != request.user.pk
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.method == "GET" and issubclass(form, AutosaveForm):
            form.autosave = editing.pending(request.user, obj)
            form.restore_anyway = request.GET.get("autosave") == "restore"
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        article = obj if change else None
        if request.method == "POST" and form.is_bound and not form.is_valid():
            # What was typed survives a refused save even when the tab is closed afterwards.
            editing.store(request.user, article, editing.fields_from_post(request.POST))
        can_edit = add or self.has_change_permission(request, obj)
        lock = getattr(request, "editing_lock", None)
        autosave = getattr(form, "restored", None) or getattr(form, "outdated", None)
        context["editing"] = {
            "saved_when": autosave and editing.display_time(autosave.saved_at),
            "lock": lock,
            "lock_message": lock and editing.lock_message(lock, request.user),
            "take_over_url": article and reverse(self._url_name("lock_take_over"), args=[obj.pk]),
            "restored": getattr(form, "restored", None),
            "outdated": getattr(form, "outdated", None),
            "restore_url": "?autosave=restore",
            "discard_url": reverse(self._url_name("autosave_discard"), args=[obj.pk])
            if article
            else reverse(self._url_name("new_autosave_discard")),
        }
        if can_edit or lock:
            context["editing_config"] = {
                "mode": "editing" if can_edit else "locked",
                "holder": lock and editing.display_name(lock.user),
                "autosaveUrl": (
                    reverse(self._url_name("autosave"), args=[obj.pk])
                    if article
                    else reverse(self._url_name("new_autosave"))
                ),
                "lockUrl": article and reverse(self._url_name("lock"), args=[obj.pk]),
                "autosaveSeconds": editing.AUTOSAVE_SECONDS,
                "renewSeconds": editing.RENEW_SECONDS,
                # Restored or refused text is not saved in the article: leaving warns.
                "unsaved": bool(context["editing"]["restored"] or form.is_bound),
                # The browser's own copy, for text the server could not be reached with.
                "localKey": f"newsroom-autosave:{request.user.pk}:{obj.pk if article else 'new'}",
                "messages": {
                    "saved": _("Your text was kept as a draft at %(time)s"),
                    "failed": _("Your text could not be kept on the server: %(error)s"),
                    "offline": _(
                        "The server cannot be reached: your text is kept in this browser "
                        "meanwhile. Keep this page open."
                    ),
                    "local": _(
                        "Text that could not reach the server was put back from this browser's "
                        "copy. Save the article to keep it."
                    ),
                    "free": _("%(who)s has left the article. Reload the page to edit it."),
                },
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        editing.discard(request.user, None)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        editing.discard(request.user, obj)
        editing.release(obj, request.user)  # the next opening of the form takes it again
        return super().response_change(request, obj)

    # The script's endpoints

    def _url_name(self, name):
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}"

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("add/autosave/", self.json_view(self.autosave_view), name=f"{info}_new_autosave"),
            path(
                "add/autosave/discard/",
                view(self.autosave_discard_view),
                name=f"{info}_new_autosave_discard",
            ),
            path(
                "<path:object_id>/autosave/",
                self.json_view(self.autosave_view),
                name=f"{info}_autosave",
            ),
            path(
                "<path:object_id>/autosave/discard/",
                view(self.autosave_discard_view),
                name=f"{info}_autosave_discard",
            ),
            path("<path:object_id>/lock/", self.json_view(self.lock_view), name=f"{info}_lock"),
            path(
                "<path:object_id>/lock/take-over/",
                view(self.take_over_view),
                name=f"{info}_lock_take_over",
            ),
            *super().get_urls(),
        ]

    def json_view(self, function):
        """A JSON endpoint: staff only, CSRF-checked, never cached, every refusal in JSON."""

        @never_cache
        def view(request, object_id=None):
            if not self.admin_site.has_permission(request):
                return json_error(_("Sign in to the admin again (copy your text first)."), 403)
            if request.method not in {"GET", "POST"}:
                return json_error(_("Use GET or POST."), 405)
            if request.method == "POST" and (failure := _csrf_failure(request)):
                return failure
            article = None
            if object_id is not None:
                article = self.get_object(request, unquote(object_id))
                if article is None:
                    return json_error(_("There is no such article."), 404)
            return function(request, article)

        return csrf_exempt(view)  # checked inside, so that a failure is answered in JSON

    def _may_edit(self, request, article):
        if article is None:
            return self.has_add_permission(request)
        return self.has_change_permission(request, article)

    def _read_json(self, request):
        """The request's JSON body, or a JsonResponse saying why not."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = editing.AUTOSAVE_MAX_BYTES
        too_big = json_error(
            _("Too much text to keep at once: at most %(limit)d KB.") % {"limit": limit // 1024},
            413,
        )
        if length > limit:
            return too_big
        try:
            body = request.body
        except RequestDataTooBig:
            return too_big
        if len(body) > limit:
            return too_big
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return json_error(_("The request is not valid JSON."), 400)

    def autosave_view(self, request, article):
        if request.method != "POST":
            return json_error(_("Use POST."), 405)
        if not self._may_edit(request, article):
            return json_error(_("You cannot change this article."), 403)
        payload = self._read_json(request)
        if isinstance(payload, JsonResponse):
            return payload
        try:
            fields = editing.clean_fields(payload)
        except editing.BadAutosave as error:
            return json_error(error, 400)
        autosave = editing.store(request.user, article, fields)
        return JsonResponse(
            {
                "saved_at": autosave.saved_at.isoformat(),
                "saved_at_display": editing.display_time(autosave.saved_at),
            }
        )

    def lock_view(self, request, article):
        if request.method == "GET":
            if not self.has_view_or_change_permission(request, article):
                return json_error(_("You cannot see this article."), 403)
            return JsonResponse(editing.lock_status(editing.live_lock(article), request.user))
        if not self._may_edit(request, article):
            return json_error(_("You cannot change this article."), 403)
        payload = self._read_json(request)
        if isinstance(payload, JsonResponse):
            return payload
        action = payload.get("action") if isinstance(payload, dict) else None
        if action == "renew":
            lock = editing.take(article, request.user)
            return JsonResponse(editing.lock_status(lock, request.user))
        if action == "release":
            editing.release(article, request.user)
            return JsonResponse(editing.lock_status(None, request.user))
        return json_error(_("Expected {“action”: “renew”} or {“action”: “release”}."), 400)

    def take_over_view(self, request, object_id):
        """A plain form's POST (it works without the script): the lock becomes this user's."""
        article = self.get_object(request, unquote(object_id))
        if request.method != "POST" or article is None or not self._may_edit(request, article):
            raise PermissionDenied
        before = editing.live_lock(article)
        editing.take(article, request.user, take_over=True)
        if before is not None and before.user_id != request.user.pk:
            self.message_user(
                request,
                _(
                    "You took over editing from %(who)s. They are told before their next save, "
                    "which will be refused."
                )
                % {"who": editing.display_name(before.user)},
                messages.SUCCESS,
            )
        return redirect("admin:articles_article_change", article.pk)

    def autosave_discard_view(self, request, object_id=None):
        article = None if object_id is None else self.get_object(request, unquote(object_id))
        if request.method != "POST" or (object_id is not None and article is None):
            raise PermissionDenied
        editing.discard(request.user, article)
        self.message_user(request, _("Your unsaved text was discarded."), messages.SUCCESS)
        if article is None:
            return redirect("admin:articles_article_add")
        return redirect("admin:articles_article_change", article.pk)
