"""The Moderator role (see articles/roles.py for how roles are kept)."""

MODERATOR = [
    ("comments", "view_comment"),
    ("comments", "change_comment"),
    ("comments", "view_report"),
    ("comments", "change_report"),
    ("comments", "view_commentban"),
    ("comments", "add_commentban"),
    ("comments", "change_commentban"),
    ("comments", "delete_commentban"),
    ("comments", "view_moderationsettings"),
    ("comments", "change_moderationsettings"),
    ("comments", "view_replynotification"),
    ("articles", "view_article"),
]

ROLES = {"Moderator": MODERATOR}
