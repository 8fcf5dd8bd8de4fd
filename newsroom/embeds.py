"""Videos and posts pasted as an address on a line of their own, shown as click-to-load blocks.

The one registry of providers: each recognises its addresses by pattern (nothing is fetched
from outside, ever) and gives the address of its own embeddable frame, built from the ids it
read, never from the pasted text. The page shows the provider's name, a link to the original
and a notice; only after the reader clicks does static/js/embeds.js put the frame in, so that
no third party is contacted before. The Content-Security-Policy allows frames from exactly
FRAME_SOURCES (newsroom/settings.py).

The body is stored as written (the address, which the editor keeps as it is); the block is
made when the body is rendered for readers, once per version of the article (the cached body
part), so an unknown address, or one a provider changes, simply stays a link.
"""

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from django.utils.html import format_html
from django.utils.translation import gettext as _

_CHANNEL = r"[A-Za-z][A-Za-z0-9_]{3,31}"
_FACEBOOK_ITEM = re.compile(r"/([A-Za-z0-9.\-]{1,80})/(posts|videos)/([A-Za-z0-9]{1,80})/?")
_TIME = re.compile(r"(?:(\d{1,2})h)?(?:(\d{1,3})m)?(?:(\d{1,5})s?)?")


@dataclass(frozen=True)
class Embed:
    provider: "Provider"
    src: str  # the provider's frame
    url: str  # the original, as the provider publishes it
    shape: str  # "wide" (16:9), "tall" (9:16) or "post"


def _seconds(value):
    match = _TIME.fullmatch(value or "")
    if not match or not any(match.groups()):
        return 0
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _youtube(host, path, query):
    video = None
    shape = "wide"
    if host == "youtu.be":
        video = path.strip("/")
    elif path == "/watch":
        video = (query.get("v") or [""])[0]
    elif match := re.fullmatch(r"/(shorts|embed|live)/([^/]+)/?", path):
        video = match[2]
        shape = "tall" if match[1] == "shorts" else "wide"
    if not video or not re.fullmatch(r"[A-Za-z0-9_-]{11}", video):
        return None
    start = _seconds((query.get("t") or query.get("start") or [""])[0])
    src = f"https://www.youtube-nocookie.com/embed/{video}?autoplay=1"
    url = f"https://www.youtube.com/watch?v={video}"
    if start:
        src += f"&start={start}"
        url += f"&t={start}s"
    return src, url, shape


def _vimeo(host, path, query):
    match = re.fullmatch(
        r"/(?:video/|channels/[A-Za-z0-9_-]+/)?(\d{1,12})(?:/([0-9a-f]{6,20}))?/?", path
    )
    if not match:
        return None
    video, private = match[1], match[2] or (query.get("h") or [""])[0]
    src = f"https://player.vimeo.com/video/{video}?dnt=1&autoplay=1"
    url = f"https://vimeo.com/{video}"
    if re.fullmatch(r"[0-9a-f]{6,20}", private):
        src += f"&h={private}"
        url += f"/{private}"
    return src, url, "wide"


def _x(host, path, query):
    match = re.fullmatch(r"/([A-Za-z0-9_]{1,15})/status(?:es)?/(\d{1,20})/?", path)
    if not match:
        return None
    user, post = match[1], match[2]
    src = f"https://platform.twitter.com/embed/Tweet.html?id={post}&dnt=true"
    return src, f"https://x.com/{user}/status/{post}", "post"


def _telegram(host, path, query):
    match = re.fullmatch(rf"/(?:s/)?({_CHANNEL})/(\d{{1,12}})/?", path)
    if not match:
        return None
    url = f"https://t.me/{match[1]}/{match[2]}"
    return f"{url}?embed=1", url, "post"


def _instagram(host, path, query):
    match = re.fullmatch(r"/(?:[A-Za-z0-9_.]{1,30}/)?(p|reel|tv)/([A-Za-z0-9_-]{5,40})/?", path)
    if not match:
        return None
    url = f"https://www.instagram.com/{match[1]}/{match[2]}/"
    return f"https://www.instagram.com/p/{match[2]}/embed/", url, "post"


