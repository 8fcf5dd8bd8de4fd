from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.generic import ListView
from taggit.models import Tag

from .models import Article, Author, Correction, Section


class ArticleListView(ListView):
    """A paginated list of published articles, newest first."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = settings.NEWSROOM_PAGE_SIZE

    def get_queryset(self):
        return Article.objects.published().for_listing()


class HomeView(ArticleListView):
    template_name = "articles/home.html"


class SectionView(ArticleListView):
    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return super().get_queryset().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.section.name,
            description=self.section.description,
            current_section_slug=self.section.slug,
            **kwargs,
        )


class TagView(ArticleListView):
    allow_empty = False  # a tag with no published article has no page (nor leaks a draft's tags)

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=f"#{self.tag.name}", **kwargs)


class AuthorView(ArticleListView):
    template_name = "articles/author.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, heading=self.author.name, **kwargs)


def article_detail(request, pk, slug):
    article = Article.objects.published().for_detail().filter(pk=pk).first()
    if article is None:
        if Article.objects.filter(pk=pk, status=Article.Status.WITHDRAWN).exists():
            return render(request, "articles/withdrawn.html", status=410)
        raise Http404
    if article.slug != slug:
        return redirect(article, permanent=True)
    return render(
        request,
        "articles/article_detail.html",
        {"article": article, "current_section_slug": article.section.slug},
    )


@never_cache
def article_preview(request, pk, history_id=None):
    """Any article, or any earlier version of it, as readers would see it; staff only.
    Everybody else gets the same 404 as for an article that does not exist."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("articles.view_article")):
        raise Http404
    article = get_object_or_404(Article.objects.for_detail(), pk=pk)
    version = None
    if history_id is not None:
        versions = article.history.select_related("history_user")
        version = get_object_or_404(versions, history_id=history_id)
        article = version.instance
    response = render(
        request,
        "articles/article_preview.html",
        {"article": article, "version": version, "current_section_slug": article.section.slug},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class CorrectionListView(ListView):
    """Every correction, clarification and update on a published article, newest first."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = settings.NEWSROOM_PAGE_SIZE

    def get_queryset(self):
        return (
            Correction.objects.filter(article__in=Article.objects.published())
            .select_related("article")
            .order_by("-created_at", "-pk")
        )
