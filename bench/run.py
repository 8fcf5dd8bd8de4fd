"""Serve the site with gunicorn (production settings) and measure the public pages with wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \
        /work/main/.venv/bin/python bench/run.py [--duration 12] [--workers 3]

The database should hold content (`manage.py generate_content`); the script adds what the
measured pages need: the seed's legal notices and labels, and 50 comments on the measured
article. Two gunicorn runs on 127.0.0.1: with the anonymous page cache (in Redis, shared by the
workers), then without it (NEWSROOM_PAGE_CACHE_SECONDS=0). Each run also measures a static file
of about 40 KB served by the same gunicorn through whitenoise, the baseline that every page is
compared with. Then one worker serves 10,000 requests over many addresses and its RSS is read.
Prints one table. Not a test: absolute numbers depend on the machine and its other load.
"""

import argparse
import http.client
import io
import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
BASELINE_BYTES = 40 * 1024


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=12, help="Seconds of wrk per page.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes.")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--redis-db", type=int, default=7, help="Redis database; flushed.")
    parser.add_argument("--memory-requests", type=int, default=10_000)
    return parser.parse_args()


def prepare(args):
    """Pick the measured addresses, adding the notices and comments they should show."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    from articles.models import Article
    from comments.models import CommentStats
    from notices import demo

    demo.load_demo(io.StringIO())
    published = Article.objects.published()
    commented = CommentStats.objects.filter(visible__gt=0).values("article_id")
    article = published.exclude(pk__in=commented).order_by("-published_at").first()
    if article is None:
        sys.exit("No published article without comments: run manage.py generate_content first.")
    call_command("generate_comments", 50, article=article.pk, stdout=io.StringIO())
    tag = article.tags.order_by("slug").first()
    many = list(
        published.order_by("-published_at").values_list("pk", "slug")[: args.memory_requests // 5]
    )
    info = {
        "articles": Article.objects.count(),
        "comments": sum(CommentStats.objects.values_list("visible", flat=True)),
        "tags on the article": article.tags.count(),
    }
    connection.close()
    pages = {
        "home": "/",
        "article": article.get_absolute_url(),
        "section": article.section.get_absolute_url(),
        "tag": reverse("articles:tag", args=[tag.slug]),
        "search": f"/search/?q=%22{tag.name.replace(' ', '+')}%22",
        "feed": "/feeds/rss/",
        "sitemap": "/sitemap.xml",
        "news sitemap": "/sitemap-news.xml",
    }
    others = [reverse("articles:detail", args=[pk, slug]) for pk, slug in many]
    return info, pages, others


def collectstatic(env):
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    # The baseline: a 40 KB text file beside the collected ones, which whitenoise finds when
    # gunicorn starts (the site's own files are smaller: the stylesheet is a few KB).
    line = "baseline static file for bench/run.py, served by whitenoise through gunicorn\n"
    text = (line * (BASELINE_BYTES // len(line) + 1))[:BASELINE_BYTES]
    (Path(env["DJANGO_STATIC_ROOT"]) / "bench-baseline.txt").write_text(text)
    return "/static/bench-baseline.txt", BASELINE_BYTES


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


def fetch(server, path):
    with urllib.request.urlopen(server.url(path), timeout=30) as response:
        if response.status != 200:
            sys.exit(f"{path} answered {response.status}")
        return response.read(), response.headers.get("X-Page-Cache")


def wrk(server, path, args):
    out = subprocess.run(
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--timeout",
            "10s",
            "--latency",
            server.url(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        sys.exit(f"{path}: non-2xx answers under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s*(50|99)%\s+(\S+)\s*$", out, flags=re.M))
    if len(latency) != 2:
        sys.exit(f"{path}: could not read wrk's latency distribution:\n{out}")
    return {"rps": rps, "p50": to_ms(latency["50"]), "p99": to_ms(latency["99"])}


def to_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def measure(env, label, pages, baseline, args):
    server = Server(env, args.port, args.workers)
    try:
        results = {"static baseline": wrk(server, baseline, args)}
        for name, path in pages.items():
            for _ in range(3):  # a cached run measures hits, not the first render
                body, cache_state = fetch(server, path)
            results[name] = wrk(server, path, args) | {"bytes": len(body), "cache": cache_state}
            print(f"  {label:<8} {name:<14} {results[name]['rps']:8.1f} req/s", flush=True)
        return results, server.worker_rss_mb()
    finally:
        server.stop()


def memory(env, paths, args):
    """One worker, 10,000 requests from 8 connections: every page and a few thousand articles
    (each rendered once, then served from the page cache), as a day's readers would ask."""
    requests = itertools.islice(itertools.cycle(paths), args.memory_requests)
    lock = threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        while True:
            with lock:
                path = next(requests, None)
            if path is None:
                return
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")

    server = Server(env, args.port, 1)
    try:
        before = server.worker_rss_mb()[0]
        with ThreadPoolExecutor(args.connections) as pool:
            for future in [pool.submit(client) for _ in range(args.connections)]:
                future.result()
        return before, server.worker_rss_mb()[0]
    finally:
        server.stop()


