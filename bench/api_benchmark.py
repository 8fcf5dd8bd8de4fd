"""The read API (/api/v1/) under load, with real gunicorn, PostgreSQL, Redis and wrk.

    createdb -h 127.0.0.1 -U postgres newsroom_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        .venv/bin/python bench/api_benchmark.py [--duration 10] [--workers 2]

Rows, each beside the 40 KB static file of bench/run.py served by the same gunicorn:

- cached: the article list (20 articles) and the seed article's detail from the page cache,
  anonymous and with an API key (its rate limit counted on every request: three cache calls);
- uncached: the page cache off (NEWSROOM_PAGE_CACHE_SECONDS=0), so every request runs the
  endpoint: the list reads its rows every time, the detail its cached JSON part and its comment
  count;
- cold: every cache empty (Redis flushed before each request, one connection in turn).

The anonymous limit is lifted (NEWSROOM_API_RATE=0) so that wrk measures serving, not 429s.
Prints one Markdown table. Not a test: absolute numbers depend on the machine and its load.
"""

import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

from run import (
    Server,
    collectstatic,
    django_setup,
    fetch,
    flush,
    load_arguments,
    sequential_ms,
    server_env,
    wrk,
)


def parse_args():
    parser = load_arguments(__doc__.splitlines()[0], port=8703)
    parser.add_argument("--cold-requests", type=int, default=60)
    return parser.parse_args()


def prepare(args):
    django_setup()
    from django.core.management import call_command
    from django.db import connection

    from api.models import ApiKey
    from articles.management.commands.load_demo import SEED_TITLE
    from articles.models import Article

    quiet = io.StringIO()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=quiet)
    missing = args.articles - Article.objects.published().count()
    if missing > 0:
        call_command("generate_content", articles=missing, stdout=quiet)
    seed = Article.objects.get(title=SEED_TITLE)
    key = ApiKey(name="bench", rate_per_minute=10**9)
    raw = key.issue()
    key.save()
    count = Article.objects.published().count()
    connection.close()
    return (
        count,
        {
            "article list (20)": "/api/v1/articles",
            "article detail (seed)": f"/api/v1/articles/{seed.pk}",
        },
        raw,
    )


def run(env, args, paths, raw_key, baseline):
    results = {}
    server = Server(env, args.port, args.workers)
    try:
        results["static file, 40 KB (baseline)"] = wrk(server, baseline, args)
        for name, path in paths.items():
            fetch(server, path)
            results[f"{name}, page-cache hit"] = wrk(server, path, args)
        for name, path in paths.items():
            results[f"{name}, page-cache hit, API key"] = wrk(
                server, path, args, header=f"X-API-Key: {raw_key}"
            )
    finally:
        server.stop()
    server = Server(env | {"NEWSROOM_PAGE_CACHE_SECONDS": "0"}, args.port, args.workers)
    try:
        results["static file, 40 KB (uncached run)"] = wrk(server, baseline, args)
        for name, path in paths.items():
            fetch(server, path)
            results[f"{name}, uncached"] = wrk(server, path, args)
        cold = {"static": sequential_ms(server, baseline, args.cold_requests)}
        for name, path in paths.items():
            cold[name] = sequential_ms(server, path, args.cold_requests, before=lambda: flush(args))
    finally:
        server.stop()
    return results, cold


def table(count, results, cold, args):
    print(
        f"{count:,} published articles; gunicorn {args.workers} sync workers, PostgreSQL, "
        f"Redis; wrk -t{args.threads} -c{args.connections} -d{args.duration}s"
    )
    print()
    print("| row | requests/s | ratio to static | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    base = results["static file, 40 KB (baseline)"]["rps"]
    for name, result in results.items():
        if "uncached run" in name:
            base = result["rps"]
        print(
            f"| {name} | {result['rps']:,.0f} | {result['rps'] / base:.2f} "
            f"| {result['p50']:.2f} | {result['p99']:.2f} |"
        )
    print()
    for name, ms in cold.items():
        if name != "static":
            print(
                f"- {name}, cold (Redis flushed before each request): {ms:.1f} ms mean, "
                f"{cold['static'] / ms:.2f} of the static file's {cold['static']:.2f} ms"
            )


def main():
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")
    static_root = Path(tempfile.mkdtemp(prefix="newsroom-static-"))
    # The anonymous limit lifted: wrk measures serving, not 429s.
    env = server_env(args, static_root) | {"NEWSROOM_API_RATE": "0"}
    os.environ["REDIS_URL"] = env["REDIS_URL"]
    count, paths, raw_key = prepare(args)
    try:
        baseline = collectstatic(env)
        flush(args)
        results, cold = run(env, args, paths, raw_key, baseline)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    print()
    table(count, results, cold, args)


if __name__ == "__main__":
    main()
