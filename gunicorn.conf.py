"""gunicorn's settings for `make serve` and `make bench` (gunicorn reads this file from
the working directory; command-line options override it).

One worker process per CPU core, each with a few threads: saving a span is short and
CPU-bound, so more threads per process only make requests wait for Python's lock in
turn, while two let a worker go on serving when a request waits on the database or
streams a download. GUNICORN_WORKERS and GUNICORN_THREADS change the numbers.

The app is loaded once, in the master, before the workers are forked (``preload_app``,
with ``project.wsgi`` loading the URLs and freezing the loaded objects out of the garbage
collector's reach): the workers share those pages instead of each loading a copy, which
took the server's memory in ``make bench`` from 369 MB to under 250 MB together with a
smaller SQLite cache. Nothing the master loads holds a connection or a thread (a database
connection, the SQLite checkpoint thread and the sentence splitters' helper processes
start in a worker, on first use); ``pre_fork`` closes any connection all the same.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS") or max(2, os.cpu_count() or 1))
threads = int(os.environ.get("GUNICORN_THREADS") or 2)
timeout = 60
preload_app = True


def pre_fork(server, worker):
    from django.db import connections

    connections.close_all()


# gunicorn's control socket (for gunicornc) defaults to one path per user
# ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl), so a second instance run
# by the same user would take it over from the first. Off, unless GUNICORN_CONTROL_SOCKET
# names this instance's own path.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
