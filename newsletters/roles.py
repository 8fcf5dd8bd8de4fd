"""Who runs the newsletters: editors (see articles/roles.py for how roles are kept)."""

EDITOR = [
    ("newsletters", "view_newsletter"),
    ("newsletters", "add_newsletter"),
    ("newsletters", "change_newsletter"),
    ("newsletters", "view_issue"),
    ("newsletters", "add_issue"),
    ("newsletters", "change_issue"),
    ("newsletters", "delete_issue"),
    ("newsletters", "send_issue"),
    ("newsletters", "view_subscriber"),
    ("newsletters", "delete_subscriber"),
]

ROLES = {"Editor": EDITOR}
