"""What the newsroom's roles may do with notices and labels (see articles/roles.py)."""

EDITOR = [
    ("notices", f"{action}_{model}")
    for model in ("notice", "label")
    for action in ("add", "change", "delete", "view")
]

ROLES = {"Editor": EDITOR}
