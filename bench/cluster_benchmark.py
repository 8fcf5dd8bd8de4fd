"""One app server against two behind HAProxy, with and without Varnish in front, measured with
wrk on the cluster of deploy/local-cluster.sh (PostgreSQL, its own Redis, S3 on moto's server).

    .venv/bin/python bench/cluster_benchmark.py [--duration 10] [--connections 32] [--workers 2]

The read scenario of every row: anonymous readers fetching --distinct article pages, the home
page and the section pages in turn (a wrk Lua script), as a breaking story's readers do. Rows:

- the 40 KB static file of bench/run.py from one app server (whitenoise): the baseline;
- one app server, wrk straight at gunicorn; then behind HAProxy (the other one stopped, so the
  health check has taken it out); then behind Varnish and HAProxy;
- two app servers behind HAProxy; then behind Varnish and HAProxy.

Beside each row: the CPU each part used (cores: CPU seconds over the row's seconds, from
/proc), the PostgreSQL connections open to the database, and Redis commands per second; the
app's page cache and Varnish hit counts come from the X-Page-Cache and X-Cache headers.

Prints one Markdown table. Not a test: absolute numbers depend on the machine and its load.
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import BASELINE_BYTES, COUNT_HITS, load_arguments, wrk

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "deploy" / "local-cluster.sh"
PYTHON = sys.executable

# Which process is which part, by its command line.
PARTS = [
    ("app servers", "gunicorn"),
    ("worker", "db_worker"),
    ("Varnish", "varnishd"),
    ("HAProxy", "haproxy"),
    ("Redis", "redis-server"),
    ("PostgreSQL", "postgres"),
]


def parse_args():
    parser = load_arguments(__doc__.splitlines()[0], port=18900)
    parser.set_defaults(connections=32)
    parser.add_argument("--distinct", type=int, default=1000, help="Articles read under load.")
    parser.add_argument("--database", default="newsroom_bench_cluster")
    parser.add_argument("--keep", action="store_true", help="Leave the cluster running.")
    return parser.parse_args()


class At:
    """A base address, as bench/run.py's wrk() takes it."""

    def __init__(self, base):
        self.base = base

    def url(self, path):
        return self.base + path


def cpu_seconds():
    """CPU seconds used so far by each part's processes (live ones)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys([name for name, _ in PARTS], 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        for name, marker in PARTS:
            if marker in command:
                used[name] += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
                break
    return used


def children_cpu_seconds():
    """CPU seconds of this script's finished children: wrk, once it has exited."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def redis_commands(port):
    out = subprocess.run(
        ["redis-cli", "-p", str(port), "info", "stats"], capture_output=True, text=True
    ).stdout
    return int(next(ln.split(":")[1] for ln in out.splitlines() if ln.startswith("total_commands")))


def pg_connections(database):
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            f"select count(*) from pg_stat_activity where datname = '{database}'",
        ],
        capture_output=True,
        text=True,
    ).stdout
    return int(out.strip() or 0)


