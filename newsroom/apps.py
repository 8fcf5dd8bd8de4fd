from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The project package as an app: what every other app builds on (the page cache and its
    invalidation, parts of pages, roles, deploy checks). It knows none of the other apps."""

    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self):
        from newsroom import checks  # noqa: F401  (registers the project's deploy checks)
