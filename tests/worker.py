"""The task queue's worker in the test process, for tests that need the production queue
(django-tasks-db) rather than tasks run at once."""

from django_tasks_db.management.commands.db_worker import Worker


def run_worker(max_tasks=None, name="test-worker"):
    """What `manage.py db_worker --batch` does: run the tasks that are due, then stop."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=name,
        excluded_queue_names=[],
    ).run()
