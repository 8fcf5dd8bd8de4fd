"""Label a 10,000-word article against 500 labels and print the time it takes: an English
site (names matched as written) and a Russian one (every case and number form of each name and
alias, notices/inflection.py).

    .venv/bin/python bench/label_benchmark.py

Not a test: timings depend on the machine. Needs no database; the labelling code is plain
Python over the sanitized HTML. The Russian article writes the names in all their forms
(«Свободного фонда Америки», «Открытым союзом»…) among Russian filler words.
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(LANGUAGE_CODE="ru", USE_I18N=False)
django.setup()

from notices import inflection  # noqa: E402
from notices.labelling import LabelData, Matcher, label_html  # noqa: E402

WORDS = 10_000
LABELS = 500
RUNS = 20


def make_labels(rng):
    syllables = ["ka", "ro", "mi", "ten", "ла", "до", "vel", "sa", "nor", "ди", "ul", "bek"]
    names = set()
    while len(names) < LABELS:
        words = rng.randint(1, 3)
        name = " ".join(
            "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize()
            for _ in range(words)
        )
        names.add(name)
    return [
        LabelData(
            pk=pk,
            name=name,
            label_text="banned in Russia",
            listing=name,
            terms=(name, name + "s"),  # an alias each: 1,000 terms
            notice_id=1,
        )
        for pk, name in enumerate(sorted(names))
    ]


def make_article(rng, labels):
    filler = ["the", "of", "and", "to", "in", "a", "that", "is", "was", "for", "on", "with"]
    words = []
    while len(words) < WORDS:
        if rng.random() < 0.02:
            words.extend(rng.choice(labels).name.split())
        else:
            words.append(rng.choice(filler))
    paragraphs = [" ".join(words[i : i + 100]) for i in range(0, len(words), 100)]
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    linked = '<p><a href="https://example.com/">the link</a> the'
    return len(words), html.replace("<p>the", linked, 10)


RU_ADJECTIVES = [
    "Новый", "Свободный", "Открытый", "Русский", "Национальный", "Народный", "Северный",
    "Вольный", "Правый", "Левый", "Белый", "Честный", "Южный", "Западный", "Гражданский",
    "Независимый", "Молодёжный", "Общественный", "Исламский", "Демократический",
]  # fmt: skip
RU_NOUNS = [
    "фонд", "союз", "центр", "голос", "сектор", "комитет", "институт", "альянс", "форум",
    "совет", "клуб", "штаб", "блок", "фронт", "круг", "проект", "конгресс", "легион",
]  # fmt: skip
RU_COMPLEMENTS = ["", "", "Америки", "России", "Европы", "Сибири", "борьбы с коррупцией"]
RU_FILLER = ["и", "в", "не", "на", "что", "с", "по", "это", "как", "он", "к", "но", "из", "у"]


def make_russian_labels(rng):
    names = set()
    while len(names) < LABELS:
        words = [rng.choice(RU_ADJECTIVES), rng.choice(RU_NOUNS), rng.choice(RU_COMPLEMENTS)]
        names.add(" ".join(word for word in words if word))
    return [
        LabelData(
            pk=pk,
            name=name,
            label_text="признан иноагентом",
            listing=name,
            # an alias each, which inflects too: 1,000 terms before their forms
            terms=(name, f"«{name.split()[1].capitalize()}-{pk}»"),
            notice_id=1,
        )
        for pk, name in enumerate(sorted(names))
    ]


def make_russian_article(rng, labels):
    words = []
    while len(words) < WORDS:
        if rng.random() < 0.02:
            name = rng.choice(labels).name
            form = rng.choice([name, *inflection.forms_of(name)])
            words.extend(form.split())
        else:
            words.append(rng.choice(RU_FILLER))
    paragraphs = [" ".join(words[i : i + 100]) for i in range(0, len(words), 100)]
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    linked = '<p><a href="https://example.com/">ссылка</a> и'
    return len(words), html.replace("<p>и", linked, 10)


def measure(title, labels, article, word_count, inflect, label_text):
    started = time.perf_counter()
    matcher = Matcher(labels, inflect=inflect)
    compile_ms = (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    Matcher(labels, inflect=inflect)
    rebuild_ms = (time.perf_counter() - started) * 1000

    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        output = label_html(article, matcher)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    labelled = output.count(f"({label_text})")
    print(title)
    print(f"{word_count} words, {len(labels)} labels ({len(matcher.by_term)} terms)")
    print(f"matcher built once per labels version: {compile_ms:.1f} ms")
    print(f"built again after a label change (forms kept in the process): {rebuild_ms:.1f} ms")
    print(
        f"labelling, {RUNS} runs: best {timings[0]:.1f} ms, median {timings[RUNS // 2]:.1f} ms, "
        f"worst {timings[-1]:.1f} ms; {labelled} labels appended"
    )
    return timings[RUNS // 2]


def main():
    rng = random.Random(4)
    labels = make_labels(rng)
    word_count, article = make_article(rng, labels)
    english = measure("English site", labels, article, word_count, False, "banned in Russia")

    rng = random.Random(4)
    labels = make_russian_labels(rng)
    word_count, article = make_russian_article(rng, labels)
    inflection.forms_of.cache_clear()  # the first build computes every name's forms
    print()
    russian = measure("Russian site", labels, article, word_count, True, "признан иноагентом")
    print()
    print(f"Russian / English median: {russian / english:.2f}x")


if __name__ == "__main__":
    main()
