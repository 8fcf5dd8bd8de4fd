"""Cropping around the focal point, before resizing (imagekit processors)."""


def crop_box(width, height, ratio, focal_x, focal_y):
    """The largest box of aspect `ratio` (width / height) inside a `width`×`height` image,
    centred on the focal point (x, y in 0..1) as far as the edges allow, so that the point is
    always inside it. (left, top, right, bottom) in pixels."""
    if width / height > ratio:
        box_width, box_height = max(1, round(height * ratio)), height
    else:
        box_width, box_height = width, max(1, round(width / ratio))
    left = min(max(round(focal_x * width - box_width / 2), 0), width - box_width)
    top = min(max(round(focal_y * height - box_height / 2), 0), height - box_height)
    return left, top, left + box_width, top + box_height


class FocalCrop:
    """Crop to `ratio`, keeping the focal point inside. Its attributes are part of the
    rendition's name (imagekit hashes its processors), so a new focal point makes new files
    rather than serving old crops from a browser's or a CDN's cache."""

    def __init__(self, ratio, focal_x, focal_y):
        self.ratio, self.focal_x, self.focal_y = ratio, focal_x, focal_y

    def process(self, img):
        return img.crop(crop_box(*img.size, self.ratio, self.focal_x, self.focal_y))
