"""Bulk mail (newsroom/bulkmail.py): one message, many recipients, each with their own links
and status, delivered over real SMTP."""

import pytest

from newsroom.bulkmail import send_bulk
from newsroom.models import BulkRecipient

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_recipient_gets_their_own_links_and_a_refused_address_is_bounced(smtp_server):
    smtp_server.refuse.add("gone@example.com")
    send = send_bulk(
        name="Digest",
        subject="Digest for [[name]]",
        text="Leave: [[url]]",
        html='<a href="[[url]]">Leave</a>',
        headers={"List-Unsubscribe": "<[[url]]>"},
        recipients=[
            ("anna@example.com", {"name": "Anna", "url": "https://x.test/u/a?x=1&y=2"}),
            ("gone@example.com", {"name": "Gone", "url": "https://x.test/u/g"}),
        ],
    )
    message = smtp_server.only_message_to("anna@example.com")
    assert message["Subject"] == "Digest for Anna"
    assert message["List-Unsubscribe"] == "<https://x.test/u/a?x=1&y=2>"
    assert "Leave: https://x.test/u/a?x=1&y=2" in smtp_server.text_of(message)
    assert 'href="https://x.test/u/a?x=1&amp;y=2"' in smtp_server.html_of(message)
    assert smtp_server.to("gone@example.com") == []
    statuses = dict(send.recipients.values_list("address", "status"))
    assert statuses == {
        "anna@example.com": BulkRecipient.Status.SENT,
        "gone@example.com": BulkRecipient.Status.BOUNCED,
    }
    assert send.progress() == {"queued": 0, "sent": 1, "failed": 0, "bounced": 1, "total": 2}
