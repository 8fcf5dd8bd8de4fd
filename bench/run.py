"""Serve the site with gunicorn (production settings, Redis) and measure it with wrk.

    createdb -h 127.0.0.1 -U postgres newsroom_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        .venv/bin/python bench/run.py [--duration 10] [--workers 2]

The script migrates the database, loads the demo (the seed article), generates articles up to
--articles and puts --seed-comments comments under the seed article, as the seed page has them.
Every ratio is a page's requests per second divided by those of a static file of 40 KB served by
the same gunicorn through whitenoise in the same run (the baseline). Scenarios:

- page-cache hit: anonymous readers, the page served whole from the page cache;
- parts cached: the page cache off (NEWSROOM_PAGE_CACHE_SECONDS=0), so every request renders the
  page, from its cached parts; and a signed-in reader (session cookie), who never gets a whole
  cached page, in the same way;
- cold: every cache empty: Redis is flushed before each request (one connection, in turn; the
  ratio is the static file's mean time over the page's, measured the same way);
- write load: anonymous readers fetch --distinct articles (wrk, a Lua script) while signed-in
  readers post 5 comments a second over 100 of them through the comment form; the page cache's
  hit rate is counted from the X-Page-Cache header of every response.

Prints one Markdown table. Not a test: absolute numbers depend on the machine and its load.
"""

import argparse
import http.client
import io
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
BASELINE_BYTES = 40 * 1024

COUNT_HITS = """
local threads = {}
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local counter = 0
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  hits, misses, other, front = 0, 0, 0, 0
  counter = id * 7919
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
function response(status, headers, body)
  -- The app's page cache, and a front cache's (Varnish: X-Cache); HAProxy hands header names
  -- on in lower case.
  local state = headers["X-Page-Cache"] or headers["x-page-cache"]
  if state == "hit" then hits = hits + 1
  elseif state == "miss" then misses = misses + 1
  else other = other + 1 end
  if (headers["X-Cache"] or headers["x-cache"]) == "hit" then front = front + 1 end
end
function done(summary, latency, requests)
  local h, m, o, f = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits"); m = m + thread:get("misses"); o = o + thread:get("other")
    f = f + thread:get("front")
  end
  io.write(string.format("CACHE hits=%d misses=%d other=%d\\n", h, m, o))
  io.write(string.format("FRONT hits=%d\\n", f))
end
"""


def load_arguments(description, *, port):
    """The options every wrk benchmark against gunicorn takes; a benchmark adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--duration", type=int, default=10, help="Seconds of wrk per row.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--redis-db", type=int, default=7, help="Redis database; flushed.")
    parser.add_argument("--articles", type=int, default=1000, help="At least this many.")
    return parser


def parse_args():
    parser = load_arguments(__doc__.splitlines()[0], port=8701)
    parser.add_argument("--seed-comments", type=int, default=297)
    parser.add_argument("--distinct", type=int, default=1000, help="Articles read under load.")
    parser.add_argument("--comments-per-second", type=float, default=5.0)
    parser.add_argument("--cold-requests", type=int, default=60)
    return parser.parse_args()


def django_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


def prepare(args):
    """The content the scenarios need, and signed-in readers' session cookies."""
    django_setup()
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    from articles.management.commands.load_demo import SEED_TITLE
    from articles.models import Article
    from comments.models import Comment, CommentStats

    quiet = io.StringIO()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=quiet)
    missing = args.articles - Article.objects.published().count()
    if missing > 0:
        call_command("generate_content", articles=missing, stdout=quiet)
    seed = Article.objects.get(title=SEED_TITLE)
    have = Comment.objects.filter(article=seed).count()
    if have < args.seed_comments:
        call_command("generate_comments", args.seed_comments - have, article=seed.pk, stdout=quiet)
    quiet_article = (
        Article.objects.published()
        .exclude(pk__in=CommentStats.objects.filter(visible__gt=0).values("article_id"))
        .order_by("-published_at")
        .first()
    )
    tag = seed.tags.order_by("slug").first()
    distinct = [
        reverse("articles:detail", args=[pk, slug])
        for pk, slug in Article.objects.published()
        .order_by("-published_at")
        .values_list("pk", "slug")[: args.distinct]
    ]

    User = get_user_model()
    cookies = []
    for number in range(100):
        user, _ = User.objects.get_or_create(
            username=f"bench-reader-{number}", defaults={"email": f"bench{number}@example.com"}
        )
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        token = f"{number:032d}"[-32:].replace("0", "a")  # a CSRF secret: 32 letters
        cookies.append((f"sessionid={session.session_key}; csrftoken={token}", token))
    info = {
        "articles": Article.objects.published().count(),
        "seed comments": CommentStats.objects.get(article=seed).visible,
    }
    pages = {
        "seed article": seed.get_absolute_url(),
        "article, 0 comments": quiet_article.get_absolute_url(),
        "home": "/",
        "section": seed.section.get_absolute_url(),
        "tag": reverse("articles:tag", args=[tag.slug]),
    }
    commented = [
        reverse("comments:create", args=[int(path.split("/")[2])]) for path in distinct[:100]
    ]
    connection.close()
    return info, pages, distinct, commented, cookies


