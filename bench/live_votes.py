"""A vote burst on the `/live` namespace of a real `deliberation serve`: N phones join by code and all vote at once.

For each set-up the script starts the production server itself (gunicorn + gevent, fresh database), creates a
facilitator with `deliberation users create`, then, through the REST API, an assembly and an open single-choice
poll whose results are `live`. For each N it restarts the server (clean CPU and memory figures), forks K load
processes, each running N/K python-socketio asyncio clients on one event loop (WebSocket transport only; the
threaded client's two threads per phone made the load processes, not the server, the bottleneck) that connect with
`auth={"join_code": …}` and keep the device token of their snapshot. When every phone is connected (a barrier
across the processes), every phone emits `cast_vote` (uuid4 ballot_id, random option) with an ack callback, as
fast as each process can; every phone records each `tally` it receives with its arrival time (time.time(): one
clock for every process of the machine). Traffic goes to 127.0.0.1 only; every wait has a timeout.

Figures, per N:
- connect: wall time until all N phones had their snapshot, and p99 of one phone's connect (+ snapshot).
- ack p50/p99: cast_vote emitted → ack received (the server acks once the ballot is committed).
- vote → every phone p50/p95/p99, computed in the parent from the collected data. The acks that said ok are
  sorted by arrival; the vote whose ack is the r-th one is "included" in any tally with total_ballots ≥ r
  (r ballots were committed by the time its ack came back). For each phone, f_phone(r) = the arrival of its
  first tally with total_ballots ≥ r; T(r) = max over all phones of f_phone(r), the moment EVERY phone has
  seen a tally including that vote. Latency of the vote = T(r) − its send time. A vote that some phone never
  saw within the wait is counted as "unseen" and left out of the percentiles.
- votes/s: ballots counted in the database after the burst ÷ (first send → last ack).
- server CPU (% of one core, all gunicorn processes summed, from /proc/<pid>/stat, from the first send until
  the last phone saw the final tally) and peak RSS (VmRSS summed, sampled every 100 ms).
- tallies: tallies received per phone (mean).
- disconnects: `disconnect` events the phones got before the script closed them; failed connects apart.
- runq %: time the server's processes were runnable but waiting for a CPU (/proc/<pid>/schedstat), % of
  the same wall time: high means the machine, not the server, was the limit.
- load CPU %: the busiest load process's CPU (% of one core) from the burst until its phones saw the final
  tally: near 100 would mean the load generator, not the server, sets the pace.

    .venv/bin/python bench/live_votes.py [--sizes 500 1000 2000] [--setups sqlite postgres] [--processes 3]

K = 3 load processes by default; each stays under 25 % of a core at N = 2,000 ("load CPU %"), so the server
sets the pace. `--profile` records the server with py-spy during each burst (collapsed stacks; py-spy sees one
greenlet at a time, so read it as a rough split, not exact shares).

The `postgres` set-up runs two workers on PostgreSQL (database deliberation_live_bench, created and dropped
here) with DELIBERATION_MESSAGE_QUEUE=redis://127.0.0.1:6379/6.
Targets (issue #3; printed, not asserted): one process, SQLite, every ballot stored before its ack: at 1,000
phones all acked, no disconnect, p99 vote → every phone ≤ 500 ms; at 2,000 phones p99 ≤ 1 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import random
import resource
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DELIBERATION = str(Path(sys.executable).with_name("deliberation"))
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_DATABASE = "deliberation_live_bench"
REDIS_URL = "redis://127.0.0.1:6379/6"
NS = "/live"
OPEN_FILES = 65536
EMAIL, PASSWORD = "animation@bench.example.org", "bench-password-" + secrets.token_hex(8)
CONNECT_CONCURRENCY = 8  # concurrent connects per load process
ACK_TIMEOUT_S = 60
TALLY_TIMEOUT_S = 30
TARGETS = {1000: "all acked, 0 disconnect, p99 vote→every phone ≤ 500 ms",
           2000: "p99 vote→every phone ≤ 1 s"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=int, default=[500, 1000, 2000])
    parser.add_argument("--setups", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--processes", type=int, default=3, help="load processes (K)")
    parser.add_argument("--keep-logs", action="store_true", help="print the server log directory")
    parser.add_argument("--profile", action="store_true",
                        help="record the server's stacks with py-spy during each burst (collapsed stacks in the "
                             "log directory; implies --keep-logs)")
    return parser.parse_args()


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, max(hard, OPEN_FILES)))
    except (ValueError, OSError):  # not root: as high as the hard limit allows
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# -- the server ---------------------------------------------------------------------------------------------

class Server:
    def __init__(self, setup: str, workdir: Path):
        self.setup, self.workdir = setup, workdir
        self.workers = 2 if setup == "postgres" else 1
        if setup == "postgres":
            self.database_url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + POSTGRES_DATABASE
        else:
            self.database_url = f"sqlite:///{workdir / 'deliberation.sqlite3'}"
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("DELIBERATION_")}
        self.env.update({
            "DELIBERATION_ENV": "development", "DELIBERATION_SECRET_KEY": secrets.token_urlsafe(48),
            "DELIBERATION_DATABASE_URL": self.database_url, "DELIBERATION_MAIL_BACKEND": "file",
            "DELIBERATION_MAIL_DIRECTORY": str(workdir / "mail"),
            "DELIBERATION_RATELIMIT_STORAGE_URI": "memory://", "XDG_RUNTIME_DIR": str(workdir),
            "PYTHONUNBUFFERED": "1"})
        if setup == "postgres":
            self.env["DELIBERATION_MESSAGE_QUEUE"] = REDIS_URL
        self.process: subprocess.Popen | None = None
        self.url = ""

    def prepare_database(self) -> None:
        if self.setup == "postgres":
            recreate_postgres(create=True)
            import redis
            redis.Redis.from_url(REDIS_URL).flushdb()
        self.cli("db", "upgrade")
        self.cli("users", "create", EMAIL, "--role", "facilitator", input=PASSWORD + "\n")

    def cli(self, *args: str, input: str | None = None) -> str:
        result = subprocess.run([DELIBERATION, *args], env=self.env, cwd=ROOT, input=input, text=True,
                                capture_output=True, timeout=120)
        if result.returncode:
            raise SystemExit(f"deliberation {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, connections: int) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        if self.setup == "postgres":
            import redis
            redis.Redis.from_url(REDIS_URL).flushdb()  # attendance counters of the previous server
        log = (self.workdir / f"server-{port}.log").open("wb")
        self.process = subprocess.Popen(
            [DELIBERATION, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(self.workers),
             "--worker-connections", str(connections * 4 + 1000)],
            env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=raise_open_files)
        import requests
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited ({self.process.returncode}); see {log.name}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).ok and len(self.pids()) > self.workers:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit("the server did not answer /healthz within 30 s")

    def pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *map(int, children)]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    def count_ballots(self, poll_id: int) -> int:
        query = "SELECT count(*) FROM assembly_ballots WHERE poll_id = %s"
        if self.setup == "postgres":
            import psycopg
            with psycopg.connect(self.database_url) as connection:
                return connection.execute(query, (poll_id,)).fetchone()[0]
        with sqlite3.connect(self.database_url.removeprefix("sqlite:///")) as connection:
            return connection.execute(query.replace("%s", "?"), (poll_id,)).fetchone()[0]


def recreate_postgres(*, create: bool) -> None:
    import psycopg
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{POSTGRES_DATABASE}"')


def create_open_poll(url: str) -> tuple[str, int, list]:
    import requests
    http = requests.Session()
    answer = http.post(f"{url}/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD}, timeout=10)
    answer.raise_for_status()
    http.headers["Authorization"] = f"Bearer {answer.json()['token']}"
    assembly = http.post(f"{url}/api/v1/assemblies", json={"title": "Assemblée du banc d'essai"}, timeout=10)
    assembly.raise_for_status()
    poll = http.post(f"{url}/api/v1/assemblies/{assembly.json()['id']}/polls", timeout=10, json={
        "question": "Quel projet pour le square ?", "method": "single", "results_visibility": "live",
        "options": ["Jardin partagé", "Aire de jeux", "Bancs et ombre", "Terrain de pétanque"]})
    poll.raise_for_status()
    http.post(f"{url}/api/v1/polls/{poll.json()['id']}/open", timeout=10).raise_for_status()
    return assembly.json()["join_code"], poll.json()["id"], [option["id"] for option in poll.json()["options"]]


class Sampler(threading.Thread):
    """Samples the server's CPU ticks and resident memory every 100 ms (all processes summed)."""

    def __init__(self, server: Server):
        super().__init__(daemon=True)
        # (time, cpu seconds, rss MB, seconds spent runnable but waiting for a CPU)
        self.server, self.stopped, self.samples = server, threading.Event(), []
        self.ticks = os.sysconf("SC_CLK_TCK")

    def run(self) -> None:
        while not self.stopped.wait(0.1):
            cpu = rss = waiting = 0.0
            for pid in self.server.pids():
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    cpu += (int(fields[11]) + int(fields[12])) / self.ticks
                    status = Path(f"/proc/{pid}/status").read_text()
                    rss += int(status.split("VmRSS:")[1].split()[0]) / 1024
                    waiting += int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
                except (OSError, IndexError, ValueError):
                    pass
            self.samples.append((time.time(), cpu, rss, waiting))

    def share_between(self, start: float, end: float, column: int) -> float:
        """% of the wall time between start and end: CPU used (column 1) or spent waiting for a CPU (3)."""
        inside = [s for s in self.samples if start <= s[0] <= end] or self.samples[-2:]
        if len(inside) < 2 or inside[-1][0] == inside[0][0]:
            return float("nan")
        return 100 * (inside[-1][column] - inside[0][column]) / (inside[-1][0] - inside[0][0])


