"""One audit log: who did what to which object, when and why.

The functions that write (the article workflow, the comments' moderation, the admin's saves of
notices, labels, corrections, bans and moderation settings) call `record` beside their change,
inside its transaction, so an entry exists exactly when the change does.
"""


def record(action, target, *, by=None, reason="", target_repr=None, **details):
    """Write one entry. `by` is a user, or a name for who acted when nobody signed in did
    (“readers' reports”); `details` is any JSON (old and new status, changed fields);
    `target_repr` names the object instead of its str() (a deleted reader's account, whose
    str() is personal data)."""
    # The model is imported here: this package is imported before the app registry is ready.
    from .models import AuditEntry

    return AuditEntry.objects.record(
        action, target, by=by, reason=reason, target_repr=target_repr, **details
    )
