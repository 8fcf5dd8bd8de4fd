"""The media library: images as records, chosen from the article form, shown in the text."""

import re

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from articles import workflow
from articles.models import Article
from medialibrary.models import Image as LibraryImage
from newsroom.richtext import sanitize_body_html, sanitize_html
from tests.factories import (
    change_url,
    image_upload,
    library_image_data,
    make_article,
    make_image,
    make_label,
    make_section,
    make_staff,
    post_data,
)
from tests.test_invalidation import as_staff, cached, fetch, page_cache  # noqa: F401
from tests.test_queries import ARTICLE_QUERIES

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")
CHOOSER_URL = reverse("admin:media_image_choose")


def figure(image, *, alt="", caption=""):
    """What the rich-text editor writes for a library image."""
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (
        f'<figure><img src="{image.thumbnail_url}" alt="{alt}" data-file="{image.pk}">'
        f"{figcaption}</figure>"
    )


def library_image(**fields):
    defaults = {
        "title": "Flags at the summit",
        "alt_text": "Flags in front of the headquarters",
        "caption": "The alliance's headquarters",
        "credit": "NATO website",
        "credit_url": "https://www.nato.int/",
    }
    return make_image(image_upload(size=(640, 360)), **(defaults | fields))


# The article form: the image is chosen from the library, and kept through form errors.


def test_the_article_form_chooses_the_image_with_autocomplete_and_a_popup_upload(client, editor):
    client.force_login(editor)
    html = client.get(ADD_URL).content.decode()
    select = re.search(r'<select name="image"[^>]*>', html)[0]
    assert "admin-autocomplete" in select and 'data-field-name="image"' in select
    assert 'id="add_id_image"' in html  # the admin's "+": upload in a popup of its own
    assert reverse("admin:media_image_add") in html


def test_an_article_form_with_an_error_keeps_the_chosen_image(client, editor):
    image = library_image()
    client.force_login(editor)

    response = client.post(ADD_URL, post_data(section=make_section(), title="", image=image.pk))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "title" in form.errors
    assert form["image"].value() == str(image.pk)
    html = response.content.decode()
    assert re.search(rf'<option value="{image.pk}" selected>Flags at the summit</option>', html)
    assert not Article.objects.exists()
    assert LibraryImage.objects.count() == 1  # uploaded on its own, nothing lost


def test_an_upload_in_the_popup_is_saved_on_its_own_and_handed_back_to_the_form(client, reporter):
    client.force_login(reporter)
    url = reverse("admin:media_image_add") + "?_to_field=id&_popup=1"
    data = library_image_data(alt_text="A harbour", _popup="1", _to_field="id")

    response = client.post(url, data)

    assert response.status_code == 200
    image = LibraryImage.objects.get()
    assert image.uploaded_by == reporter
    assert image.title == "photo"  # from the file's name, as none was typed
    html = response.content.decode()
    assert "data-popup-response" in html  # the admin's script puts it into the form's select
    assert f"&quot;value&quot;: &quot;{image.pk}&quot;" in html


def test_a_reporter_publishes_nothing_but_uses_library_images(client, reporter):
    image = library_image()
    client.force_login(reporter)
    data = post_data(section=make_section(), image=image.pk, body=figure(image))
    assert client.post(ADD_URL, data).status_code == 302
    article = Article.objects.get()
    assert article.image == image
    assert list(article.body_images.all()) == [image]


# The library's own admin: thumbnails, search, focal point, usage list.


def test_the_library_lists_thumbnails_and_finds_images_by_title_credit_or_caption(client, editor):
    harbour = library_image(title="Harbour at dawn", credit="Reuters")
    library_image(title="Parliament", caption="The vote", credit="AP")
    client.force_login(editor)
    url = reverse("admin:media_image_changelist")
    html = client.get(url).content.decode()
    assert harbour.thumbnail_url in html
    assert html.count('width="120"') == 2
    for query in ["harbour", "reuters"]:
        found = client.get(url, {"q": query}).content.decode()
        assert "Harbour at dawn" in found and "Parliament" not in found
    assert "Parliament" in client.get(url, {"q": "the vote"}).content.decode()