def _facebook(host, path, query):
    if path in {"/watch", "/watch/"}:
        video = (query.get("v") or [""])[0]
        if not re.fullmatch(r"\d{1,20}", video):
            return None
        url, plugin, shape = f"https://www.facebook.com/watch/?v={video}", "video", "wide"
    elif match := _FACEBOOK_ITEM.fullmatch(path):
        page, what, item = match.groups()
        plugin, shape = ("post", "post") if what == "posts" else ("video", "wide")
        url = f"https://www.facebook.com/{page}/{what}/{item}"
    else:
        return None
    src = f"https://www.facebook.com/plugins/{plugin}.php?href={quote(url, safe='')}"
    return src, url, shape


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str  # as readers know it
    kind: str  # "video" or "post"
    hosts: frozenset
    frame_source: str  # the origin of its frames, for the Content-Security-Policy
    read: object  # (host, path, query) -> (frame src, original url, shape) or None

    def find(self, url):
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in {"http", "https"} or host not in self.hosts:
            return None
        if parts.port not in {None, 80, 443} or parts.username or parts.password:
            return None
        found = self.read(host, parts.path, parse_qs(parts.query))
        return found and Embed(self, *found)


PROVIDERS = (
    Provider(
        "youtube",
        "YouTube",
        "video",
        frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}),
        "https://www.youtube-nocookie.com",
        _youtube,
    ),
    Provider(
        "vimeo",
        "Vimeo",
        "video",
        frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"}),
        "https://player.vimeo.com",
        _vimeo,
    ),
    Provider(
        "x",
        "X (Twitter)",
        "post",
        frozenset({"x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}),
        "https://platform.twitter.com",
        _x,
    ),
    Provider(
        "telegram",
        "Telegram",
        "post",
        frozenset({"t.me", "telegram.me"}),
        "https://t.me",
        _telegram,
    ),
    Provider(
        "instagram",
        "Instagram",
        "post",
        frozenset({"instagram.com", "www.instagram.com"}),
        "https://www.instagram.com",
        _instagram,
    ),
    Provider(
        "facebook",
        "Facebook",
        "post",
        frozenset({"facebook.com", "www.facebook.com", "m.facebook.com"}),
        "https://www.facebook.com",
        _facebook,
    ),
)
FRAME_SOURCES = tuple(dict.fromkeys(provider.frame_source for provider in PROVIDERS))

MAX_URL_LENGTH = 2000


def find_embed(url):
    """The embed an address stands for, or None: only the registered providers' addresses,
    over http or https, become embeds."""
    if len(url) > MAX_URL_LENGTH:
        return None
    for provider in PROVIDERS:
        if embed := provider.find(url):
            return embed
    return None


# A paragraph holding nothing but an address, bare or as a link whose text is the address,
# in sanitize_html's output (attributes double-quoted, text escaped).
_ADDRESS_LINE = re.compile(
    r"<p>[ \t\n]*(?:<a ([^>]*)>[ \t\n]*([^<\s]+)[ \t\n]*</a>|(https?://[^<\s]+))[ \t\n]*(?:<br>)?"
    r"[ \t\n]*</p>"
)
_HREF = re.compile(r'(?:^| )href="([^"]*)"')


def _block(embed):
    provider = embed.provider
    video = provider.kind == "video"
    return format_html(
        '<div class="embed embed--{shape}" data-embed="{slug}" data-embed-src="{src}" '
        'data-embed-title="{title}">'
        '<p class="embed__source"><span class="embed__provider">{name}</span>: '
        '<a href="{url}" rel="noopener noreferrer">{url}</a></p>'
        '<div class="embed__consent" hidden><p>{notice}</p>'
        '<button type="button" class="embed__load">{button}</button></div></div>',
        shape=embed.shape,
        slug=provider.slug,
        src=embed.src,
        title=(_("%(provider)s video") if video else _("%(provider)s post"))
        % {"provider": provider.name},
        name=provider.name,
        url=embed.url,
        notice=_(
            "Loading this shows content from %(provider)s, which may set cookies and learn "
            "that you read this page."
        )
        % {"provider": provider.name},
        button=_("Load the video") if video else _("Load the post"),
    )


def _replace(match):
    if match[3]:
        url = html.unescape(match[3])
    else:
        href = _HREF.search(match[1])
        url = html.unescape(href[1]) if href else ""
        if not href or html.unescape(match[2]).rstrip("/") != url.rstrip("/"):
            return match[0]  # a link with words of its own is a link, not an embed
    embed = find_embed(url)
    return _block(embed) if embed else match[0]


def render_embeds(html_text):
    """Sanitized HTML with each paragraph that holds only a registered provider's address made
    a click-to-load block. The block is ours, its values escaped; the text is otherwise left
    exactly as it was."""
    if "://" not in html_text:
        return html_text
    return _ADDRESS_LINE.sub(_replace, html_text)