# -- the load processes ---------------------------------------------------------------------------------------

def load_process(index: int, count: int, url: str, join_code: str, poll_id: int, option_ids: list,
                 ready, go, target, results) -> None:
    """`count` phones on one asyncio loop: connect, report ready, wait for `go`, vote, wait for the tallies."""
    import asyncio
    import logging

    for name in ("engineio.client", "socketio.client"):  # disconnects are counted, not logged per phone
        logging.getLogger(name).setLevel(logging.CRITICAL)
    raise_open_files()
    asyncio.run(_load_phones(index, count, url, join_code, poll_id, option_ids, ready, go, target, results))
    results.close()
    results.join_thread()  # flush the queue before leaving
    os._exit(0)  # do not wait for the clients' tasks


async def _load_phones(index: int, count: int, url: str, join_code: str, poll_id: int, option_ids: list,
                       ready, go, target, results) -> None:
    import asyncio

    import socketio

    rng = random.Random(index)
    loop = asyncio.get_running_loop()
    phones, connect_times, failures = [], [], []
    closing = False
    acked_count = [0]
    all_acked = asyncio.Event()

    class Phone:
        def __init__(self):
            self.tallies, self.snapshot, self.disconnects = [], asyncio.Event(), 0
            self.sent = self.acked = None
            self.ok = False
            self.client = socketio.AsyncClient(reconnection=False, request_timeout=30)
            self.client.on("snapshot", self.on_snapshot, namespace=NS)
            self.client.on("tally", self.on_tally, namespace=NS)
            self.client.on("disconnect", self.on_disconnect, namespace=NS)

        async def on_snapshot(self, data):
            self.snapshot.set()

        async def on_tally(self, data):
            self.tallies.append((time.time(), data["total_ballots"]))

        async def on_disconnect(self, *args):
            if not closing:
                self.disconnects += 1

        async def on_ack(self, answer):
            self.acked, self.ok = time.time(), bool(answer and answer.get("ok"))
            acked_count[0] += 1
            if acked_count[0] == len(phones):
                all_acked.set()

    connecting = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def connect_one():
        phone = Phone()
        async with connecting:
            started = time.time()
            try:
                await phone.client.connect(url, namespaces=[NS], auth={"join_code": join_code},
                                           transports=["websocket"], wait_timeout=30)
                await asyncio.wait_for(phone.snapshot.wait(), 30)
            except Exception as error:  # noqa: BLE001 - counted and reported
                failures.append(repr(error)[:120])
                return
        connect_times.append(time.time() - started)
        phones.append(phone)

    await asyncio.gather(*(connect_one() for _ in range(count)))
    ready.put((index, len(phones)))
    if not await loop.run_in_executor(None, go.wait, 120):
        results.put((index, None))
        return
    cpu_at_go, wall_at_go = sum(os.times()[:2]), time.time()
    for phone in phones:
        phone.sent = time.time()
        await phone.client.emit("cast_vote", {"poll_id": poll_id, "ballot_id": str(uuid.uuid4()),
                                              "choice": rng.choice(option_ids)}, namespace=NS,
                                callback=phone.on_ack)
    try:
        await asyncio.wait_for(all_acked.wait(), ACK_TIMEOUT_S)
    except TimeoutError:
        pass
    results.put((index, "acks", [(p.sent, p.acked, p.ok) for p in phones]))
    try:
        wanted = await loop.run_in_executor(None, lambda: target.get(timeout=ACK_TIMEOUT_S + 30))
    except queue.Empty:
        wanted = len(phones)
    deadline = time.monotonic() + TALLY_TIMEOUT_S
    while time.monotonic() < deadline and not all(p.tallies and max(t[1] for t in p.tallies) >= wanted
                                                  for p in phones):
        await asyncio.sleep(0.05)
    closing = True
    load_cpu = 100 * (sum(os.times()[:2]) - cpu_at_go) / (time.time() - wall_at_go)
    results.put((index, "tallies", connect_times, failures, [p.tallies for p in phones],
                 sum(p.disconnects for p in phones), load_cpu))


