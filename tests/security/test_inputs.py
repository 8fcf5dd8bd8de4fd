"""Strange requests get a clear answer in the site's design: never a 500."""

import pytest
from django.urls import reverse

from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def some_content():
    return make_article()


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=-1", "page=99999999999999999999", "page=abc", "page=1e9",
     "page=%C0%AF", "page=" + "9" * 5000],
)  # fmt: skip
def test_bad_page_numbers_answer_404(client, query):
    response = client.get(reverse("articles:home") + "?" + query)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/section/..%2F..%2Fetc%2Fpasswd/",
        "/media/../newsroom/settings.py",
        "/media/..%2Fnewsroom%2Fsettings.py",
        "/media/%2e%2e/manage.py",
        "/static/../newsroom/settings.py",
        "/tag/%E2%80%AEevil/",
        "/author/" + "a" * 5000 + "/",
        "/article/1/%3Cscript%3E/",
        "/article/99999999999999999999999/x/",
    ],
)
def test_path_traversal_and_strange_slugs_never_crash_or_leak(client, path):
    response = client.get(path)
    assert response.status_code in {301, 400, 404}
    assert b"SECRET_KEY" not in response.content


def test_a_forged_host_header_gets_a_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert b"evil.example.com" not in response.content


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_reading_pages_refuse_other_methods(client, method, some_content):
    for url in [reverse("articles:home"), some_content.get_absolute_url()]:
        assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize(
    "address", ["/tag/%00/", "/?page=%00", "/search/?q=a%00b", "/section/a%00b/"]
)
def test_a_nul_character_in_the_address_gets_a_400_page(client, address):
    response = client.get(address)
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
