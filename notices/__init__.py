def as_of(moment):
    """The notices and labels as readers saw them at `moment` (a `labelling.Snapshot`): what
    the archived view of a page and `manage.py notices_as_of` show. The public API other apps
    and commands call; the article page reaches it through the notices template tags."""
    from .labelling import snapshot_as_of

    return snapshot_as_of(moment)
