"""The Reporter and Editor roles (newsroom/roles.py keeps roles)."""

REPORTER = [
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    ("articles", "view_section"),
    ("articles", "view_author"),
    ("articles", "view_correction"),
    ("taggit", "add_tag"),
    ("taggit", "view_tag"),
]

EDITOR = [
    (app, f"{action}_{model}")
    for app, model in [
        ("articles", "article"),
        ("articles", "section"),
        ("articles", "author"),
        ("articles", "correction"),
        ("taggit", "tag"),
        ("flatpages", "flatpage"),
    ]
    for action in ("add", "change", "delete", "view")
] + [("articles", "publish_article")]

ROLES = {"Reporter": REPORTER, "Editor": EDITOR}
