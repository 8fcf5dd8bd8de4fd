"""Opaque cursors for lists ordered by (a time or a name, then the primary key).

A cursor names the last item a client has seen, not a page number: "the items after this
one". Articles published meanwhile go to the top of the list and never shift what comes after
a cursor, so a client walking the archive sees each article once."""

import base64
import binascii
import json
from datetime import UTC, datetime

from django.db.models import Q
from django.utils.translation import gettext

from .errors import ApiError

MAX_CURSOR_LENGTH = 400
MAX_PK = 2**63 - 1  # beyond a database's integer


def encode(value, pk):
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor, kind):
    """(value, pk) from `cursor`; `kind` is datetime or str. A 400 for anything else."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk <= MAX_PK:
            raise ValueError
        if kind is datetime:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError
            value = value.astimezone(UTC)  # and no date a database cannot hold
        elif not isinstance(value, str):
            raise ValueError
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            400,
            gettext("This cursor is not valid: use the “next” address of an earlier answer."),
            details=[{"parameter": "cursor"}],
        ) from None
    return value, pk


def after(field, cursor, kind, *, descending):
    """The condition "after `cursor`" in a list ordered by `field`, then pk."""
    value, pk = decode(cursor, kind)
    beyond = "lt" if descending else "gt"
    return Q(**{f"{field}__{beyond}": value}) | Q(**{field: value, f"pk__{beyond}": pk})


def page(queryset, limit, *, field, cursor, kind, descending):
    """(items, next cursor or None): `limit` items after `cursor`, reading one more to know
    whether there is a next page."""
    if cursor:
        queryset = queryset.filter(after(field, cursor, kind, descending=descending))
    items = list(queryset[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    if not more:
        return items, None
    last = items[-1]
    return items, encode(getattr(last, field), last.pk)