def table(info, cached, uncached, rss, memory_rss, baseline_size, args):
    lines = [
        f"{info['articles']:,} articles, {info['comments']:,} visible comments; "
        f"gunicorn {args.workers} sync workers, wrk {args.threads} threads {args.connections} "
        f"connections, {args.duration} s per row; ratio = page req/s / static req/s of that run",
        "",
        "| page | bytes | cached req/s | p50 ms | p99 ms | ratio | "
        "uncached req/s | p50 ms | p99 ms | ratio | p99/p50 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    base_c, base_u = cached["static baseline"]["rps"], uncached["static baseline"]["rps"]
    for name in cached:
        c, u = cached[name], uncached[name]
        size = baseline_size if name == "static baseline" else c["bytes"]
        lines.append(
            f"| {name} | {size:,} | {c['rps']:,.0f} | {c['p50']:.1f} | {c['p99']:.1f} | "
            f"{c['rps'] / base_c:.0%} | {u['rps']:,.0f} | {u['p50']:.1f} | {u['p99']:.1f} | "
            f"{u['rps'] / base_u:.0%} | {u['p99'] / u['p50']:.1f} |"
        )
    lines += [
        "",
        "worker RSS after the runs above (MB): cached "
        + ", ".join(f"{mb:.0f}" for mb in rss[0])
        + "; uncached "
        + ", ".join(f"{mb:.0f}" for mb in rss[1]),
        f"one worker, {args.memory_requests:,} requests (page cache on, "
        f"{memory_rss[2]:,} addresses): RSS {memory_rss[0]:.0f} MB at start, "
        f"{memory_rss[1]:.0f} MB after",
    ]
    print("\n".join(lines))


def main():
    info, pages, others = prepare(args)
    static_root = Path(tempfile.mkdtemp(prefix="newsroom-static-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_"))
    }
    env |= {
        "DJANGO_SECRET_KEY": "bench-" + os.urandom(24).hex(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(static_root),
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
    }
    try:
        baseline, baseline_size = collectstatic(env)
        subprocess.run(
            ["redis-cli", "-n", str(args.redis_db), "flushdb"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        cached, rss_cached = measure(env, "cached", pages, baseline, args)
        uncached_env = env | {"NEWSROOM_PAGE_CACHE_SECONDS": "0"}
        uncached, rss_uncached = measure(uncached_env, "uncached", pages, baseline, args)
        paths = list(pages.values()) + others
        memory_rss = (*memory(env, paths, args), len(paths))
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    print()
    table(info, cached, uncached, (rss_cached, rss_uncached), memory_rss, baseline_size, args)


if __name__ == "__main__":
    args = parse_args()
    main()
