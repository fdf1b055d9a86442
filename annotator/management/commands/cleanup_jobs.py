"""``python manage.py cleanup_jobs``: remove expired job files and fail lost jobs.

Both also happen on their own (an expired file when it is asked for or when a later job
starts, a lost job when its page is looked at); run this from cron to free the disk of
files nobody came back for.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from annotator.jobs.records import jobs_cleanup, jobs_mark_lost


class Command(BaseCommand):
    help = "Remove the files of expired jobs and mark failed the jobs whose worker died."

    def handle(self, *args, **options) -> None:
        lost = jobs_mark_lost()
        removed = jobs_cleanup()
        self.stdout.write(f"{removed} expired file(s) removed, {lost} lost job(s) marked failed")
