"""An editor puts a library image with a focal point on an article, and one in its text."""

import os
import re

import pytest
from django.core.files import File
from PIL import Image

from articles.models import Article
from medialibrary.models import Image as LibraryImage
from tests.e2e.test_workflow import sign_in
from tests.factories import make_article, make_image, make_section, make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def picture(path, size=(1600, 600)):
    """A landscape whose subject (a red sun) sits far to the right."""
    image = Image.new("RGB", size, (40, 90, 160))
    image.paste((70, 120, 60), (0, size[1] * 2 // 3, size[0], size[1]))
    x, y = size[0] * 9 // 10, size[1] // 3
    image.paste((230, 40, 30), (x - 60, y - 60, x + 60, y + 60))
    image.save(path, "PNG")
    return str(path)


def test_an_editor_publishes_an_article_with_library_images(
    live_server, browser, page, screenshot_dir, tmp_path
):
    make_section(name="World", slug="world")
    make_staff("editor", group="Editor")
    sign_in(page, live_server, "editor")

    # Upload to the library, describe it, and click on the subject to set the focal point.
    page.goto(live_server.url + "/admin/media/image/add/")
    page.set_input_files("#id_file", picture(tmp_path / "sunrise.png"))
    page.fill("#id_title", "Sunrise over the harbour")
    page.fill("#id_alt_text", "A red sun rising over the harbour")
    page.fill("#id_caption", "Sunrise in the harbour")
    page.fill("#id_credit", "Harbour webcam")
    page.fill("#id_credit_url", "https://harbour.example/")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_url(re.compile(r".*/admin/media/image/\d+/change/$"))
    preview = page.locator("[data-focal-point] img")
    box = preview.bounding_box()
    preview.click(position={"x": box["width"] * 0.9, "y": box["height"] / 3})
    assert float(page.input_value("#id_focal_x")) == pytest.approx(0.9, abs=0.02)
    page.screenshot(path="/tmp/i13-media-image-admin.png", full_page=True)
    page.screenshot(path=os.path.join(screenshot_dir, "media-image-admin.png"), full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r".*/admin/media/image/(\?.*)?$"))
    image = LibraryImage.objects.get()
    assert image.focal_x == pytest.approx(0.9, abs=0.02)
    assert image.focal_y == pytest.approx(1 / 3, abs=0.02)

    # The article: the lead image chosen with the autocomplete, one in the text by "Browse…".
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.fill("#id_title", "The harbour wakes up")
    page.locator(".field-section .select2-selection").click()
    page.fill(".select2-search__field", "Wor")
    page.locator(".select2-results__option", has_text="World").click()
    page.fill("#id_lead", "Dawn over the docks.")
    page.locator(".field-image .select2-selection").click()
    page.fill(".select2-search__field", "Sunrise")
    page.locator(".select2-results__option", has_text="Sunrise over the harbour").click()
    page.locator(".field-body .ProseMirror[contenteditable]").click()
    page.keyboard.type("The first ferries left at six.")
    page.keyboard.press("Enter")
    page.locator(".field-body [title='figure']").click()
    with page.expect_popup() as chooser_opened:
        page.get_by_role("button", name="Browse...").click()
    chooser = chooser_opened.value
    chooser.wait_for_load_state()
    chooser.screenshot(path="/tmp/i13-media-chooser.png", full_page=True)
    with chooser.expect_event("close"):
        # The chooser closes itself once it has handed the image over; the click may not
        # outlive it.
        insert = chooser.get_by_role("button", name="Insert")
        insert.evaluate("button => setTimeout(() => button.click(), 0)")
    page.locator("dialog").get_by_role("button", name="Insert").click()
    page.locator(".field-body .ProseMirror figure img").wait_for()
    page.screenshot(path="/tmp/i13-media-article-form.png", full_page=True)
    page.get_by_role("button", name="Publish now").first.click()
    page.wait_for_url(re.compile(r".*/admin/articles/article/(\?.*)?$"))

    article = Article.objects.get()
    assert article.image == image
    assert list(article.body_images.all()) == [image]

    # A reader sees both, drawn from the library: renditions, description, caption, credit.
    reader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    lead = reader.locator(".article__figure img")
    assert lead.get_attribute("alt") == "A red sun rising over the harbour"
    assert "/CACHE/images/images/" in lead.get_attribute("src")
    assert lead.evaluate("img => img.complete && img.naturalWidth") > 0
    assert (
        reader.locator(".article__figure figcaption")
        .inner_text()
        .startswith("Sunrise in the harbour")
    )
    credit = reader.locator(".article__figure .credit a")
    assert credit.inner_text() == "Harbour webcam"
    assert credit.get_attribute("href") == "https://harbour.example/"
    in_text = reader.locator(".article__body figure img")
    in_text.scroll_into_view_if_needed()
    assert in_text.get_attribute("alt") == "A red sun rising over the harbour"
    assert in_text.evaluate("img => img.complete && img.naturalWidth") > 0
    assert "Photo: Harbour webcam" in reader.locator(".article__body figcaption").inner_text()
    # The lead is cropped to 16:9 around the sun (far right): its right edge is the picture's.
    ratio = lead.evaluate("img => img.naturalWidth / img.naturalHeight")
    assert ratio == pytest.approx(16 / 9, abs=0.02)
    reader.screenshot(path="/tmp/i13-media-public-page.png", full_page=True)
    reader.screenshot(path=os.path.join(screenshot_dir, "media-public-page.png"), full_page=True)


def test_a_gallery_shows_its_pictures_side_by_side_without_script(
    live_server, browser, screenshot_dir, tmp_path
):
    images = []
    for n in range(3):
        with open(picture(tmp_path / f"view-{n}.png", size=(900, 600)), "rb") as file:
            images.append(
                make_image(
                    File(file, name=f"view-{n}.png"),
                    caption=f"View {n + 1}",
                    alt_text=f"The bay seen from point {n + 1}",
                    credit="Desk",
                )
            )
    figures = "".join(
        f'<figure><img src="{i.thumbnail_url}" alt="" data-file="{i.pk}"></figure>' for i in images
    )
    article = make_article(body=f"<p>Three views of the bay.</p>{figures}<p>The end.</p>")
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    items = page.locator(".gallery .gallery__item")
    assert items.count() == 3
    page.locator(".gallery").scroll_into_view_if_needed()
    tops = {round(items.nth(n).bounding_box()["y"]) for n in range(2)}
    assert len(tops) == 1  # the first two share a row at this width
    for n in range(3):
        assert items.nth(n).locator("figcaption").inner_text().startswith(f"View {n + 1}")
        alt = items.nth(n).locator("img").get_attribute("alt")
        assert alt == f"The bay seen from point {n + 1}"
    page.screenshot(path="/tmp/i13-media-gallery.png", full_page=True)
    page.screenshot(path=os.path.join(screenshot_dir, "media-gallery.png"), full_page=True)
    context.close()
