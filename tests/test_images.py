import pytest
from PIL import Image

from articles.models import RENDITION_WIDTHS
from tests.factories import image_upload, make_article

pytestmark = pytest.mark.django_db


def test_renditions_are_made_when_the_image_is_saved_in_webp_and_the_original_format():
    article = make_article(image=image_upload(size=(1600, 900)))
    renditions = article.image_renditions
    assert [width for width, *_ in renditions] == list(RENDITION_WIDTHS)
    for width, height, webp, fallback in renditions:
        assert height == round(900 * width / 1600)
        assert webp.endswith(".webp") and fallback.endswith(".jpg")
        for field, fmt in [(f"image_{width}_webp", "WEBP"), (f"image_{width}", "JPEG")]:
            spec = getattr(article, field)
            assert spec.storage.exists(spec.name), field  # made at save time, not on request
            with Image.open(spec.storage.open(spec.name)) as image:
                assert image.format == fmt
                assert image.width == width


def test_a_small_original_is_never_upscaled():
    article = make_article(image=image_upload(size=(600, 400)))
    assert [width for width, *_ in article.image_renditions] == [480, 600]


def test_the_article_page_offers_a_srcset_with_sizes_and_no_layout_shift(client):
    article = make_article(image=image_upload(size=(1600, 900)), image_alt="A harbour")
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'srcset="' in html and "1200w" in html and "480w" in html
    assert 'sizes="(min-width: 46rem) 44rem, 100vw"' in html
    assert 'width="1600" height="900"' in html
    assert 'alt="A harbour"' in html
    assert 'fetchpriority="high"' in html  # the article image is above the fold


def test_list_images_below_the_fold_load_lazily(client):
    for _ in range(3):
        make_article(image=image_upload(size=(800, 450)))
    html = client.get("/").content.decode()
    assert html.count('loading="lazy"') == 2  # every card but the lead story
