"""Background jobs: work too long for a web request (large imports, dataset exports,
profile recounts) runs in a worker process (``manage.py db_worker``), with its progress
and outcome recorded on a ``Job`` that its owner follows on the Jobs page or the API.

- ``services``: ``job_start`` (what views and the API call);
- ``tasks``: the one task the queue runs, ``run_job``;
- ``work``: what each kind of job does;
- ``records``: what a job records about itself (progress, result, failure, lost workers);
- ``views``: the Jobs page, its progress fragment and the downloads.
"""
