import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from medialibrary.models import RENDITION_WIDTHS, rendition_name
from medialibrary.processors import crop_box
from tests.factories import image_upload, make_article, make_image

pytestmark = pytest.mark.django_db


def two_halves(size=(3200, 600)):
    """A picture dark blue on its left half and bright red on its right half."""
    picture = Image.new("RGB", size, (0, 0, 160))
    picture.paste((230, 0, 0), (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return SimpleUploadedFile("halves.png", buffer.getvalue(), content_type="image/png")


def open_rendition(image, kind, width, webp=False):
    spec = getattr(image, rendition_name(kind, width, webp))
    return Image.open(spec.storage.open(spec.name))


def test_renditions_are_made_when_the_image_is_saved_in_webp_and_the_original_format():
    image = make_image(image_upload(size=(1600, 1200)))
    for kind, height_of in [("wide", lambda w: round(w * 9 / 16)), ("full", lambda w: w * 3 // 4)]:
        renditions = image.renditions(kind)
        assert [width for width, *_ in renditions] == list(RENDITION_WIDTHS)
        for width, height, webp, fallback in renditions:
            assert height == height_of(width)
            assert webp.endswith(".webp") and fallback.endswith(".jpg")
            for is_webp, fmt in [(True, "WEBP"), (False, "JPEG")]:
                spec = getattr(image, rendition_name(kind, width, is_webp))
                assert spec.storage.exists(spec.name), spec.name  # made at save, not on request
                with open_rendition(image, kind, width, is_webp) as made:
                    assert made.format == fmt
                    assert made.size == (width, height)


def test_a_small_original_is_never_upscaled():
    image = make_image(image_upload(size=(600, 400)))
    assert [width for width, *_ in image.full_renditions] == [480, 600]
    assert image.wide_renditions[-1][:2] == (600, 338)


@pytest.mark.parametrize("focal_x", [0.0, 0.1, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("focal_y", [0.0, 0.3, 1.0])
def test_the_crop_always_keeps_the_focal_point_inside(focal_x, focal_y):
    for width, height in [(1600, 600), (600, 1600), (1000, 1000)]:
        left, top, right, bottom = crop_box(width, height, 16 / 9, focal_x, focal_y)
        assert 0 <= left <= focal_x * width <= right <= width
        assert 0 <= top <= focal_y * height <= bottom <= height
        assert abs((right - left) / (bottom - top) - 16 / 9) < 0.01


def test_the_wide_rendition_is_cropped_around_the_focal_point_and_follows_it():
    image = make_image(two_halves(), focal_x=0.95, focal_y=0.5)
    with open_rendition(image, "wide", 480) as made:
        assert made.getpixel((10, 10))[0] > 200  # the red right-hand half only
        assert made.getpixel((470, 10))[0] > 200
    first = image.wide_renditions[0][3]

    image.focal_x = 0.05
    image.save()
    moved = image.wide_renditions[0][3]
    assert moved != first  # a new name: no browser or CDN keeps showing the old crop
    with open_rendition(image, "wide", 480) as made:
        assert made.getpixel((10, 10))[2] > 120  # now the blue left-hand half
        assert made.getpixel((470, 10))[2] > 120
    with open_rendition(image, "full", 480) as whole:  # the body's copy is never cropped
        assert whole.size == (480, 90)


def test_the_article_page_offers_a_srcset_with_sizes_and_no_layout_shift(client):
    article = make_article(image=image_upload(size=(1600, 900)), image_alt="A harbour")
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'srcset="' in html and "1200w" in html and "480w" in html
    assert 'sizes="(min-width: 46rem) 44rem, 100vw"' in html
    assert 'width="1200" height="675"' in html  # the largest rendition's size
    assert 'alt="A harbour"' in html
    assert 'fetchpriority="high"' in html  # the article image is above the fold


def test_list_images_below_the_fold_load_lazily(client):
    for _ in range(3):
        make_article(image=image_upload(size=(800, 450)))
    html = client.get("/").content.decode()
    assert html.count('loading="lazy"') == 2  # every card but the lead story
