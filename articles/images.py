"""Where the articles app's uploads are stored. Images are validated by the media library
(medialibrary/images.py); an article's image is a library record, and `article_image_path`
stays for the migrations that created the old column."""

from medialibrary.images import stored_name, validate_image  # noqa: F401  (old migrations name it here)


def article_image_path(instance, filename):
    return stored_name("articles", filename)


def author_photo_path(instance, filename):
    return stored_name("authors", filename)
