"""Labelling mentions in rendered text: pure functions over sanitized HTML, no database."""

import pytest
from django.template import Context, Template
from hypothesis import given, settings
from hypothesis import strategies as st

from newsroom.richtext import sanitize_html
from notices.labelling import LabelData, Matcher, find_mentions, find_text_mentions, label_html

_pk = iter(range(1, 10_000))


def label(name, text="banned in Russia", aliases=()):
    return LabelData(
        pk=next(_pk), name=name, label_text=text, listing=name, terms=(name, *aliases), notice_id=1
    )


def labelled(html, *labels):
    return label_html(html, Matcher(labels))


def test_only_the_first_mention_is_labelled():
    html = "<p>Facebook said. Later Facebook said again.</p>"
    assert labelled(html, label("Facebook")) == (
        "<p>Facebook (banned in Russia) said. Later Facebook said again.</p>"
    )


def test_each_label_is_labelled_once_at_its_own_first_mention():
    html = "<p>Meta owns Instagram.</p><p>Meta and Instagram.</p>"
    assert labelled(html, label("Meta"), label("Instagram")) == (
        "<p>Meta (banned in Russia) owns Instagram (banned in Russia).</p>"
        "<p>Meta and Instagram.</p>"
    )


def test_mentions_inside_links_and_attributes_are_left_alone():
    html = (
        '<p><a href="https://example.com/Facebook" title="Facebook">Facebook page</a> '
        "and then Facebook.</p>"
    )
    assert labelled(html, label("Facebook")) == (
        '<p><a href="https://example.com/Facebook" title="Facebook">Facebook page</a> '
        "and then Facebook (banned in Russia).</p>"
    )


def test_mentions_inside_code_are_left_alone():
    html = "<p><code>Facebook</code></p><pre>Facebook</pre>"
    assert labelled(html, label("Facebook")) == html


def test_already_labelled_text_is_left_untouched():
    html = "<p>Facebook (banned in Russia) said. Facebook again.</p>"
    assert labelled(html, label("Facebook")) == html


def test_a_label_after_an_inline_tag_counts_as_already_there():
    html = "<p><strong>Facebook</strong> (banned in Russia) said.</p>"
    assert labelled(html, label("Facebook")) == html


def test_a_longer_name_wins_over_a_shorter_one_inside_it():
    html = "<p>Voice of America reported. Voice did not.</p>"
    result = labelled(html, label("Voice", "agent"), label("Voice of America", "agent"))
    assert result == "<p>Voice of America (agent) reported. Voice (agent) did not.</p>"


def test_aliases_are_labelled_like_the_name():
    html = "<p>The UPA fighters. Later the Ukrainian Insurgent Army.</p>"
    result = labelled(html, label("Ukrainian Insurgent Army", aliases=["UPA"]))
    assert result == (
        "<p>The UPA (banned in Russia) fighters. Later the Ukrainian Insurgent Army.</p>"
    )


def test_matching_is_whole_word_and_case_sensitive():
    html = "<p>Metadata and meta tags, Metaverse, and META.</p>"
    assert labelled(html, label("Meta")) == html


def test_non_latin_names_and_their_inflected_forms_are_matched_as_whole_words():
    facebook = label("Фейсбук", "запрещён в России", aliases=["Фейсбуке"])
    html = "<p>Фейсбуковский пост. Об этом писали в Фейсбуке.</p>"
    assert labelled(html, facebook) == (
        "<p>Фейсбуковский пост. Об этом писали в Фейсбуке (запрещён в России).</p>"
    )


def test_names_with_punctuation_and_ampersands_are_matched_in_escaped_text():
    html = sanitize_html("<p>AT&amp;T and UNA-UNSO met.</p>")
    result = labelled(html, label("AT&T", "a company"), label("UNA-UNSO"))
    assert result == "<p>AT&amp;T (a company) and UNA-UNSO (banned in Russia) met.</p>"


def test_what_is_inserted_is_escaped():
    html = "<p>Facebook said.</p>"
    result = labelled(html, label("Facebook", '<script>alert("x")</script> & co'))
    assert "<script>" not in result
    assert '(&lt;script&gt;alert("x")&lt;/script&gt; &amp; co)' in result


BODIES = [
    "<p>Facebook and <em>Meta</em>, then <a href='https://x.test/'>Meta</a> and Meta.</p>",
    "<p>Voice of America &amp; Voice, AT&amp;T&nbsp;Facebook</p><ul><li>ISIS</li></ul>",
    '<blockquote><p>"Azov" said Фейсбуке</p></blockquote><pre><code>Meta</code></pre>',
]
LABELS = [
    label("Facebook", 'banned "in" Russia & <elsewhere>'),
    label("Meta"),
    label("Voice of America", "agent"),
    label("Voice", "agent"),
    label("ISIS"),
    label("Azov"),
    label("Фейсбук", "запрещён", aliases=["Фейсбуке"]),
]


@pytest.mark.parametrize("body", BODIES)
def test_the_sanitizer_leaves_labelled_output_unchanged(body):
    result = labelled(sanitize_html(body), *LABELS)
    assert result != sanitize_html(body)
    assert sanitize_html(result) == result


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("Meta Voice of America<>&\"'ФейсбукеISIS.,()\n")), max_size=80
    )
)
def test_labelled_output_of_any_sanitized_text_is_still_clean(text):
    clean = sanitize_html(f"<p>{text}</p>")
    result = labelled(clean, *LABELS)
    assert sanitize_html(result) == result


def test_the_mentions_found_say_which_could_not_be_labelled():
    matcher = Matcher([label("Meta")])
    mentions = find_mentions('<p><a href="https://x.test/">Meta</a></p>', matcher)
    assert [(m.term, m.linked, m.labelled) for m in mentions] == [("Meta", True, False)]


def test_plain_text_mentions_are_labelled_only_if_the_text_carries_the_label():
    matcher = Matcher([label("Meta"), label("ISIS")])
    mentions = find_text_mentions("Meta (banned in Russia) and ISIS talk", matcher)
    assert [(m.term, m.labelled) for m in mentions] == [("Meta", True), ("ISIS", False)]


@pytest.mark.django_db
def test_comments_are_labelled_after_djangos_escaping_filters():
    from tests.factories import make_label

    make_label("Facebook")
    template = Template("{% load notices %}{{ text|urlize|linebreaksbr|label_mentions }}")
    text = "See https://facebook.com/Facebook <b>Facebook</b>\nFacebook"
    result = template.render(Context({"text": text}))
    assert "&lt;b&gt;Facebook (banned in Russia)&lt;/b&gt;" in result
    assert result.count("(banned in Russia)") == 1
    assert "<b>" not in result


def test_a_shorter_name_still_matches_where_the_longer_one_is_not_a_whole_word():
    html = "<p>Voice of Americas and Voice of America.</p>"
    result = labelled(html, label("Voice", "a"), label("Voice of America", "b"))
    assert result == "<p>Voice (a) of Americas and Voice of America (b).</p>"