def collectstatic(env):
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    # The baseline: a 40 KB text file beside the collected ones, which whitenoise finds when
    # gunicorn starts (the site's own files are smaller: the stylesheet is a few KB).
    line = "baseline static file for bench/run.py, served by whitenoise through gunicorn\n"
    text = (line * (BASELINE_BYTES // len(line) + 1))[:BASELINE_BYTES]
    (Path(env["DJANGO_STATIC_ROOT"]) / "bench-baseline.txt").write_text(text)
    return "/static/bench-baseline.txt"


class Server:
    def __init__(self, env, port, workers):
        self.port = port
        # Kept open while gunicorn runs, and kept afterwards to read if it fails.
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="gunicorn-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "newsroom.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-tmp-dir",
                "/dev/shm",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        self.wait_ready()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self):
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url("/robots.txt"), timeout=5).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    sys.exit(f"gunicorn stopped; see {self.log.name}")
                time.sleep(0.3)
        sys.exit(f"gunicorn did not answer; see {self.log.name}")

    def worker_rss_mb(self):
        children = subprocess.run(
            ["ps", "--ppid", str(self.process.pid), "-o", "pid="], capture_output=True, text=True
        ).stdout
        sizes = []
        for pid in children.split():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
        return sizes

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def fetch(server, path, cookie=None):
    request = urllib.request.Request(server.url(path), headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 200:
            sys.exit(f"{path} answered {response.status}")
        return response.read(), response.headers.get("X-Page-Cache")


def wrk(server, path, args, *, cookie=None, script=None, env=None, duration=None, header=None):
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration or args.duration}s",
        "--timeout",
        "10s",
        "--latency",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if header:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    out = subprocess.run(
        [*command, server.url(path)],
        capture_output=True,
        text=True,
        check=True,
        env=(os.environ | env) if env else None,
    ).stdout
    if "Non-2xx" in out:
        sys.exit(f"{path}: non-2xx answers under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s*(50|99)%\s+(\S+)\s*$", out, flags=re.M))
    result = {"rps": rps, "p50": to_ms(latency["50"]), "p99": to_ms(latency["99"])}
    if found := re.search(r"CACHE hits=(\d+) misses=(\d+) other=(\d+)", out):
        result["hits"], result["misses"], result["other"] = map(int, found.groups())
    if found := re.search(r"FRONT hits=(\d+)", out):  # cluster_benchmark.py: Varnish's
        result["front"] = int(found.group(1))
    if found := re.search(r"BEACONS answered=(\d+) other=(\d+)", out):  # views_benchmark.py
        result["answered"], result["other"] = map(int, found.groups())
    return result


def to_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def flush(args):
    subprocess.run(
        ["redis-cli", "-n", str(args.redis_db), "flushdb"], check=True, stdout=subprocess.DEVNULL
    )


