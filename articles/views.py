from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe
from django.views.generic import ListView
from taggit.models import Tag

from .models import Article, Author, Section


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


@require_safe
def article_detail(request, pk, slug):
    article = get_object_or_404(Article.objects.published().for_detail(), pk=pk)
    if article.slug != slug:
        return redirect(article, permanent=True)
    return render(
        request,
        "articles/article_detail.html",
        {"article": article, "current_section_slug": article.section.slug},
    )
