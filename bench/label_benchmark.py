"""Label a 10,000-word article against 500 labels and print the time it takes.

    /work/main/.venv/bin/python bench/label_benchmark.py

Not a test: timings depend on the machine. Needs no database; the labelling code is plain
Python over the sanitized HTML.
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def main():
    rng = random.Random(4)
    labels = make_labels(rng)
    word_count, article = make_article(rng, labels)

    started = time.perf_counter()
    matcher = Matcher(labels)
    compile_ms = (time.perf_counter() - started) * 1000

    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        output = label_html(article, matcher)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    labelled = output.count("(banned in Russia)")
    print(f"{word_count} words, {len(labels)} labels ({len(matcher.by_term)} terms)")
    print(f"matcher built once per labels version: {compile_ms:.1f} ms")
    print(
        f"labelling, {RUNS} runs: best {timings[0]:.1f} ms, median {timings[RUNS // 2]:.1f} ms, "
        f"worst {timings[-1]:.1f} ms; {labelled} labels appended"
    )


if __name__ == "__main__":
    main()