# -- one run ------------------------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def every_phone_latencies(acks: list[tuple], tallies: list[list[tuple]]) -> tuple[list[float], int]:
    """See the docstring: T(r) = max over phones of the first arrival of a tally with total_ballots ≥ r."""
    ok = sorted((acked, sent) for sent, acked, good in acks if good and acked is not None)
    total = len(ok)
    seen_by_all = [0.0] * (total + 1)  # index r → T(r); inf when some phone never saw r
    for phone in tallies:
        covered = 0
        for arrival, ballots in sorted(phone):
            ballots = min(ballots, total)
            for rank in range(covered + 1, ballots + 1):
                if arrival > seen_by_all[rank]:
                    seen_by_all[rank] = arrival
            covered = max(covered, ballots)
        for rank in range(covered + 1, total + 1):
            seen_by_all[rank] = float("inf")
    latencies, unseen = [], 0
    for rank, (_acked, sent) in enumerate(ok, start=1):
        if seen_by_all[rank] == float("inf"):
            unseen += 1
        else:
            latencies.append(seen_by_all[rank] - sent)
    return latencies, unseen


def start_profiler(server: Server, size: int) -> subprocess.Popen | None:
    """py-spy on every server worker (gevent greenlets show as one thread) until the run stops it."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        print("--profile: py-spy is not installed (pip install py-spy)", file=sys.stderr)
        return None
    worker = server.pids()[-1]
    output = server.workdir / f"profile-{server.setup}-{size}.txt"
    return subprocess.Popen([str(spy), "record", "--pid", str(worker), "--rate", "250", "--format", "raw",
                             "--output", str(output)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_once(server: Server, size: int, processes: int, profile: bool = False) -> dict:
    server.start(size)
    loadavg = os.getloadavg()[0]  # other work on the machine competes with the server and the phones
    sampler = Sampler(server)
    sampler.start()
    try:
        join_code, poll_id, option_ids = create_open_poll(server.url)
        context = multiprocessing.get_context("fork")
        ready, results, go = context.Queue(), context.Queue(), context.Event()
        targets = [context.Queue() for _ in range(processes)]
        shares = [size // processes + (1 if i < size % processes else 0) for i in range(processes)]
        workers = [context.Process(target=load_process, daemon=True, args=(
            i, shares[i], server.url, join_code, poll_id, option_ids, ready, go, targets[i], results))
            for i in range(processes)]
        connect_started = time.time()
        for worker in workers:
            worker.start()
        connected = sum(ready.get(timeout=60 + size / 10)[1] for _ in workers)
        connect_wall = time.time() - connect_started
        time.sleep(1)  # let the attendance tallies of the connections pass
        profiler = start_profiler(server, size) if profile else None
        go.set()
        acks = []
        for _ in workers:
            acks += results.get(timeout=ACK_TIMEOUT_S + 60)[2]
        ok = sum(1 for _, _, good in acks if good)
        for target in targets:
            target.put(ok)
        connect_times, failures, tallies, disconnects, load_cpu = [], [], [], 0, 0.0
        for _ in workers:
            _i, _kind, times, failed, phone_tallies, lost, cpu = results.get(timeout=TALLY_TIMEOUT_S + 60)
            load_cpu = max(load_cpu, cpu)
            connect_times += times
            failures += failed
            tallies += phone_tallies
            disconnects += lost
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.kill()
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            profiler.wait(timeout=30)
    finally:
        sampler.stopped.set()
        sampler.join()
        server.stop()
    first_send = min(sent for sent, _, _ in acks)
    acked = [acked for _, acked, good in acks if acked is not None]
    last_ack = max(acked) if acked else float("nan")
    latencies, unseen = every_phone_latencies(acks, tallies)
    seen_all = first_send + max(latencies) if latencies else last_ack
    ack_latencies = [acked - sent for sent, acked, good in acks if acked is not None]
    stored = server.count_ballots(poll_id)
    return {
        "n": size, "connected": connected, "failures": failures, "connect_wall": connect_wall,
        "connect_p99": percentile(connect_times, 0.99), "acked": len(ack_latencies), "ok": ok,
        "ack_p50": percentile(ack_latencies, 0.5), "ack_p99": percentile(ack_latencies, 0.99),
        "every_p50": percentile(latencies, 0.5), "every_p95": percentile(latencies, 0.95),
        "every_p99": percentile(latencies, 0.99), "unseen": unseen, "stored": stored,
        "votes_per_s": stored / (last_ack - first_send) if last_ack > first_send else float("nan"),
        "burst": last_ack - first_send, "first_send": first_send,
        "cpu": sampler.share_between(first_send, max(seen_all, last_ack), 1),
        "runq": sampler.share_between(first_send, max(seen_all, last_ack), 3), "loadavg": loadavg,
        "rss": max((s[2] for s in sampler.samples), default=float("nan")), "disconnects": disconnects,
        "tallies_per_phone": sum(map(len, tallies)) / max(1, len(tallies)), "load_cpu": load_cpu,
    }


def print_table(setup: str, processes: int, rows: list[dict]) -> None:
    title = ("one process (gevent), SQLite" if setup == "sqlite"
             else "two workers (gevent), PostgreSQL + Redis")
    print(f"\n## {title}; {processes} load processes; times in ms unless said")
    header = ("|     N | connected | connect s | conn p99 | acked ok | ack p50 | ack p99 | every p50 | every p95 "
              "| every p99 | unseen | stored | votes/s | burst s | CPU % | runq % | RSS MB | disc | tallies "
              "| load CPU % |")
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for r in rows:
        print(f"| {r['n']:5d} | {r['connected']:9d} | {r['connect_wall']:9.1f} | {r['connect_p99'] * 1000:8.0f} "
              f"| {r['ok']:8d} | {r['ack_p50'] * 1000:7.0f} | {r['ack_p99'] * 1000:7.0f} "
              f"| {r['every_p50'] * 1000:9.0f} | {r['every_p95'] * 1000:9.0f} | {r['every_p99'] * 1000:9.0f} "
              f"| {r['unseen']:6d} | {r['stored']:6d} | {r['votes_per_s']:7.0f} | {r['burst']:7.2f} "
              f"| {r['cpu']:5.0f} | {r['runq']:6.0f} | {r['rss']:6.0f} | {r['disconnects']:4d} "
              f"| {r['tallies_per_phone']:7.1f} "
              f"| {r['load_cpu']:10.0f} |")
        print(f"  N={r['n']}: load average before the run {r['loadavg']:.1f} (2 vCPU); burst from "
              f"{time.strftime('%H:%M:%S', time.localtime(r['first_send']))}")
        if r["failures"]:
            print(f"  N={r['n']}: {len(r['failures'])} failed connects, e.g. {r['failures'][0]}")
    if setup == "sqlite":
        for size, target in TARGETS.items():
            print(f"Target at {size:,} phones: {target}")


def main() -> None:
    args = parse_args()
    raise_open_files()
    for setup in args.setups:
        workdir = Path(tempfile.mkdtemp(prefix=f"live-bench-{setup}-"))
        server = Server(setup, workdir)
        rows = []
        try:
            server.prepare_database()
            for size in args.sizes:
                rows.append(run_once(server, size, args.processes, profile=args.profile))
        finally:
            server.stop()
            if setup == "postgres":
                recreate_postgres(create=False)
        print_table(setup, args.processes, rows)
        if args.keep_logs or args.profile:
            print(f"Server logs: {workdir}")


if __name__ == "__main__":
    main()