def test_the_image_page_offers_the_focal_point_picker_and_lists_its_articles(client, editor):
    image = library_image(focal_x=0.25, focal_y=0.75)
    lead = make_article(title="Lead story", image=image)
    inside = make_article(title="Inside story", body=f"<p>Text.</p>{figure(image)}")
    make_article(title="Unrelated story")
    client.force_login(editor)

    html = client.get(reverse("admin:media_image_change", args=[image.pk])).content.decode()

    assert "data-focal-point" in html and "left: 25.0%; top: 75.0%" in html
    assert 'name="focal_x"' in html and 'name="focal_y"' in html  # work without the script
    assert "js/focal-point.js" in html
    assert f'<a href="{change_url(lead)}">Lead story</a> — lead image' in html
    assert f'<a href="{change_url(inside)}">Inside story</a> — in the text' in html
    assert "Unrelated story" not in html


def test_a_focal_point_outside_the_picture_is_a_form_error(client, editor):
    image = library_image()
    client.force_login(editor)
    url = reverse("admin:media_image_change", args=[image.pk])
    response = client.post(url, library_image_data("", alt_text="Kept", focal_x="1.5"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "focal_x" in form.errors
    assert form["alt_text"].value() == "Kept"
    image.refresh_from_db()
    assert image.focal_x == 0.5


def test_an_image_in_use_is_not_deleted(client, editor):
    in_text = library_image()
    as_lead = library_image()
    make_article(image=as_lead, body=figure(in_text))
    for image in (in_text, as_lead):
        with pytest.raises(ProtectedError):
            image.delete()
    unused = library_image()
    client.force_login(editor)
    delete = client.get(reverse("admin:media_image_delete", args=[in_text.pk])).content.decode()
    assert "protected" in delete
    response = client.post(reverse("admin:media_image_delete", args=[unused.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert LibraryImage.objects.count() == 2


def test_the_body_keeps_its_image_list_when_images_are_added_and_removed():
    one, two = library_image(), library_image()
    article = make_article(body=figure(one) + figure(two))
    assert set(article.body_images.all()) == {one, two}
    article.body = "<p>No pictures now.</p>" + figure(two)
    article.save()
    assert list(article.body_images.all()) == [two]
    article.body = figure(two).replace(f'data-file="{two.pk}"', 'data-file="999999"')
    article.save()
    assert not article.body_images.exists()  # an id that names no image is not a use


def test_restoring_a_version_brings_back_its_image(editor):
    first, second = library_image(), library_image()
    article = make_article(image=first)
    version = article.history.first()
    article.image = second
    article.save()
    workflow.restore(article, version, by=editor)
    article.refresh_from_db()
    assert article.image == first


# The editor's "Browse…" window.


def test_the_chooser_lists_searches_and_offers_to_insert(client, reporter):
    library_image(title="Harbour at dawn")
    library_image(title="Parliament")
    client.force_login(reporter)
    html = client.get(CHOOSER_URL, {"CKEditorFuncNum": "-1"}).content.decode()
    assert html.count("data-choose-image=") == 2
    assert 'data-chooser-callback="-1"' in html
    assert "js/library-chooser.js" in html
    found = client.get(CHOOSER_URL, {"CKEditorFuncNum": "-1", "q": "harbour"}).content.decode()
    assert "Harbour at dawn" in found and "Parliament" not in found
    odd = client.get(CHOOSER_URL, {"CKEditorFuncNum": "alert(1)", "page": "x"})
    assert odd.status_code == 200 and 'data-chooser-callback=""' in odd.content.decode()


def test_the_chooser_uploads_and_shows_the_new_image_first(client, reporter):
    client.force_login(reporter)
    response = client.post(
        f"{CHOOSER_URL}?CKEditorFuncNum=-2", library_image_data(title="New arrival")
    )
    image = LibraryImage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{CHOOSER_URL}?CKEditorFuncNum=-2&uploaded={image.pk}"
    html = client.get(response["Location"]).content.decode()
    assert 'class="chooser-new"' in html and "New arrival" in html


def test_a_refused_upload_in_the_chooser_keeps_what_was_typed(client, reporter):
    client.force_login(reporter)
    bad = library_image_data(image_upload().__class__("x.jpg", b"not an image"), title="Kept")
    response = client.post(CHOOSER_URL, bad)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Upload a valid image" in html and 'value="Kept"' in html
    assert not LibraryImage.objects.exists()


def test_the_chooser_is_for_staff_only(client):
    response = client.get(CHOOSER_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


# The sanitizer: library figures only, with an integer id and our own address.


def test_the_body_sanitizer_keeps_library_figures_and_nothing_else():
    kept = sanitize_body_html(
        '<figure><img src="/media/CACHE/a.webp" alt="Flags" data-file="12">'
        "<figcaption>HQ</figcaption></figure>"
    )
    assert kept == (
        '<figure><img src="/media/CACHE/a.webp" alt="Flags" data-file="12">'
        "<figcaption>HQ</figcaption></figure>"
    )
    hostile = sanitize_body_html(
        '<figure class="x" onclick="alert(1)"><img src="https://tracker.example/p.gif" '
        'data-file="12 or 1=1" onerror="alert(1)" style="x"></figure>'
        '<img src="//evil.example/a.png"><img src="javascript:alert(1)" data-file="3">'
    )
    assert "tracker" not in hostile and "evil" not in hostile and "javascript" not in hostile
    assert "onerror" not in hostile and "onclick" not in hostile and "class" not in hostile
    assert 'data-file="12 or 1=1"' not in hostile and 'data-file="3"' in hostile
    # Notices and Information pages have no library: no image at all there.
    assert "<img" not in sanitize_html('<figure><img src="/media/a.jpg" data-file="1"></figure>')


# The public page.


def test_a_library_image_in_the_text_is_shown_from_its_record(client):
    image = library_image()
    article = make_article(body=f"<p>Before.</p>{figure(image)}<p>After.</p>")
    html = client.get(article.get_absolute_url()).content.decode()
    body = html[html.index('class="article__body"') :]
    assert '<figure class="figure">' in body
    assert image.full_renditions[-1][2] in body and "640w" in body  # renditions, srcset
    assert 'alt="Flags in front of the headquarters"' in body
    assert "The alliance's headquarters" in body or "The alliance&#x27;s headquarters" in body
    assert '<a href="https://www.nato.int/" rel="noopener">NATO website</a>' in body
    assert f'data-file="{image.pk}"' not in body  # drawn again, not the editor's markup
    assert body.index("Before.") < body.index("<figure") < body.index("After.")


def test_what_the_writer_typed_for_one_use_wins_over_the_library(client):
    image = library_image()
    article = make_article(body=figure(image, alt="Close-up of a flag", caption="<em>Today</em>"))
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'alt="Close-up of a flag"' in html
    assert "<em>Today</em>" in html
    assert "NATO website" in html  # the credit always comes from the library


def test_adjacent_figures_are_a_gallery_and_missing_or_foreign_images_are_left_out(client):
    images = [library_image(caption=f"View {n}") for n in range(3)]
    article = make_article(
        body=figure(images[0])
        + figure(images[1])
        + "\n"
        + figure(images[2])
        + "<p>Between.</p>"
        + figure(images[0]).replace(f'"{images[0].pk}"', '"999999"')
        + '<p><img src="/media/elsewhere.png"></p>'
    )
    html = client.get(article.get_absolute_url()).content.decode()
    body = html[html.index('class="article__body"') : html.index("Between.")]
    assert 'class="gallery" role="group" aria-label="Gallery of 3 images"' in body
    assert body.count('<figure class="gallery__item">') == 3
    assert all(f"View {n}" in body for n in range(3))
    rest = html[html.index("Between.") : html.index("</article>")]
    assert "<figure" not in rest and "elsewhere.png" not in rest


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize("count", [1, 12])
def test_images_in_the_text_cost_one_query_however_many(client, django_assert_num_queries, count):
    images = [library_image() for _ in range(count)]
    article = make_article(body="".join(f"<p>{n}</p>{figure(i)}" for n, i in enumerate(images)))
    # The article page's budget (tests/test_queries.py) and one query for the body's images.
    with django_assert_num_queries(ARTICLE_QUERIES + 1):
        response = client.get(article.get_absolute_url())
    assert response.content.decode().count('<figure class="figure">') == count


# A change in the library shows on the next request, the page cache on.


def change_in_the_library(client, image, **fields):
    current = {name: getattr(image, name) for name in library_image_data()}
    data = library_image_data("", **({k: v for k, v in current.items() if k != "file"} | fields))
    response = client.post(reverse("admin:media_image_change", args=[image.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.mark.parametrize("where", ["lead", "text"])
def test_a_corrected_credit_shows_on_every_page_with_the_image(page_cache, where):  # noqa: F811
    image = library_image(credit="Wrong agency")
    article = (
        make_article(image=image)
        if where == "lead"
        else make_article(body=f"<p>Text.</p>{figure(image)}")
    )
    other = make_article(title="Another story")
    url = article.get_absolute_url()
    assert "Wrong agency" in cached(url)
    cached(other.get_absolute_url())

    change_in_the_library(as_staff("Editor"), image, credit="Right agency")

    state, page = fetch(url)
    assert state != "hit"
    assert "Right agency" in page and "Wrong agency" not in page
    assert fetch(other.get_absolute_url())[0] == "hit"  # a page without the image stays cached


def test_a_label_in_a_caption_is_applied_and_the_figure_still_drawn(client):
    make_label("Facebook")
    image = library_image(caption="A post on Facebook")
    article = make_article(body=f"<p>Facebook said so.</p>{figure(image)}")
    html = client.get(article.get_absolute_url()).content.decode()
    body = html[html.index('class="article__body"') : html.index("</article>")]
    assert "banned in Russia" in body
    assert '<figure class="figure">' in body and "A post on Facebook" in body


def test_a_change_in_the_library_is_in_the_audit_log():
    from audit.models import AuditEntry

    image = library_image()
    editor = as_staff("Editor")
    change_in_the_library(editor, image, credit="Reuters")
    entry = AuditEntry.objects.latest("pk")
    assert entry.details["fields"] == ["credit"]
    assert entry.target_repr == "Flags at the summit"


def test_a_new_focal_point_gives_the_cards_and_the_page_new_renditions(page_cache):  # noqa: F811
    image = library_image()
    article = make_article(image=image)
    old = image.wide_renditions[0][2]
    for url in [article.get_absolute_url(), reverse("articles:home")]:
        assert old in cached(url)

    change_in_the_library(as_staff("Editor"), image, focal_x="0.9", focal_y="0.1")

    image.refresh_from_db()
    new = image.wide_renditions[0][2]
    assert new != old
    for url in [article.get_absolute_url(), reverse("articles:home")]:
        state, page = fetch(url)
        assert state != "hit" and new in page and old not in page, url


def test_the_demo_shows_library_images_and_a_gallery(client):
    from django.core.management import call_command

    call_command("load_demo", "--articles", "3", stdout=None)
    assert LibraryImage.objects.count() == 3
    with_gallery = Article.objects.filter(body__contains="data-file").get()
    html = client.get(with_gallery.get_absolute_url()).content.decode()
    assert 'class="gallery"' in html and 'fetchpriority="high"' in html
    staff = make_staff("desk", group="Editor")
    client.force_login(staff)
    assert client.get(reverse("admin:media_image_changelist")).status_code == 200
