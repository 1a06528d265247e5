#!/usr/bin/env python3
"""The long crash run of issue 6: under load, kill -9 the server at random moments, restart, and check.

Writers (one keep-alive connection each) take cases in and move them through their lifecycle (dispatch,
accept, resolve, review, rating, close) and merge pairs of cases (one command that writes two cases). Each
acknowledged answer (2xx) is remembered: the case's version it reported. At a random moment the server is
killed with SIGKILL; writers see their connection fail. After a restart every acknowledged case must be there
with at least the acknowledged version, its events numbered 1..version with nothing missing, every merge
whole (the source is merged if and only if the target holds its joined event), and `civicgrid check` must
find every row equal to its folded events. A command whose answer was lost may or may not have landed, but
never half of it.

    python3 bench/crash_run.py --rounds 30            # prints one JSON line
Environment: CIVICGRID_BIN (the server binary). Used by run_bench.py (section `crash`).
"""
import argparse
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "api"))
import harness  # noqa: E402  (the API tests' harness: the real binary on a temporary store)
from harness import BIN, Server  # noqa: E402

STEPS = [("dispatch", {"org": "320923-cgj"}), ("accept", {}), ("resolve", {"note": "已处理"}),
         ("review", {"approve": True}), ("rating", {"rating": "satisfied", "solved": True}), ("close", {})]


class Ledger:
    """What the server acknowledged: case id → highest version it reported; merges as (source, target)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.version = {}
        self.merges = []
        self.commands = 0
        self.errors = []  # answers a writer did not expect (anything but 2xx, or 409/422 to a merge)

    def ack(self, case):
        with self.lock:
            self.commands += 1
            cid = case["id"]
            self.version[cid] = max(self.version.get(cid, 0), case["version"])


def client_of(server):
    c = Server.__new__(Server)  # another connection to the same server
    c.port, c.token, c._conn = server.port, server.token, None
    return c


def writer(server, ledger, stop, name, rng):
    c = client_of(server)
    n = 0
    try:
        while not stop.is_set():
            n += 1
            status, case, _ = c.post("/api/v1/cases", {
                "channel": "12345", "external_id": f"{name}-{n}", "category": "06001", "title": "路面破损",
                "description": "人民路路面破损，有积水", "location": {"lat": harness.IN_GRID_1[0], "lon": harness.IN_GRID_1[1]},
                # A phone of its own per case: a merge joins the source's reporter to the target only when it
                # is a new reporter there (joins are idempotent per phone), and the check below needs the join.
                "reporter": {"name": "张三", "phone": f"139{rng.randrange(10**8):08d}"}})
            if status not in (200, 201):
                raise AssertionError(f"intake answered {status}: {case}")
            ledger.ack(case)
            cid = case["id"]
            if rng.random() < 0.2 and n > 1:
                # Merge this case into the writer's previous one when that is still open.
                status, reply, _ = c.post(f"/api/v1/cases/{cid}/merge", {"into": prev})
                if status == 200:
                    ledger.ack(reply)
                    with ledger.lock:
                        ledger.merges.append((cid, prev))
                elif status != 409 and status != 422:
                    raise AssertionError(f"merge answered {status}: {reply}")
                continue
            for action, body in STEPS[:rng.randint(0, len(STEPS))]:
                status, reply, _ = c.post(f"/api/v1/cases/{cid}/{action}", body)
                if status != 200:
                    raise AssertionError(f"{action} answered {status}: {reply}")
                ledger.ack(reply)
            prev = cid
    except (OSError, ConnectionError):
        return  # the server was killed under us: whatever was not acknowledged may or may not be there
    except AssertionError as e:
        with ledger.lock:
            ledger.errors.append(f"{name}: {e}")


def verify(server, ledger):
    c = client_of(server)
    problems = []
    with ledger.lock:
        acknowledged = dict(ledger.version)
        merges = list(ledger.merges)
    for cid, version in acknowledged.items():
        status, case, _ = c.get(f"/api/v1/cases/{cid}")
        if status != 200:
            problems.append(f"case {cid}: acknowledged at version {version}, now {status}")
            continue
        if case["version"] < version:
            problems.append(f"case {cid}: acknowledged version {version}, found {case['version']}")
        status, events, _ = c.get(f"/api/v1/cases/{cid}/events")
        seqs = [e["seq"] for e in events["items"]]
        if seqs != list(range(1, case["version"] + 1)):
            problems.append(f"case {cid}: events {seqs[:5]}… do not number 1..{case['version']}")
    # Every merge the server stored is whole, acknowledged or not: check the pairs the writers tried too.
    for source, target in merges:
        _, s, _ = c.get(f"/api/v1/cases/{source}")
        _, ev, _ = c.get(f"/api/v1/cases/{target}/events")
        joined = any(e["type"] == "joined" and e["payload"].get("from_case") == source for e in ev["items"])
        if (s["status"] == "merged") != joined:
            problems.append(f"merge {source} → {target}: source {s['status']}, target joined: {joined}")
    out = server.run([BIN, "check", "--data", server.data], check=False)
    if " ok" not in out:
        problems.append("civicgrid check: " + out.strip()[-300:])
    return problems, len(acknowledged)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--min-seconds", type=float, default=0.3)
    ap.add_argument("--max-seconds", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    server = Server()
    ledger = Ledger()
    started = time.monotonic()
    problems = []
    try:
        for round_ in range(args.rounds):
            server.start("--intake-rate", "0")  # the writers are one caller: no per-caller intake limit
            stop = threading.Event()
            threads = [threading.Thread(target=writer, args=(server, ledger, stop, f"r{round_}w{i}",
                                                              random.Random(rng.random())))
                       for i in range(args.writers)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(args.min_seconds, args.max_seconds))
            server.stop(kill=True)  # SIGKILL, mid-write
            stop.set()
            for t in threads:
                t.join(60)
            server.start()
            found, cases = verify(server, ledger)
            server.stop()
            with ledger.lock:
                found += ledger.errors
                ledger.errors.clear()
            problems += [f"round {round_ + 1}: {p}" for p in found]
            if problems:
                break
        result = {"rounds": round_ + 1, "seed": seed, "acknowledged_cases": cases,
                  "acknowledged_commands": ledger.commands, "merges": len(ledger.merges),
                  "problems": problems[:20], "seconds": round(time.monotonic() - started, 1)}
    finally:
        server.close()
    print(json.dumps(result, ensure_ascii=False))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
