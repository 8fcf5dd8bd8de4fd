"""The shapes the API answers with, as the OpenAPI schema publishes them. Article fields are
optional in the schema because `fields=` may leave any of them out; without it, all are there."""

from datetime import datetime

from ninja import Field, Schema


class SectionRef(Schema):
    id: int
    name: str
    slug: str
    url: str


class Section(SectionRef):
    description: str
    position: int
    articles: str = Field(description="The API address of the section's articles.")


class AuthorRef(Schema):
    id: int
    name: str
    slug: str
    url: str


class Author(AuthorRef):
    bio: str
    photo: str | None
    articles: str


class TagRef(Schema):
    name: str
    slug: str
    url: str


class Tag(TagRef):
    id: int
    article_count: int
    articles: str


class Rendition(Schema):
    width: int
    height: int
    url: str = Field(description="JPEG, PNG or GIF, as uploaded.")
    webp_url: str


class Image(Schema):
    alt: str
    caption: str
    credit: str
    credit_url: str
    width: int | None
    height: int | None
    renditions: list[Rendition] = Field(description="Landscape crops, smallest first.")


class Source(Schema):
    name: str
    url: str


class CorrectionOut(Schema):
    kind: str = Field(description="correction, clarification or update")
    created_at: datetime
    text: str


class Article(Schema):
    id: int = None
    title: str = None
    slug: str = None
    url: str = Field(None, description="The article's canonical address on the site.")
    section: SectionRef = None
    authors: list[AuthorRef] = None
    tags: list[TagRef] = None
    lead: str = None
    excerpt: str = Field(None, description="Plain text, at most 300 characters.")
    body_html: str = Field(
        None,
        description="The text as readers see it: sanitized HTML with mentions labelled and "
        "library images drawn. Detail only.",
    )
    image: Image | None = None
    source: Source | None = None
    published_at: datetime = None
    updated_at: datetime = None
    corrections: list[CorrectionOut] = None
    comments_open: bool = None
    comment_count: int = None
    comments: str = Field(None, description="The API address of its visible comments.")


class SearchResult(Article):
    snippet_html: str = Field(None, description="The excerpt with the matches in <mark>.")


class ArticleList(Schema):
    results: list[Article]
    next: str | None = Field(description="The address of the next page, null on the last.")
    next_cursor: str | None


class SearchList(Schema):
    results: list[SearchResult]
    next: str | None
    page: int


class Comment(Schema):
    id: int
    parent_id: int | None = Field(
        description="The comment it replies to; it may itself be hidden (removed or deleted)."
    )
    author: str = Field(description="The name the reader shows; nothing else of theirs.")
    created_at: datetime
    edited_at: datetime | None
    text: str = Field(description="Plain text, as the reader wrote it.")
    body_html: str = Field(description="As readers see it: escaped, links made, labelled.")


class CommentList(Schema):
    results: list[Comment]
    next: str | None
    next_cursor: str | None


class TagList(Schema):
    results: list[Tag]
    next: str | None
    next_cursor: str | None


class Page(Schema):
    id: int
    title: str
    url: str
    content_html: str


class Label(Schema):
    name: str
    label_text: str


class Notice(Schema):
    id: int
    name: str
    body_html: str
    placement: str = Field(description="article_end, before_comments or footer")
    scope: str = Field(description="everywhere, sections or articles")
    position: int
    section_ids: list[int]
    article_ids: list[int]
    labels: list[Label]


class ErrorBody(Schema):
    status: int
    code: str
    message: str
    details: list[dict] | None = None
    retry_after: int | None = None


class Error(Schema):
    error: ErrorBody


class Gone(Schema):
    class GoneBody(ErrorBody):
        title: str
        removed_at: datetime | None
        reason: str

    error: GoneBody
