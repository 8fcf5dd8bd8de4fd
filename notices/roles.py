"""What the newsroom's roles may do with notices, labels and channels (see articles/roles.py)."""

EDITOR = [
    ("notices", f"{action}_{model}")
    for model in ("notice", "label", "channel")
    for action in ("add", "change", "delete", "view")
]

ROLES = {"Editor": EDITOR}
