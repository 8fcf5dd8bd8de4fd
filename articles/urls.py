from django.urls import path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tag/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("article/<int:pk>/<slug:slug>/", views.article_detail, name="detail"),
    path("search/", views.search, name="search"),
    path("feeds/rss/", feeds.ArticleFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.ArticleAtomFeed(), name="feed_atom"),
    path("section/<slug:slug>/rss/", feeds.SectionFeed(), name="section_feed_rss"),
    path("section/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section_feed_atom"),
    path("tag/<str:slug>/rss/", feeds.TagFeed(), name="tag_feed_rss"),
    path("tag/<str:slug>/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("author/<slug:slug>/rss/", feeds.AuthorFeed(), name="author_feed_rss"),
    path("author/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="author_feed_atom"),
    path("sitemap.xml", views.sitemap_index, name="sitemap_index"),
    path("sitemap-news.xml", views.news_sitemap, name="news_sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("preview/<int:pk>/", views.article_preview, name="preview"),
    path("preview/<int:pk>/version/<int:history_id>/", views.article_preview, name="preview"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
]
