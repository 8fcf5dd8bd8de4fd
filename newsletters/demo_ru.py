"""The Russian demo's newsletters (`NEWSROOM_DEMO_LANGUAGE=ru`), as newsletters/demo.py has them
in English; slugs from the names (articles.slugs, Latin)."""

from articles.management.commands.load_demo import demo_slug

from .models import Newsletter

SECTION = "Оборона"


def letters(defense):
    letters = [
        ("Утренняя сводка", Newsletter.Kind.DIGEST, None, True,
         "Самые важные новости дня — каждое утро в семь."),
        ("Срочные новости", Newsletter.Kind.ALERT, None, False,
         "Короткое письмо, когда происходит что-то важное, несколько раз в месяц."),
    ]  # fmt: skip
    if defense:
        letters.append(("Оборона за неделю", Newsletter.Kind.SECTION, defense, False,
                        "Неделя в обороне и безопасности, по пятницам."))  # fmt: skip
    return [(name, demo_slug(name), *rest) for name, *rest in letters]
