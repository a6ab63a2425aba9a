"""The Celery workers' settings: ``dagster_celery`` imports the module ``dagster_celery_config``
when it is importable (this folder is on every deployment process's PYTHONPATH)."""

import os

broker_url = os.environ.get("GIPR_CELERY_BROKER", "redis://127.0.0.1:6379/0")
result_backend = os.environ.get("GIPR_CELERY_BACKEND", broker_url)
# One task at a time per worker and none reserved ahead, so the steps spread over the workers
# (Celery's default prefetch of 4 lets the first worker hoard a run's steps).
worker_prefetch_multiplier = 1
# A worker process that dies mid-step (killed, out of memory, a node lost) gives its task back to
# the queue instead of losing it: another worker runs the step again (a step rewrites its whole
# stage folder, so a second attempt is clean) and the run goes on. Without these, the run's
# coordinator waits for the lost task's result forever (seen with dagster-celery 0.29.27).
task_acks_late = True
task_reject_on_worker_lost = True
