"""The view counter's beacon under load, with real gunicorn, Redis and wrk.

    createdb -h 127.0.0.1 -U postgres newsroom_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        .venv/bin/python bench/views_benchmark.py [--duration 10] [--workers 2]

gunicorn runs with FORWARDED_ALLOW_IPS=127.0.0.1, so the X-Forwarded-For that wrk sends is the
reader's address (newsroom/clients.py). Rows, each against the same gunicorn:

- a static file of 40 KB (the baseline of bench/run.py) and an article page from the page cache;
- beacons, every one a new reader (a new address each time, spread over --articles articles):
  the whole counting path (hour secret, "seen" key, minute counter, the minute's slots);
- beacons from one reader who has been counted already (the "seen" key answers);
- the page-cache hit again while new-reader beacons run beside it.

Afterwards the queued flushes are run by `manage.py db_worker --batch` once they are due, and
the hourly rows must hold the views that were answered 204 for new readers, plus at most the
requests wrk left in flight when it stopped (one per connection per row); otherwise it fails. The
database's committed transactions during the beacon rows are read from pg_stat_database: the
beacon itself writes nothing but the one queued task a minute.

Prints one Markdown table. Not a test: absolute numbers depend on the machine and its load.
"""

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from run import PYTHON, ROOT, Server, collectstatic, django_setup, flush, wrk

BEACONS = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local host = os.getenv("BENCH_HOST")
local repeat_reader = os.getenv("BENCH_REPEAT") == "1"
local run = tonumber(os.getenv("BENCH_RUN") or "0")
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter, answered, other = 0, 0, 0
end
function request()
  counter = counter + 1
  local address = "192.0.2.1"
  if not repeat_reader then
    address = string.format("%d.%d.%d.%d", 11 + run * 16 + id, math.floor(counter / 65536) % 256,
                            math.floor(counter / 256) % 256, counter % 256)
  end
  local path = paths[1]  -- the reader counted already reads one article again and again
  if not repeat_reader then path = paths[(counter * 7919 + id) % #paths + 1] end
  return wrk.format("POST", path, {
    ["X-Forwarded-For"] = address,
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131 bench",
    ["Referer"] = host .. "/",
    ["Content-Length"] = "0",
  })
end
function response(status, headers, body)
  if status == 204 then answered = answered + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local a, o = 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("answered"); o = o + thread:get("other")
  end
  io.write(string.format("BEACONS answered=%d other=%d\\n", a, o))
end
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="Seconds of wrk per row.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
    parser.add_argument("--port", type=int, default=8702)
    parser.add_argument("--redis-db", type=int, default=7, help="Redis database; flushed.")
    parser.add_argument("--articles", type=int, default=200, help="Articles the beacons name.")
    return parser.parse_args()


def prepare(args):
    django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    from articles import counting
    from articles.models import Article, ArticleViews

    quiet = io.StringIO()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=quiet)
    missing = args.articles - Article.objects.published().count()
    if missing > 0:
        call_command("generate_content", articles=missing, stdout=quiet)
    ArticleViews.objects.all().delete()
    ids = list(
        Article.objects.published()
        .order_by("-published_at")
        .values_list("pk", flat=True)[: args.articles]
    )
    beacons = [reverse("articles:count_view", args=[counting.token(pk)]) for pk in ids]
    page = Article.objects.get(pk=ids[0]).get_absolute_url()
    connection.close()
    return page, beacons


def transactions():
    from django.db import connection

    time.sleep(1.5)  # backends report their statistics at most once a second
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def run(env, args, page, beacons, baseline):
    from django.db import connection

    from articles.models import ArticleViews

    results = {}
    paths = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)  # noqa: SIM115
    paths.write("\n".join(beacons) + "\n")
    paths.close()
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    script.write(BEACONS)
    script.close()
    server = Server(env, args.port, args.workers)
    lua_env = {"BENCH_PATHS": paths.name, "BENCH_HOST": server.url("")}
    try:
        subprocess.run(["curl", "-s", "-o", "/dev/null", server.url(page)], check=True)
        results["static file, 40 KB (baseline)"] = wrk(server, baseline, args)
        results["article page, page-cache hit"] = wrk(server, page, args)
        before = transactions()
        new = wrk(server, beacons[0], args, script=script.name, env=lua_env)
        results["beacon, a new reader every time"] = new
        results["beacon, a reader counted already"] = wrk(
            server, beacons[0], args, script=script.name, env=lua_env | {"BENCH_REPEAT": "1"}
        )
        during = transactions() - before
        side = {}
        beside = threading.Thread(
            target=lambda: side.update(
                wrk(server, beacons[0], args, script=script.name, env=lua_env | {"BENCH_RUN": "1"})
            )
        )
        beside.start()
        results["article page, page-cache hit, beacons beside it"] = wrk(server, page, args)
        beside.join()
        results["beacon, a new reader every time, beside the page-cache hits"] = side
    finally:
        server.stop()
        os.unlink(paths.name)
        os.unlink(script.name)
    # Every minute's flush is due 5 s after the minute ends: then the worker runs them all.
    time.sleep(65 - time.time() % 60 + 1)
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker_seconds = time.perf_counter() - started
    stored = sum(ArticleViews.objects.values_list("views", flat=True))
    connection.close()
    expected = new["answered"] + 1 + side.get("answered", 0)  # + the repeat reader's first
    # wrk stops with a request in flight on each connection: counted, but not seen answered.
    in_flight = 2 * args.connections
    if not expected <= stored <= expected + in_flight:
        sys.exit(f"views lost or counted twice: {stored} stored, {expected} answered")
    return results, {
        "views answered 204 for new readers (+1: the repeat reader's first)": expected,
        f"views in the hourly rows after the worker (at most {in_flight} more: in flight)": stored,
        "committed transactions during the two beacon rows": during,
        "worker run (all queued flushes), s": round(worker_seconds, 1),
    }


def table(results, checks, args):
    baseline = results["static file, 40 KB (baseline)"]["rps"]
    print(
        f"{args.workers} gunicorn workers, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s, {args.articles} articles"
    )
    print()
    print("| row | requests/s | ratio to static | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, result in results.items():
        print(
            f"| {name} | {result['rps']:.0f} | {result['rps'] / baseline:.2f} "
            f"| {result['p50']:.2f} | {result['p99']:.2f} |"
        )
    print()
    for name, value in checks.items():
        print(f"- {name}: {value}")


def main():
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")
    static_root = Path(tempfile.mkdtemp(prefix="newsroom-static-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_", "REDIS_", "FORWARDED_"))
    }
    env |= {
        "DJANGO_SECRET_KEY": "bench-" + os.urandom(24).hex(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_STATIC_ROOT": str(static_root),
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    # The tokens the page would carry are signed with the server's key.
    os.environ["REDIS_URL"] = env["REDIS_URL"]
    os.environ["DJANGO_SECRET_KEY"] = env["DJANGO_SECRET_KEY"]
    page, beacons = prepare(args)
    try:
        baseline = collectstatic(env)
        flush(args)
        results, checks = run(env, args, page, beacons, baseline)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    print()
    table(results, checks, args)


if __name__ == "__main__":
    main()
