"""Reporters upload and describe images; editors also delete unused ones."""

REPORTER = [("media", "add_image"), ("media", "change_image"), ("media", "view_image")]
EDITOR = [("media", f"{action}_image") for action in ("add", "change", "delete", "view")]

ROLES = {"Reporter": REPORTER, "Editor": EDITOR}
