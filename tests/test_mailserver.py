"""The test SMTP server itself: what the site sends arrives parsed, as a mail client sees it."""

from django.core.mail import EmailMultiAlternatives


def test_a_queued_mail_arrives_at_the_smtp_server_with_its_parts_and_headers(smtp_server, db):
    message = EmailMultiAlternatives(
        "Hello", "plain words", "desk@example.com", ["reader@example.com"],
        headers={"List-Id": "<daily.example.com>"},
    )  # fmt: skip
    message.attach_alternative("<p>html words</p>", "text/html")
    message.send()
    received = smtp_server.only_message_to("reader@example.com")
    assert received["Subject"] == "Hello"
    assert received["List-Id"] == "<daily.example.com>"
    assert smtp_server.text_of(received).strip() == "plain words"
    assert "<p>html words</p>" in smtp_server.html_of(received)


def test_a_refused_recipient_gets_no_message(smtp_server, db):
    smtp_server.refuse.add("gone@example.com")
    EmailMultiAlternatives("Hi", "x", "desk@example.com", ["gone@example.com"]).send(
        fail_silently=True
    )
    assert smtp_server.to("gone@example.com") == []
