"""Abusing the discussion: banned words in disguise, the same text again and again, comments
full of links, and text built to make the filters slow. Each is caught, and the reader's text
always comes back with the reason."""

import time

from comments.textfilter import WordList, fold


def test_fold_normalises_case_width_accents_invisibles_and_look_alikes():
    assert fold("ＳＣ\u0410\u200bM Café ﬁne") == "scam cafe fine"


def best_time(function, *args):
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        function(*args)
        timings.append(time.perf_counter() - start)
    return min(timings)


def test_a_word_list_finds_a_word_at_the_end_of_a_long_text_quickly():
    words = WordList(["scam"])
    text = "x " * 2500 + "s.c.a.m"
    assert words.first_in(text) == "scam"
    assert best_time(words.first_in, text) < 0.05
