from django.urls import path

from newsroom.invalidation import CORRECTIONS, FEEDS, LISTS, SEARCH, SITEMAPS, depends_on

from . import feeds, views

# What each page shows besides its own article, so that its cached copy is fresh to the change.
feed = depends_on(FEEDS, LISTS)
sitemap = depends_on(SITEMAPS, LISTS)

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tag/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("article/<int:pk>/<slug:slug>/", views.article_detail, name="detail"),
    path("views/<str:token>", views.count_view, name="count_view"),
    path("search/", depends_on(SEARCH, LISTS)(views.search), name="search"),
    path("feeds/feed.xsl", views.feed_stylesheet, name="feed_stylesheet"),
    path("feeds/rss/", feed(feeds.ArticleFeed()), name="feed_rss"),
    path("feeds/atom/", feed(feeds.ArticleAtomFeed()), name="feed_atom"),
    path("section/<slug:slug>/rss/", feed(feeds.SectionFeed()), name="section_feed_rss"),
    path("section/<slug:slug>/atom/", feed(feeds.SectionAtomFeed()), name="section_feed_atom"),
    path("tag/<str:slug>/rss/", feed(feeds.TagFeed()), name="tag_feed_rss"),
    path("tag/<str:slug>/atom/", feed(feeds.TagAtomFeed()), name="tag_feed_atom"),
    path("author/<slug:slug>/rss/", feed(feeds.AuthorFeed()), name="author_feed_rss"),
    path("author/<slug:slug>/atom/", feed(feeds.AuthorAtomFeed()), name="author_feed_atom"),
    path("sitemap.xml", sitemap(views.sitemap_index), name="sitemap_index"),
    path("sitemap-news.xml", sitemap(views.news_sitemap), name="news_sitemap"),
    path("sitemap-<slug:section>.xml", sitemap(views.sitemap), name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("preview/<int:pk>/", views.article_preview, name="preview"),
    path("preview/<int:pk>/version/<int:history_id>/", views.article_preview, name="preview"),
    path(
        "corrections/",
        depends_on(CORRECTIONS, LISTS)(views.CorrectionListView.as_view()),
        name="corrections",
    ),
]
