"""What a reader's own data is made of, gathered from the apps that hold it, none of which
accounts knows.

`personal_data.send(sender=User, user=user, request=request)`: each receiver returns a dict of
JSON-compatible sections ({"comments": [...]} from comments, {"subscriptions": [...]} from
newsletters), merged into the reader's "download my data" file (accounts.models.personal_data_of);
`request` (may be None) is there to make links absolute. A receiver accepts **kwargs. What an
account's deletion takes along each app does in its own `pre_delete` receiver for the user model
(comments: comments/signals.py); it runs inside the deletion's transaction
(accounts.models.delete_account), while the reader's e-mail addresses still exist.
"""

from django.dispatch import Signal

personal_data = Signal()
