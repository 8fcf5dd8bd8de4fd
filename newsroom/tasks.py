"""Background tasks: django-tasks, kept in the database by django-tasks-db and run by
`manage.py db_worker`; and the one retry rule every task of the project shares.

django-tasks runs a task once. A task made with `@retrying_task` that fails is enqueued again
to run after NEWSROOM_TASK_RETRY_SECONDS, then twice, four times... as long, until it has been
tried NEWSROOM_TASK_MAX_ATTEMPTS times. Each attempt is its own task result, so every failed
attempt shows in the admin (Task results, status Failed) with its traceback. A retry keeps the
priority and queue its task was enqueued with.

Priorities: the worker takes the highest first (then the earliest `run_after`), so a task
enqueued with ALERT overtakes the batches of a digest that are still waiting. Pass one with
`some_task.using(priority=ALERT).enqueue(...)` or `send_bulk(..., priority=ALERT)`.
"""

import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy
from django_tasks import task

log = logging.getLogger("newsroom.tasks")

# What waits for a worker, highest first (django-tasks allows -100 to 100).
TRANSACTIONAL = 100  # one reader waits for it: sign-up confirmation, password reset
ALERT = 80  # breaking-news alerts: minutes matter, they overtake a digest under way
NOTIFICATION = 50  # reply notifications and the like
DIGEST = 0  # daily digests, section letters: the default
BACKGROUND = -50  # housekeeping nobody waits for

PRIORITIES = {
    TRANSACTIONAL: _("transactional"),
    ALERT: _("alert"),
    NOTIFICATION: _("notification"),
    DIGEST: _("digest"),
    BACKGROUND: _("background"),
}

# The task queue's own strings, which django-tasks and django-tasks-db mark for translation but
# ship no catalogue of: listed here, they are collected into newsroom's, which Django merges
# with every other, so the queue's admin pages read in the site's language too.
QUEUE_STRINGS = [
    *[gettext_noop("Task Result"), gettext_noop("Task Results"), gettext_noop("status")],
    *[gettext_noop("enqueued at"), gettext_noop("started at"), gettext_noop("finished at")],
    *[gettext_noop("args kwargs"), gettext_noop("priority"), gettext_noop("task path")],
    *[gettext_noop("worker id"), gettext_noop("queue name"), gettext_noop("backend name")],
    *[gettext_noop("run after"), gettext_noop("return value"), gettext_noop("traceback")],
    gettext_noop("exception class path"),
    *[pgettext_lazy("Task", "Ready"), pgettext_lazy("Task", "Running")],
    *[pgettext_lazy("Task", "Failed"), pgettext_lazy("Task", "Successful")],
]

# The queue's results, read-only in the admin (newsroom/admin.py hides the tasks' arguments),
# and bulk mail's progress, with "send again to the failed recipients".
ROLES = {
    "Editor": [
        ("django_tasks_database", "view_dbtaskresult"),
        ("newsroom", "view_bulksend"),
        ("newsroom", "view_bulkrecipient"),
        ("newsroom", "retry_bulksend"),
    ]
}


def retry_delay(attempt):
    """Seconds to wait before attempt `attempt + 1`."""
    return settings.NEWSROOM_TASK_RETRY_SECONDS * 2 ** (attempt - 1)


def retrying_task(function):
    """@task, tried again with backoff when it raises. The task takes one more keyword
    argument, `attempt` (1 for the first try)."""

    @functools.wraps(function)
    def run(context, *args, attempt=1, **kwargs):
        try:
            return function(*args, **kwargs)
        except Exception as error:
            # The task as it was enqueued (its priority and queue), not the decorated default.
            _try_again_later(context.task_result.task, args, kwargs, attempt, error)
            raise

    del run.__wrapped__  # django-tasks reads the signature: it must see `context` first
    return task(takes_context=True)(run)


def _try_again_later(the_task, args, kwargs, attempt, error):
    name = the_task.name
    if attempt >= settings.NEWSROOM_TASK_MAX_ATTEMPTS:
        log.error("task %s failed for good after %d attempts: %s", name, attempt, error)
        return
    if not the_task.get_backend().supports_defer:  # ImmediateBackend: nothing to wait in
        log.error("task %s failed (attempt %d, not retried here): %s", name, attempt, error)
        return
    run_after = timezone.now() + timedelta(seconds=retry_delay(attempt))
    the_task.using(run_after=run_after).enqueue(*args, attempt=attempt + 1, **kwargs)
    log.warning(
        "task %s failed (attempt %d of %d): %s; trying again at %s",
        name,
        attempt,
        settings.NEWSROOM_TASK_MAX_ATTEMPTS,
        error,
        run_after.isoformat(timespec="seconds"),
    )
