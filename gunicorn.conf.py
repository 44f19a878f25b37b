"""gunicorn's settings for production: `gunicorn -c gunicorn.conf.py 'app:create_app()'`
(`make serve`, deploy/pengaduan-web.service). Each knob can be moved by an environment variable
(deploy/pengaduan.env.example); a command-line option still wins over this file.

gunicorn also reads ./gunicorn.conf.py by itself when started from this folder without `-c`
(as tests/served.py does; its own options override these)."""

import multiprocessing
import os
import shutil
import tempfile

# Where gunicorn listens: nginx in front proxies to it (deploy/nginx-pengaduan.conf). Keep it
# on the loopback; listening on every interface would let clients bypass the proxy.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Worker processes: WEB_CONCURRENCY, else 2 per core + 1, at most 8. Each process holds its
# own database pool; workers x threads is how many connections PostgreSQL may see at once
# (keep it under the server's max_connections, with room for the worker and backups).
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))

# Threads per process: requests mostly wait on the database, so a few threads per process
# serve more officials at little memory. With threads > 1 gunicorn runs its gthread worker
# (worker_class is left at "sync", which gunicorn turns into gthread then).
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A worker that does not report to gunicorn for this many seconds is killed and replaced: a
# hang guard that no normal request comes near (with threads the worker reports while its
# requests run). nginx's proxy_read_timeout (deploy/) is set a little above it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))

# On stop or reload, running requests get this long to finish before their worker is killed.
graceful_timeout = 30

# Seconds an idle keep-alive connection from nginx stays open for its next request.
keepalive = 5

# Each worker builds its own app and database pool after the fork: nothing opened before the
# fork is shared between processes.
preload_app = False

# Access log to stdout (journald under systemd): the client address (the real one behind nginx
# with TRUSTED_PROXIES set, see app.py), the forwarded-for chain as received, user, time,
# request line, status, bytes, referrer, user agent and the time taken in milliseconds.
accesslog = "-"
# rid: the request's id (ops/), the same as in the app's own log lines of that request.
access_log_format = (
    '%(h)s fwd="%({x-forwarded-for}i)s" %(u)s %(t)s "%(r)s" %(s)s %(B)s "%(f)s" "%(a)s" %(M)sms'
    " rid=%({x-request-id}o)s"
)

# Errors and gunicorn's own messages to stderr (journald under systemd).
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Addresses allowed to tell gunicorn the scheme (X-Forwarded-Proto): nginx on this machine.
# The client address itself is taken by ProxyFix in app.py (TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 27's control socket (for `gunicornc`) stays off: every gunicorn on the host would
# share its one default path (~/.gunicorn/gunicorn.ctl), and nothing here uses it.
control_socket_disable = True

# Prometheus metrics (ops/, /metrics): each worker process writes its figures to files in this
# folder and a scrape, whichever process answers it, adds them up (prometheus_client's
# multiprocess mode). Set here, in the master, before any worker imports the app; emptied
# when gunicorn starts, a dead worker's live figures dropped.
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    os.path.join(tempfile.gettempdir(), f"pengaduan-metrics-{os.getpid()}"),
)


def on_starting(server):
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