def sequential_ms(server, path, count, *, before=None):
    """Mean milliseconds of `count` GETs on one kept-alive connection, `before()` run ahead of
    each (outside the timing)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    times = []
    for _ in range(count):
        if before:
            before()
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            sys.exit(f"{path} answered {response.status}")
    connection.close()
    return statistics.mean(times)


class CommentWriter(threading.Thread):
    """Signed-in readers posting through the comment form, `rate` a second, round the
    articles: the write load of a busy discussion."""

    def __init__(self, server, actions, cookies, rate):
        super().__init__(daemon=True)
        self.server, self.actions, self.cookies, self.rate = server, actions, cookies, rate
        self.stop = threading.Event()
        self.posted = self.refused = 0
        self.run_id = os.urandom(4).hex()  # each run's texts are new (a repeated text is refused)

    def run(self):
        number = 0
        started = time.monotonic()
        while not self.stop.is_set():
            cookie, token = self.cookies[number % len(self.cookies)]
            action = self.actions[number % len(self.actions)]
            text = f"Comment+{number}+of+run+{self.run_id}+under+load."
            body = f"csrfmiddlewaretoken={token}&body={text}"
            connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
            connection.request(
                "POST",
                action,
                body=body,
                headers={
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": self.server.url(action),
                },
            )
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 302:
                self.posted += 1
            else:
                self.refused += 1
            number += 1
            self.stop.wait(max(0.0, started + number / self.rate - time.monotonic()))


def run(env, args, pages, baseline, distinct, actions, cookies):
    results = {}
    server = Server(env, args.port, args.workers)
    try:
        results["static"] = wrk(server, baseline, args)
        for name, path in pages.items():
            for _ in range(3):
                fetch(server, path)
            results[f"hit {name}"] = wrk(server, path, args)
        cookie = cookies[0][0]
        fetch(server, pages["seed article"], cookie)
        results["signed-in seed article"] = wrk(server, pages["seed article"], args, cookie=cookie)

        # Write load: every article read once (stored), then readers and writers at once.
        paths_file = Path(tempfile.mkstemp(prefix="bench-paths-")[1])
        paths_file.write_text("\n".join(distinct) + "\n")
        script = Path(tempfile.mkstemp(prefix="bench-", suffix=".lua")[1])
        script.write_text(COUNT_HITS)
        for path in distinct:
            fetch(server, path)
        writer = CommentWriter(server, actions, cookies, args.comments_per_second)
        writer.start()
        try:
            load = wrk(
                server,
                distinct[0],
                args,
                script=str(script),
                env={"BENCH_PATHS": str(paths_file)},
                duration=2 * args.duration,
            )
        finally:
            writer.stop.set()
            writer.join()
        if not writer.posted:
            sys.exit(f"write load: no comment was posted ({writer.refused} refused)")
        load |= {"posted": writer.posted, "refused": writer.refused}
        results["write load"] = load
        results["rss"] = server.worker_rss_mb()
        paths_file.unlink()
        script.unlink()
    finally:
        server.stop()

    server = Server(env | {"NEWSROOM_PAGE_CACHE_SECONDS": "0"}, args.port, args.workers)
    try:
        results["static (parts run)"] = wrk(server, baseline, args)
        for name, path in pages.items():
            fetch(server, path)
            results[f"parts {name}"] = wrk(server, path, args)
        static_ms = sequential_ms(server, baseline, args.cold_requests)
        cold_ms = sequential_ms(
            server, pages["seed article"], args.cold_requests, before=lambda: flush(args)
        )
        warm_ms = sequential_ms(server, pages["seed article"], args.cold_requests)
        results["cold"] = {"static_ms": static_ms, "cold_ms": cold_ms, "warm_ms": warm_ms}
    finally:
        server.stop()
    return results


TARGETS = {
    "signed-in seed article": 0.25,
    "parts seed article": 0.25,
    "hit seed article": 0.60,
    "hit home": 0.60,
    "hit section": 0.60,
    "hit tag": 0.60,
    "parts home": 0.20,
    "parts section": 0.20,
    "parts tag": 0.20,
}


def table(info, results, args):
    base = results["static"]["rps"]
    base_parts = results["static (parts run)"]["rps"]
    lines = [
        f"{info['articles']:,} published articles; the seed article with "
        f"{info['seed comments']:,} visible comments; gunicorn {args.workers} sync workers, "
        f"PostgreSQL, Redis; wrk {args.threads} threads {args.connections} connections, "
        f"{args.duration} s a row; ratio = req/s over the 40 KB static file's in the same run "
        f"({base:,.0f} and {base_parts:,.0f} req/s)",
        "",
        "| scenario | req/s | p50 ms | p99 ms | ratio | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in results.items():
        if name in {"rss", "cold", "write load"} or name.startswith("static"):
            continue
        reference = base_parts if name.startswith("parts") else base
        ratio = result["rps"] / reference
        target = TARGETS.get(name)
        verdict = f"{target:.0%} {'met' if ratio >= target else 'MISSED'}" if target else ""
        lines.append(
            f"| {name} | {result['rps']:,.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
            f"{ratio:.0%} | {verdict} |"
        )
    cold = results["cold"]
    ratio = cold["static_ms"] / cold["cold_ms"]
    lines.append(
        f"| cold seed article (Redis flushed before each request; one connection) | "
        f"{1000 / cold['cold_ms']:,.0f} | {cold['cold_ms']:.1f} | | {ratio:.0%} | "
        f"8% {'met' if ratio >= 0.08 else 'MISSED'} |"
    )
    load = results["write load"]
    served = load["hits"] + load["misses"]
    hit_rate = load["hits"] / served if served else 0
    ratio = load["rps"] / base
    lines += [
        "",
        f"Write load: {args.comments_per_second:g} comments a second over 100 articles "
        f"({load['posted']} posted, {load['refused']} refused) while anonymous readers fetch "
        f"{args.distinct} distinct articles for {2 * args.duration} s: {load['rps']:,.0f} req/s "
        f"({ratio:.0%} of static; target 40% {'met' if ratio >= 0.40 else 'MISSED'}), p50 "
        f"{load['p50']:.1f} ms, p99 {load['p99']:.1f} ms; page cache {load['hits']:,} hits, "
        f"{load['misses']:,} misses, {load['other']:,} other: hit rate {hit_rate:.1%} "
        f"(target 95% {'met' if hit_rate >= 0.95 else 'MISSED'}).",
        f"One connection, seed article: {cold['warm_ms']:.1f} ms with its parts cached, "
        f"{cold['cold_ms']:.1f} ms with every cache empty; static file {cold['static_ms']:.2f} ms.",
        "Worker RSS after the page-cache run (MB): "
        + ", ".join(f"{mb:.0f}" for mb in results["rss"]),
    ]
    print("\n".join(lines))


def server_env(args, static_root):
    """gunicorn's environment: production settings on 127.0.0.1, its own Redis database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_", "REDIS_"))
    }
    return env | {
        "DJANGO_SECRET_KEY": "bench-" + os.urandom(24).hex(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_STATIC_ROOT": str(static_root),
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
    }


def main():
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")
    static_root = Path(tempfile.mkdtemp(prefix="newsroom-static-"))
    env = server_env(args, static_root) | {
        # Every reader posts at most once in 15 s; the writer cycles 100 readers.
        "NEWSROOM_COMMENTS_PER_HOUR": "1000",
        "NEWSROOM_COMMENT_MIN_INTERVAL": "5",
    }
    # Sessions made for the signed-in readers are signed with the server's key.
    os.environ["REDIS_URL"] = env["REDIS_URL"]
    os.environ["DJANGO_SECRET_KEY"] = env["DJANGO_SECRET_KEY"]
    info, pages, distinct, actions, cookies = prepare(args)
    try:
        baseline = collectstatic(env)
        flush(args)
        results = run(env, args, pages, baseline, distinct, actions, cookies)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    print()
    table(info, results, args)


if __name__ == "__main__":
    main()
