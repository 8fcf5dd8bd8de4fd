"""Library images inside an article's text, drawn from their records when the page is made.

The body stores what the rich-text editor writes for a figure, `<figure><img data-file="12"
src=… alt=…><figcaption>…</figcaption></figure>`, sanitized when it was saved
(newsroom/richtext.py). The public page shows each such figure from image 12's record: its
renditions, description, caption and credit, so a corrected credit shows everywhere on the next
request. Two or more figures one right after another are a gallery. All the body's images are
read in one query, and only when the body has any; the result is a cached part of the page.
"""

import html as html_module
import re

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .models import Image

# Sanitized HTML (html5ever's serialization): `<figure>` without attributes, attributes in
# double quotes. The innermost figure only (a figure cannot hold one in the editor).
_FIGURE = re.compile(r"<figure>((?:(?!<figure>).)*?)</figure>|<img\b[^>]*>", re.DOTALL)
_FILE = re.compile(r'\bdata-file="(\d{1,10})"')
_ALT = re.compile(r'\balt="([^"]*)"')
_CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.DOTALL)


def image_ids(html):
    """The library images `html` shows, in order, each once."""
    found = (_FILE.search(match[0]) for match in _FIGURE.finditer(html or ""))
    return list(dict.fromkeys(int(file[1]) for file in found if file))


def _figure(match, images):
    """(image, alt, caption HTML) of one figure, or None when it shows no library image."""
    file = _FILE.search(match[0])
    image = images.get(int(file[1])) if file else None
    if image is None or not image.file:
        return None
    img = match[0] if match[1] is None else match[1]
    alt = _ALT.search(img)
    caption = _CAPTION.search(match[1] or "")
    return {
        "image": image,
        # What the writer typed for this use wins; otherwise the library's own text.
        "alt": html_module.unescape(alt[1]).strip() if alt else "",
        "caption": mark_safe(caption[1].strip()) if caption else "",  # sanitized on save
    }


def render_library_images(html):
    """`html` (a sanitized body) with its library figures drawn from their records and
    consecutive figures grouped as galleries. Figures naming no existing image are left out."""
    ids = image_ids(html)
    if not ids:
        return html
    images = Image.objects.in_bulk(ids)
    pieces = []  # strings, and lists of figures (a run of adjacent figures)
    position = 0
    for match in _FIGURE.finditer(html):
        between = html[position : match.start()]
        position = match.end()
        figure = _figure(match, images)
        if figure is None:
            pieces.append(between)
            continue
        if pieces and isinstance(pieces[-1], list) and not between.strip():
            pieces[-1].append(figure)
        else:
            pieces += [between, [figure]]
    pieces.append(html[position:])
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        elif len(piece) == 1:
            out.append(render_to_string("media/figure.html", {"figure": piece[0]}))
        else:
            out.append(render_to_string("media/gallery.html", {"figures": piece}))
    return "".join(out)