def main():
    args = parse_args()
    directory = tempfile.mkdtemp(prefix="newsroom-bench-cluster-")
    env = os.environ | {
        "NEWSROOM_CLUSTER_DIR": directory,
        "NEWSROOM_CLUSTER_PORT": str(args.port),
        "NEWSROOM_CLUSTER_GUNICORN_WORKERS": str(args.workers),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "PYTHON": PYTHON,
    }
    for name in ("REDIS_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", args.database],
        check=True,
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.database], check=True)

    def script(*words):
        subprocess.run(["bash", str(SCRIPT), *words], env=env, check=True, cwd=ROOT)

    def manage(*words):
        app_env = env | dict(
            line.split("=", 1)
            for line in Path(directory, "env").read_text().splitlines()
            if "=" in line and not line.startswith("#")
        )
        return subprocess.run(
            [PYTHON, "manage.py", *words],
            env=app_env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    script("start")
    try:
        manage("generate_content", "--articles", str(args.articles))
        paths = manage(
            "shell",
            "-c",
            "from articles.models import Article, Section\n"
            f"for a in Article.objects.published().order_by('-published_at')[:{args.distinct}]:"
            " print(a.get_absolute_url())\n"
            "for s in Section.objects.all(): print(s.get_absolute_url())\n"
            "print('/')",
        ).splitlines()
        paths = [p for p in paths if p.startswith("/")]
        paths_file = Path(directory, "paths.txt")
        paths_file.write_text("\n".join(paths) + "\n")
        lua = Path(directory, "count.lua")
        lua.write_text(COUNT_HITS)
        # The baseline beside the collected static files; whitenoise reads them at start.
        line = "baseline static file for bench/run.py, served by whitenoise through gunicorn\n"
        Path(directory, "static", "bench-baseline.txt").write_text(
            (line * (BASELINE_BYTES // len(line) + 1))[:BASELINE_BYTES]
        )
        for n in ("1", "2"):
            script("stop-app", n)
            script("start-app", n)

        front = At(f"http://127.0.0.1:{args.port}")
        balancer = At(f"http://127.0.0.1:{args.port + 1}")
        app1 = At(f"http://127.0.0.1:{args.port + 11}")
        redis_port = args.port + 2
        wrk_env = {"BENCH_PATHS": str(paths_file)}

        def warm(at):
            for path in paths:
                subprocess.run(["curl", "-s", "-o", "/dev/null", at.url(path)], check=True)

        def row(name, at, path=None):
            if path is None:
                warm(at)
            cpu, commands = cpu_seconds(), redis_commands(redis_port)
            load = children_cpu_seconds()
            started = time.monotonic()
            result = wrk(
                at,
                path or "/",
                args,
                script=str(lua) if path is None else None,
                env=wrk_env,
            )
            seconds = time.monotonic() - started
            result["connections"] = pg_connections(args.database)
            after = cpu_seconds()
            result["cores"] = {k: (after[k] - cpu[k]) / seconds for k in after}
            result["cores"]["wrk"] = (children_cpu_seconds() - load) / seconds
            result["redis"] = (redis_commands(redis_port) - commands) / seconds
            result["name"] = name
            return result

        static = "/static/bench-baseline.txt"
        results = [row("static file, one app server (baseline)", app1, static)]
        results.append(row("one app server, direct", app1))
        script("stop-app", "2")
        time.sleep(3)  # HAProxy's health check takes it out
        results.append(row("one app server behind HAProxy", balancer))
        results.append(row("one app server behind Varnish and HAProxy", front))
        script("start-app", "2")
        time.sleep(3)  # and back in
        results.append(row("two app servers behind HAProxy", balancer))
        results.append(row("two app servers behind Varnish and HAProxy", front))
        print_table(results, args, len(paths))
    finally:
        if not args.keep:
            script("stop")


def print_table(results, args, distinct):
    baseline = results[0]["rps"]
    cpus = os.cpu_count()
    print(
        f"\n{args.duration} s per row, wrk {args.threads} threads and {args.connections}"
        f" connections, {args.workers} gunicorn workers per app server, {distinct} addresses"
        f" read in turn, {cpus} cores in all (wrk included)\n"
    )
    print(
        "| row | req/s | ratio to static | p50 ms | p99 ms | page cache hits | Varnish hits"
        " | cores: app servers | Varnish | HAProxy | Redis | PostgreSQL | wrk"
        " | PostgreSQL connections | Redis commands/s |"
    )
    print("| --- |" + " ---: |" * 15)
    for r in results:
        total = r.get("hits", 0) + r.get("misses", 0) + r.get("other", 0)
        # Of the requests that reached an app server (Varnish answers with what it stored).
        reached = total - r.get("front", 0)
        hits = f"{r['hits'] / reached:.0%}" if reached > 0 and "hits" in r else "–"
        front = f"{r['front'] / total:.0%}" if total and "front" in r else "–"
        cores = r["cores"]
        print(
            f"| {r['name']} | {r['rps']:,.0f} | {r['rps'] / baseline:.2f} | {r['p50']:.1f}"
            f" | {r['p99']:.1f} | {hits} | {front} | {cores['app servers']:.2f}"
            f" | {cores['Varnish']:.2f} | {cores['HAProxy']:.2f} | {cores['Redis']:.2f}"
            f" | {cores['PostgreSQL']:.2f} | {cores['wrk']:.2f} | {r['connections']}"
            f" | {r['redis']:,.0f} |"
        )


if __name__ == "__main__":
    main()
