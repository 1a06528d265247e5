#!/usr/bin/env python3
"""`make bench`: measures civicgrid beside the limit each figure is held against, in one run, and prints one
table (also written as JSON to bench/results/latest.json). See bench/README.md.

Environment:
  BENCH_QUICK=1        100,000 preloaded cases and shorter runs (default: 1,000,000 cases)
  BENCH_CASES=N        preloaded cases (overrides the mode's default)
  BENCH_RUNS=3         runs per figure; the table shows the median
  BENCH_SECONDS=20     measured seconds per intake run (quick: 10), after 3 s of warm-up
  BENCH_CONNS=64       keep-alive connections of the load generator
  BENCH_DIAG=1         also run the diagnostics (open loop at 70% of peak,
                       raw SQLite one row a transaction); 0 skips them
  BENCH_TMP=DIR        where the temporary stores go (default bench/build/tmp: the same disk as the work tree,
                       since fsync cost is what intake measures; /tmp may be a tmpfs)
  BENCH_KEEP=1         keep the temporary stores
  BENCH_STORE=DIR      reuse a store preloaded before (DIR/data, DIR/points.txt, DIR/preload.json) instead of
                       preloading; intake adds cases to it
  BENCH_ONLY=a,b       only these sections: startup, intake, search, cockpit, locate, crash
  BENCH_CRASH_ROUNDS=N kill -9 rounds of the crash run (default 30, quick 10)
  BENCH_PERF=1         profile the server with perf during the first HTTP run (bench/results/perf-intake-*.txt)
"""
import datetime
import http.client
import re
import urllib.parse
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# In every external_id the load generator sends: a store reused from an earlier run (BENCH_STORE) must not answer
# the same ids as replays (200, no write).
RUN_ID = time.strftime("%Y%m%d%H%M%S")
ROOT = os.path.dirname(HERE)
BIN = os.environ.get("CIVICGRID_BIN", os.path.join(ROOT, "build", "civicgrid"))
TOOLS = os.environ.get("BENCH_TOOLS", os.path.join(HERE, "build"))
QUICK = os.environ.get("BENCH_QUICK", "0") not in ("", "0")
CASES = int(os.environ.get("BENCH_CASES", "100000" if QUICK else "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10" if QUICK else "20"))
CONNS = int(os.environ.get("BENCH_CONNS", "64"))
# Which cockpit levels get the GROUP BY beside them (a county's at 10 M reads most of a 40 GiB store at random).
SQL_LEVELS = set(os.environ.get("BENCH_SQL_LEVELS", "county,town,grid").split(","))
DIAG = os.environ.get("BENCH_DIAG", "1") not in ("", "0")
KEEP = os.environ.get("BENCH_KEEP", "0") not in ("", "0")
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))
PASSWORD = "Bench-admin-2026!"  # meets the password policy (three character classes)
PGBIN = "/usr/lib/postgresql/15/bin"

rows = []      # the table
details = {}   # everything measured, for the JSON
failures = []


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(args, timeout=900, input=None, env=None):
    p = subprocess.run(args, input=input, capture_output=True, text=True, timeout=timeout, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args[:3]))} failed ({p.returncode}): {p.stderr[-2000:]}")
    return p.stdout


def run_json(args, timeout=900):
    out = run(args, timeout=timeout)
    return json.loads(out.strip().splitlines()[-1])


def median(values):
    return statistics.median(values) if values else None


def row(figure, value, beside="", ratio="", target="", met=None, note=""):
    rows.append({"figure": figure, "civicgrid": value, "beside": beside, "ratio": ratio, "target": target,
                 "met": met, "note": note})


def fmt_rate(x):
    if x is None:
        return "—"
    if x >= 1e6:
        return f"{x / 1e6:.2f} M/s"
    if x >= 1e4:
        return f"{x / 1e3:.1f} k/s"
    return f"{x:,.0f}/s"


def machine():
    info = {"nproc": os.cpu_count(), "kernel": platform.release()}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    try:
        info["os"] = open("/etc/debian_version").read().strip()
    except OSError:
        pass
    info["sqlite"] = sqlite3.sqlite_version
    try:
        rev = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).strip()
        dirty = run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", "src", "CMakeLists.txt"]).strip()
        info["civicgrid"] = rev + ("+local changes" if dirty else "")
    except Exception:
        pass
    return info


def busy_cores(seconds=2.0):
    """Cores kept busy by everything on the machine over a short interval (before a section starts: other
    people's builds and tests make every figure here worse, so the table says how quiet the machine was)."""
    def read():
        with open("/proc/stat") as f:
            v = [float(x) for x in f.readline().split()[1:]]
        return sum(v) - v[3] - v[4], sum(v)
    b0, t0 = read()
    time.sleep(seconds)
    b1, t1 = read()
    return round((b1 - b0) / (t1 - t0) * (os.cpu_count() or 1), 2) if t1 > t0 else 0.0


def quiet_check(section):
    load = busy_cores()
    details.setdefault("background_cores", {})[section] = load
    if load > 0.3:
        log(f"warning: before {section}, other processes kept {load} cores busy; figures will be low")
    return load


def fs_of(path):
    try:
        return " ".join(run(["findmnt", "-no", "FSTYPE,SOURCE", "-T", path]).split())
    except Exception:
        try:
            return run(["stat", "-f", "-c", "%T", path]).strip()
        except Exception:
            return "?"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                out[k] = int(v.split()[0])
    return out


_serve_options = None


def serve_options():
    """The load generator is one caller with one token, so a per-caller intake limit (`--intake-rate`, where the
    binary has one) is lifted: the bench measures what the intake path can carry, not the limit."""
    global _serve_options
    if _serve_options is None:
        help_text = subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
        _serve_options = ["--intake-rate", "0"] if "--intake-rate" in help_text else []
        details["serve_options"] = _serve_options
    return _serve_options


class Server:
    """`civicgrid serve` on a store; stdout gives the port, stderr goes to a file (never a full pipe)."""

    def __init__(self, data, workers=None):
        self.data = data
        args = [BIN, "serve", "--data", data, "--listen", "127.0.0.1:0"] + serve_options()
        if workers:
            args += ["--workers", str(workers)]
        self.log_path = os.path.join(os.path.dirname(data), "serve.log")
        self.log = open(self.log_path, "a")
        self.log_offset = self.log.tell()
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        self.startup = time.monotonic() - self.t0
        if "listening on" not in line:
            self.proc.kill()
            raise RuntimeError("server did not start: " + line)
        self.port = int(line.rsplit(":", 1)[1])
        # Ready means answering: the first request, timed too.
        t = time.monotonic()
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request("GET", "/healthz")
        r = c.getresponse()
        r.read()
        c.close()
        self.first_request = time.monotonic() - t
        self.ready = time.monotonic() - self.t0
        if r.status != 200:
            raise RuntimeError(f"/healthz answered {r.status}")

    def log_text(self):
        """What this server wrote to its log so far."""
        with open(self.log_path, errors="replace") as f:
            f.seek(self.log_offset)
            return f.read()

    def command_centre(self):
        """The server's own account of its start: "command centre: N cases (H being handled, A with alerts
        pending) loaded in X ms" (src/cli/app.cc)."""
        m = re.search(r"command centre: (\d+) cases \((\d+) being handled, (\d+) with alerts pending\) loaded in (\d+) ms",
                      self.log_text())
        if not m:
            return None
        return {"cases": int(m[1]), "handling": int(m[2]), "alerts_pending": int(m[3]), "loaded_ms": int(m[4])}

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()


def max_case_id(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute("SELECT COALESCE(MAX(id),0) FROM cases").fetchone()[0]
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------------------
def reuse_store(where):
    """BENCH_STORE=DIR: a store preloaded before (DIR/data, DIR/points.txt, DIR/preload.json, as `preload` writes
    them), so the read-only sections can be re-run without a new preload. Intake adds cases to it."""
    data, points = os.path.join(where, "data"), os.path.join(where, "points.txt")
    with open(os.path.join(where, "preload.json")) as f:
        pre = json.loads(f.read().strip().splitlines()[-1])
    db = os.path.join(data, "civicgrid.db")
    pre["db_bytes"] = os.path.getsize(db)
    pre["reused"] = where
    details["preload"] = pre
    log(f"reusing the store preloaded in {where}: {pre['store_cases']:,} cases, {pre['db_bytes'] / 2**20:,.0f} MiB")
    return data, db, points, pre["categories"]


def prepare_store(tmp):
    if os.environ.get("BENCH_STORE"):
        return reuse_store(os.environ["BENCH_STORE"])
    data = os.path.join(tmp, "store", "data")
    os.makedirs(os.path.dirname(data), exist_ok=True)
    quiet_check("preload")
    t = time.monotonic()
    run([BIN, "init", "--data", data, "--demo", "--demo-cases", "0", "--admin-password-stdin"], input=PASSWORD + "\n")
    init_s = time.monotonic() - t
    points = os.path.join(tmp, "points.txt")
    log(f"preloading {CASES:,} cases (civicgrid's own intake and store, non-durable bulk mode)")
    pre = run_json([os.path.join(TOOLS, "preload"), "--data", data, "--cases", str(CASES), "--points-out", points],
                   timeout=3600 + CASES // 200)
    db = os.path.join(data, "civicgrid.db")
    # Fold the result into one file, as a server would find it after a restart.
    con = sqlite3.connect(db, timeout=60)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    os.sync()
    pre["init_seconds"] = init_s
    pre["db_bytes"] = os.path.getsize(db)
    details["preload"] = pre
    log(f"preloaded {pre['store_cases']:,} cases in {pre['seconds']:.0f} s ({pre['rate']:,.0f} cases/s, "
        f"{pre.get('commands_per_s', 0):,.0f} commands/s; {pre.get('open', 0):,} left open, "
        f"{pre.get('step_errors', 0)} lifecycle errors), {pre['db_bytes'] / 2**20:,.0f} MiB")
    return data, db, points, pre["categories"]


def bench_startup(data):
    starts, readies, rss, hwm, centre = [], [], [], [], []
    for _ in range(RUNS):
        s = Server(data)
        try:
            time.sleep(0.2)
            m = rss_kib(s.proc.pid)
            starts.append(s.startup)
            readies.append(s.ready)
            rss.append(m["VmRSS"])
            hwm.append(m["VmHWM"])
            c = s.command_centre()
            if c:
                centre.append(c)
        finally:
            s.stop()
    d = {"startup_s": starts, "ready_s": readies, "rss_kib": rss, "hwm_kib": hwm, "command_centre": centre}
    details["startup"] = d
    cases = details.get("preload", {}).get("store_cases", CASES)
    listening, ready = median(starts), median(readies)
    row(f"start-up with {cases:,} cases (warm page cache)", f"{listening * 1e3:.0f} ms", "", "",
        "≤ 10 s at 10 M", listening <= 10 if cases >= 10_000_000 else None,
        f"exec → \"listening\" on stdout; first /healthz answered at {ready * 1e3:.0f} ms" +
        ("" if cases >= 10_000_000 else "; the target is for 10 M cases"))
    if centre:
        loaded = median([c["loaded_ms"] for c in centre])
        last = centre[-1]
        row("  of which the command centre rebuilt from digests (server log)", f"{loaded:.0f} ms", "", "", "", None,
            f"\"command centre: {last['cases']:,} cases ({last['handling']:,} being handled, "
            f"{last['alerts_pending']:,} with alerts pending) loaded in … ms\"")
    else:
        row("  of which the command centre rebuilt from digests (server log)", "—", "", "", "", None,
            "no \"command centre: … loaded in X ms\" line in serve.log")
    row(f"resident memory after start, {cases:,} cases", f"{median(rss) / 1024:.0f} MiB", "", "", "", None,
        f"VmRSS 200 ms after the first answer; peak (VmHWM) {median(hwm) / 1024:.0f} MiB")


def scrape_metrics(port):
    """The server's /metrics as {series: value}; {} when it has none (an older binary)."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode()
        c.close()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def histogram_quantile(before, after, name, q, labels=""):
    """The upper bound (ms) of the bucket holding quantile q of what was observed between two scrapes: coarse
    (buckets 0.5, 1, 2, 5, 10, 20, 50 … ms), but the server's own view of where time went."""
    prefix = f"{name}_bucket{{{labels + ',' if labels else ''}le="
    rows = []
    for k, v in after.items():
        if k.startswith(prefix):
            le = k[len(prefix) + 1:-2]
            rows.append((float("inf") if le == "+Inf" else float(le), v - before.get(k, 0)))
    rows.sort()
    if not rows or rows[-1][1] <= 0:
        return None
    for le, cum in rows:
        if cum >= q * rows[-1][1]:
            return le * 1e3
    return None


def loadgen(port, token, pid, points, categories, tag, seconds=None, rate=0, warmup=3):
    args = [os.path.join(TOOLS, "loadgen"), "--port", str(port), "--token", token, "--points", points,
            "--categories", categories, "--conns", str(CONNS), "--seconds", str(seconds or SECONDS),
            "--warmup", str(warmup), "--tag", f"{tag}-{RUN_ID}", "--server-pid", str(pid)]
    if rate:
        args += ["--rate", str(rate)]
    before = scrape_metrics(port)
    result = run_json(args, timeout=int((seconds or SECONDS) + warmup + 120))
    after = scrape_metrics(port)
    # Warm-up included: the server cannot tell the windows apart.
    for key, name, labels in (("server_request", "civicgrid_http_request_seconds", 'kind="intake"'),
                              ("server_write_wait", "civicgrid_store_write_wait_seconds", ""),
                              ("server_commit", "civicgrid_store_commit_seconds", "")):
        for q, suffix in ((0.5, "p50"), (0.99, "p99"), (0.999, "p999")):
            result[f"{key}_{suffix}_le_ms"] = histogram_quantile(before, after, name, q, labels)
    n = after.get("civicgrid_store_commit_seconds_count", 0) - before.get("civicgrid_store_commit_seconds_count", 0)
    w = after.get("civicgrid_store_writes_total", 0) - before.get("civicgrid_store_writes_total", 0)
    result["server_writes_per_commit"] = w / n if n else None
    return result


def fmt_le(h, key):
    """'≤ 5 / ≤ 50 ms' from the p50/p99 bucket bounds loadgen() read off /metrics."""
    a, b = h.get(f"{key}_p50_le_ms"), h.get(f"{key}_p99_le_ms")
    if a is None or b is None:
        return "n/a"
    f = lambda v: "> 10 s" if v == float("inf") else f"≤ {v:g}"
    return f"{f(a)} / {f(b)} ms"


def start_perf(pid, seconds, name):
    """With BENCH_PERF=1 and perf installed: samples the server (call graphs) while a run goes on."""
    if os.environ.get("BENCH_PERF", "0") in ("", "0") or not shutil.which("perf"):
        return None
    out = os.path.join(HERE, "results", f"perf-{name}.data")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    p = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p", str(pid), "-o", out, "--", "sleep",
                          str(seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p, out, name


def finish_perf(prof):
    p, out, name = prof
    p.wait(timeout=120)
    for sort, suffix in (("comm,dso", "threads"), ("sym", "symbols")):
        text = subprocess.run(["perf", "report", "-i", out, "--no-children", "--sort", sort, "--stdio", "-g", "none",
                               "--percent-limit", "0.5"], capture_output=True, text=True, timeout=300).stdout
        with open(os.path.join(HERE, "results", f"perf-{name}-{suffix}.txt"), "w") as f:
            f.write(text)
    log(f"perf profile: bench/results/perf-{name}-*.txt")


def settle():
    """Between runs: flush what the previous run left dirty in the page cache, so its writeback does not compete
    with the next run's fsyncs (the raw and the HTTP runs alternate on one disk)."""
    os.sync()
    time.sleep(1)


def drift_note(check):
    """The raw store's schema is copied from the server's sqlite_master by `raw_sqlite fill`: equal by construction;
    `raw_sqlite check` names anything that differs (a missing, extra or different table, index, trigger, pragma)."""
    if check.get("same"):
        return f"; raw schema = server's ({check.get('objects', 0)} objects compared)"
    parts = []
    for key, what in (("only_in_server", "only in server"), ("only_in_raw", "only in raw"), ("differ", "differ")):
        if check.get(key):
            parts.append(f"{what}: " + ", ".join(check[key]))
    return "; raw schema differs from server's: " + "; ".join(parts)


def bench_intake(tmp, data, db, points, categories):
    token = run([BIN, "token", "--data", data, "--user", "admin"]).strip()
    raw_db = os.path.join(tmp, "raw", "raw.db")
    os.makedirs(os.path.dirname(raw_db), exist_ok=True)
    log("raw SQLite: copying the server store's schema and its preloaded cases, events and full-text index")
    fill = run_json([os.path.join(TOOLS, "raw_sqlite"), "fill", "--db", raw_db, "--source", db], timeout=3600)
    details["raw_fill"] = fill
    check = run_json([os.path.join(TOOLS, "raw_sqlite"), "check", "--db", raw_db, "--source", db])
    details["raw_schema_check"] = check
    if not check["same"]:
        log(f"note: the raw store's schema differs from the server's: {check}")
    os.sync()  # the bulk copy's writeback is not part of any figure
    log(f"raw store holds {fill['cases']:,} cases ({fill['seconds']:.0f} s)")

    def raw_run(batch=100, seconds=None):
        return run_json([os.path.join(TOOLS, "raw_sqlite"), "run", "--db", raw_db, "--source", db,
                         "--templates-after", str(preloaded_max), "--batch", str(batch),
                         "--seconds", str(seconds or min(SECONDS, 10))])

    preloaded_max = max_case_id(db)
    quiet_check("intake")
    server = Server(data)
    http_runs, raw_runs = [], []
    try:
        log("intake: warm-up (its cases are the raw side's template rows)")
        details["intake_warmup"] = loadgen(server.port, token, server.proc.pid, points, categories, "warm", seconds=5,
                                           warmup=1)
        for i in range(RUNS):
            settle()
            r = raw_run()
            raw_runs.append(r)
            log(f"raw SQLite run {i + 1}: {r['rate']:,.0f} cases/s ({r['events_per_case_mean']:.2f} events, "
                f"{r['idempotency_per_case_mean']:.2f} idempotency keys and one full-text row each)")
            settle()
            prof = start_perf(server.proc.pid, SECONDS + 3, "intake") if i == 0 else None
            h = loadgen(server.port, token, server.proc.pid, points, categories, f"r{i}")
            if prof:
                finish_perf(prof)
            http_runs.append(h)
            log(f"HTTP run {i + 1}: {h['rate']:,.0f}/s p50 {h['p50_ms']:.1f} p99 {h['p99_ms']:.1f} ms, "
                f"server {h['server_cpu_cores']:.2f} cores, loadgen {h['client_cpu_cores']:.2f} cores, "
                f"statuses {h['statuses']}")
        details["server_rss_after_load_kib"] = rss_kib(server.proc.pid)
    finally:
        server.stop()
    details["intake_http"] = http_runs
    details["intake_raw"] = raw_runs
    http_rate = median([h["rate"] for h in http_runs])
    raw_rate = median([r["rate"] for r in raw_runs])
    ratio = http_rate / raw_rate if raw_rate else 0
    p = lambda k: median([h[k] for h in http_runs])
    bad = sum(sum(v for k, v in h["statuses"].items() if not k.startswith("2")) for h in http_runs)
    replays = sum(h["statuses"].get("200", 0) for h in http_runs)  # an intake answered from an earlier one
    if replays:
        failures.append(f"intake: {replays} answers were replays (200), not new cases")
    cases_then = fill["cases"]
    row(f"intake over HTTP, {CONNS} keep-alive conns, durable, store of {cases_then:,}",
        fmt_rate(http_rate), f"raw SQLite 100/txn FULL: {fmt_rate(raw_rate)}", f"{ratio:.1%}", "≥ 50%",
        ratio >= 0.5 and not replays, f"non-2xx answers: {bad}, replays: {replays}" + drift_note(check))
    row("  intake latency p50 / p99 / p99.9 at peak", f"{p('p50_ms'):.1f} / {p('p99_ms'):.1f} / {p('p999_ms'):.1f} ms",
        "", "", "", None, f"slowest second {median([h['per_second_min'] for h in http_runs]):,.0f}/s")
    mid = sorted(http_runs, key=lambda h: h["rate"])[len(http_runs) // 2]  # the median run's own figures
    wpc = mid.get("server_writes_per_commit")
    row("    server's view (/metrics, p50 / p99): handler; write wait; group commit",
        f"{fmt_le(mid, 'server_request')}; {fmt_le(mid, 'server_write_wait')}; {fmt_le(mid, 'server_commit')}",
        "", "", "", None, f"{wpc:.1f} writes per group commit" if wpc else "")
    other = p('machine_busy_cores') - p('server_cpu_cores') - p('client_cpu_cores')
    row("  CPU at peak: server / load generator / rest of machine",
        f"{p('server_cpu_cores'):.2f} / {p('client_cpu_cores'):.2f} / {other:.2f} cores", "", "", "",
        None, f"per intake: server {p('server_cpu_us_per_request'):.0f} µs, loadgen {p('client_cpu_us_per_request'):.0f} µs "
              f"CPU; rest = kernel I/O threads and other processes")

    if not DIAG:
        return
    # Diagnostics: what bounds the figure above.
    server = Server(data)
    try:
        rate = round(0.7 * http_rate)
        settle()
        log(f"intake: open loop at 70% of peak ({rate}/s)")
        o = loadgen(server.port, token, server.proc.pid, points, categories, "open70", rate=rate)
        details["intake_open70"] = o
        row("  open loop at 70% of peak: p50 / p99 / p99.9", f"{o['p50_ms']:.1f} / {o['p99_ms']:.1f} / {o['p999_ms']:.1f} ms",
            f"offered {rate:,}/s, done {fmt_rate(o['rate'])}", "", "p99 ≤ 20 ms", o["p99_ms"] <= 20,
            "latency from each request's due time")
        wpc = o.get("server_writes_per_commit")
        row("    server's view (/metrics, p50 / p99): handler; write wait; group commit",
            f"{fmt_le(o, 'server_request')}; {fmt_le(o, 'server_write_wait')}; {fmt_le(o, 'server_commit')}",
            "", "", "", None, f"{wpc:.1f} writes per group commit" if wpc else "")
    finally:
        server.stop()
    settle()
    r1 = raw_run(batch=1, seconds=5)
    details["raw_one_per_txn"] = r1
    row("  raw SQLite, one row a transaction (no group commit)", fmt_rate(r1["rate"]), "", "", "", None,
        f"txn p50 {r1['txn_p50_ms']:.2f} ms")


# ---------------------------------------------------------------------------------------------------------
# Search and cockpit: read-only figures over the preloaded store, one request at a time.
TZ8 = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai: the cockpit's local days
SEARCH_TERMS = [  # (kind, term): what people type into the case search; matches per term are measured
    ("2 chars", "噪声"), ("2 chars", "路灯"), ("2 chars", "停车"), ("2 chars", "异常"), ("2 chars", "电梯"),
    ("2 chars", "漏水"), ("2 chars", "井盖"), ("2 chars", "油烟"), ("2 chars", "扬尘"), ("2 chars", "马蜂"),
    ("longer", "噪声扰民"), ("longer", "垃圾未清运"), ("longer", "路面坑洼"), ("longer", "消防通道堵塞"),
    ("longer", "人民路"), ("longer", "供水井盖异常"), ("longer", "交通信号灯故障"), ("longer", "化粪池冒顶"),
    ("longer", "高空抛物"), ("longer", "飞机跑道维修"),
    ("two words", "路灯 不亮"), ("two words", "夜间 噪声"), ("two words", "小区 电梯故障"),
    ("English", "KTV"), ("English", "ATM"), ("English", "wifi"), ("English", "LED"), ("English", "app"),
    ("English", "pothole"),
]
SEARCH_MIN_SAMPLES = 1000  # p99.9 is printed from this many answers on


def store_places(db):
    """The busiest county of the store, its busiest town and that town's busiest grid (by cases), with names."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        leaves = con.execute("SELECT region_path, count(*) FROM cases GROUP BY region_path").fetchall()
        names = dict(con.execute("SELECT code, name FROM regions"))
        estates = [r[0] for r in con.execute("SELECT name FROM regions WHERE kind='estate' ORDER BY code")]
    finally:
        con.close()
    counts = {}
    for path, n in leaves:
        segs = [x for x in path.split("/") if x]
        for depth in range(1, len(segs) + 1):
            key = "/" + "/".join(segs[:depth]) + "/"
            counts[key] = counts.get(key, 0) + n

    def place(path):
        code = path.rstrip("/").rsplit("/", 1)[1]
        return {"path": path, "code": code, "name": names.get(code, code), "cases": counts[path]}
    county = place(max((n, p) for p, n in counts.items() if p.count("/") == 2)[1])
    town = place(max((n, p) for p, n in counts.items() if p.count("/") == 3 and p.startswith(county["path"]))[1])
    grid = place(max((n, p) for p, n in leaves if p.startswith(town["path"]) and p != town["path"])[1])
    total = sum(n for _, n in leaves)
    return {"county": county, "town": town, "grid": grid, "estates": estates, "cases": total}


_places = {}


def places(db):
    if db not in _places:
        _places[db] = store_places(db)
    return _places[db]


def town_token(data, town):
    login = "benchtown"
    try:
        run([BIN, "user", "add", "--data", data, "--login", login, "--role", "town_staff", "--scope", town["code"],
             "--password-stdin"], input="Bench-town-2026!\n")
    except RuntimeError as e:
        if "exist" not in str(e):
            raise
    return run([BIN, "token", "--data", data, "--user", login]).strip()


def get_json(port, token, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        c.request("GET", path, headers={"Authorization": "Bearer " + token})
        r = c.getresponse()
        body = r.read()
        return r.status, (json.loads(body) if body else None)
    finally:
        c.close()


def httpq(port, token, pid, lines, name, rounds, max_seconds, warmup_rounds=1):
    path = os.path.join(HERE, "build", f"httpq-{name}.txt")
    with open(path, "w") as f:
        for label, p in lines:
            f.write(f"{label}\t{p}\n")
    return run_json([os.path.join(TOOLS, "httpq"), "--port", str(port), "--token", token, "--paths", path,
                     "--rounds", str(rounds), "--warmup-rounds", str(warmup_rounds), "--conns", "1",
                     "--max-seconds", str(max_seconds), "--server-pid", str(pid)],
                    timeout=int(max_seconds + 600))


def spread(values):
    """min / median / max of a list of match counts."""
    v = sorted(values)
    return f"{v[0]:,}–{median(v):,.0f}–{v[-1]:,}" if v else "—"


def bench_search(data, db):
    pl = places(db)
    town = pl["town"]
    terms = list(SEARCH_TERMS) + [("place", town["name"])] + [("place", e) for e in pl["estates"][:2]]
    labels = [f"{kind}: {term}" for kind, term in terms]
    token_admin = run([BIN, "token", "--data", data, "--user", "admin"]).strip()
    token_town = town_token(data, town)
    terms_file = os.path.join(HERE, "build", "search-terms.txt")
    with open(terms_file, "w") as f:
        for label, (_, term) in zip(labels, terms):
            f.write(f"{label}\t{term}\n")
    quiet_check("search")
    log(f"search: matches per term and SQLite alone on the same statements ({len(terms)} terms, town {town['name']})")
    sql = run_json([os.path.join(TOOLS, "sql_reference"), "search", "--db", db, "--terms", terms_file,
                    "--region-path", town["path"], "--runs", "1" if CASES >= 1_000_000 else "3"], timeout=3600)
    rounds = -(-SEARCH_MIN_SAMPLES // len(terms))
    max_seconds = 150 if QUICK else 240
    out = {"terms": dict(zip(labels, [t for _, t in terms])), "town": town, "cases": pl["cases"], "sql": sql}
    server = Server(data)
    try:
        for who, token, key in (("admin", token_admin, "all"), ("town", token_town, "region")):
            lines = [(label, "/api/v1/cases?" + urllib.parse.urlencode({"q": term})) for label, (_, term) in zip(labels, terms)]
            returned, bad = {}, {}
            for label, p in lines:  # one answer each, checked: status and the page size
                status, body = get_json(server.port, token, p)
                if status != 200:
                    bad[label] = status
                returned[label] = len(body.get("items", [])) if isinstance(body, dict) else 0
            log(f"search as {who}: {rounds} rounds of {len(lines)} queries, one connection")
            r = httpq(server.port, token, server.proc.pid, lines, f"search-{who}", rounds, max_seconds)
            r["returned"] = returned
            r["non_200"] = bad
            r["matches"] = {label: sql["terms"][label][key] for label in labels}
            out[who] = r
            slow = max(r["labels"].items(), key=lambda kv: kv[1]["p50_ms"])
            log(f"search as {who}: n {r['n']}, p50 {r['p50_ms']:.1f} p99 {r['p99_ms']:.1f} max {r['max_ms']:.1f} ms; "
                f"slowest term {slow[0]} p50 {slow[1]['p50_ms']:.1f} ms ({r['matches'][slow[0]]:,} matches)")
    finally:
        server.stop()
    details["search"] = out
    row(f"search, Chinese full text, store of {pl['cases']:,} cases", "", "", "", "", None,
        f"{len(terms)} terms (2-character, longer, two words, English, place names), each once a round in shuffled "
        f"order, one connection, one query at a time; default page (50)")
    for who, figure in (("admin", "  as admin (sees all): p50 / p99 / p99.9"),
                        ("town", f"  as town staff of {town['name']} ({town['cases'] / pl['cases']:.1%} of cases): p50 / p99 / p99.9")):
        r = out[who]
        matches = [m for m in r["matches"].values() if m >= 0]
        slow = max(r["labels"].items(), key=lambda kv: kv[1]["p50_ms"])
        sql_key = "ranked_ms" if who == "admin" else "ranked_region_ms"
        sql_slow = max(sql["terms"].items(), key=lambda kv: kv[1].get(sql_key, 0))
        p999 = f"{r['p999_ms']:.1f}" if r["n"] >= SEARCH_MIN_SAMPLES else f"(max {r['max_ms']:.1f})"
        row(figure, f"{r['p50_ms']:.1f} / {r['p99_ms']:.1f} / {p999} ms",
            f"SQLite alone, slowest term: {sql_slow[1].get(sql_key, 0):.0f} ms", "", "p99 ≤ 50 ms", r["p99_ms"] <= 50,
            f"{r['n']:,} queries; matches per term min–median–max {spread(matches)} "
            f"({max(matches) / max(pl['cases'], 1):.1%} of the store at most); slowest: \"{slow[0]}\" p50 "
            f"{slow[1]['p50_ms']:.0f} ms for {r['matches'][slow[0]]:,} matches" +
            (f"; non-200: {r['non_200']}" if r["non_200"] else ""))


def summary_diffs(j, ref):
    """Where the server's summary differs from the GROUP BY's numbers (empty: identical)."""
    diffs = []
    if j["counts"] != ref["counts"]:
        diffs.append("counts")
    for k in ("open", "overdue", "yellow"):
        if j[k] != ref["now"][k]:
            diffs.append(k)
    if {x["channel"]: x["count"] for x in j["by_channel"]} != ref["by_channel"]:
        diffs.append("by_channel")
    if {x["category"]: x["count"] for x in j["by_category"]} != ref["by_class"]:
        diffs.append("by_category")
    if {x["date"]: x["count"] for x in j["by_day"]} != ref["by_day"]:
        diffs.append("by_day")
    listed = lambda v: v["counts"]["intake"] or v["open"] or v["overdue"]
    mine = {x["code"]: (x["counts"], x["open"], x["overdue"]) for x in j["rankings"]["children"]}
    theirs = {k: (v["counts"], v["open"], v["overdue"]) for k, v in ref["children"].items() if listed(v)}
    if mine != theirs:
        diffs.append("children")
    for d in j["rankings"]["departments"]:
        v = ref["orgs"].get(d["code"])
        if not v or (d["counts"], d["open"], d["overdue"]) != (v["counts"], v["open"], v["overdue"]):
            diffs.append("departments")
            break
    return diffs


def bench_cockpit(data, db):
    pl = places(db)
    token = run([BIN, "token", "--data", data, "--user", "admin"]).strip()
    today = datetime.datetime.now(TZ8).replace(hour=0, minute=0, second=0, microsecond=0)
    end = today + datetime.timedelta(days=1)
    periods = [("last 30 days", end - datetime.timedelta(days=30), end),
               ("last 365 days", end - datetime.timedelta(days=365), end)]
    combos = [(level, pl[level], pname, t0, t1) for level in ("county", "town", "grid") for pname, t0, t1 in periods]
    path_of = lambda reg, t0, t1: "/api/v1/cockpit/summary?" + urllib.parse.urlencode(
        {"region": reg["code"], "from": t0.isoformat(), "to": t1.isoformat()})
    lines = [(f"{level} {pname}", path_of(reg, t0, t1)) for level, reg, pname, t0, t1 in combos]
    rounds = 300
    quiet_check("cockpit")
    server = Server(data)
    results = {}
    try:
        log(f"cockpit: {rounds} rounds of {len(lines)} summaries (county, town, grid × 30 / 365 days), one connection")
        h = httpq(server.port, token, server.proc.pid, lines, "cockpit", rounds, 300, warmup_rounds=5)
        details["cockpit_http"] = h
        for (level, reg, pname, t0, t1), (label, p) in zip(combos, lines):
            if level not in SQL_LEVELS:
                results[label] = {"region": reg, "period": [t0.isoformat(), t1.isoformat()],
                                  "http": h["labels"][label], "sql_seconds": None, "diffs": []}
                continue
            log(f"cockpit: plain SQL GROUP BY for {level} {reg['code']}, {pname}")
            status, summary = get_json(server.port, token, p)  # just before the SQL: what to compare it with
            ref = run_json([os.path.join(TOOLS, "sql_reference"), "cockpit", "--db", db, "--path", reg["path"],
                            "--from", str(int(t0.timestamp() * 1000)), "--to", str(int(t1.timestamp() * 1000)),
                            "--runs", str(RUNS)], timeout=3600)
            diffs = summary_diffs(summary, ref) if status == 200 else [f"HTTP {status}"]
            results[label] = {"region": reg, "period": [t0.isoformat(), t1.isoformat()], "http": h["labels"][label],
                              "sql_seconds": ref["seconds"], "sql_seconds_by_query": ref["seconds_by_query"],
                              "sql_plans": ref["plans"], "period_cases": ref["counts"]["intake"], "diffs": diffs}
            if diffs:
                results[label]["summary"] = summary
                results[label]["sql"] = ref
                log(f"cockpit: the summary differs from SQL in {diffs}")
    finally:
        server.stop()
    details["cockpit"] = results
    store = pl["cases"]
    row(f"cockpit summary over a store of {store:,} cases", "", "", "",
        "", None, f"GET /api/v1/cockpit/summary as admin, {rounds} calls each, one connection; beside it the same "
                  f"numbers by plain GROUP BY queries in SQLite on the same store (bench/sql_reference.cc)")
    for level, reg, pname, t0, t1 in combos:
        r = results[f"{level} {pname}"]
        p50, p99 = r["http"]["p50_ms"], r["http"]["p99_ms"]
        if r["sql_seconds"] is None:
            row(f"  {level} {reg['name']} ({reg['cases']:,} cases), {pname}: p50 / p99", f"{p50:.2f} / {p99:.2f} ms",
                "SQL GROUP BY: not run", "", "≤ 10 ms, ≥ 100×", None, "BENCH_SQL_LEVELS leaves this level out")
            continue
        sql_ms = r["sql_seconds"] * 1e3
        ratio = sql_ms / p50 if p50 else 0
        row(f"  {level} {reg['name']} ({reg['cases']:,} cases), {pname}: p50 / p99", f"{p50:.2f} / {p99:.2f} ms",
            f"SQL GROUP BY: {sql_ms:,.0f} ms", f"{ratio:,.0f}×", "≤ 10 ms, ≥ 100×", p99 <= 10 and ratio >= 100,
            f"{r['period_cases']:,} cases in the period; numbers " +
            ("= SQL's" if not r["diffs"] else "differ from SQL's in " + ", ".join(r["diffs"])))


# ---------------------------------------------------------------------------------------------------------
class Postgres:
    """A throwaway PostgreSQL 15 cluster with PostGIS in a temp dir: unix socket only, pinned to the last core."""

    def __init__(self, cpu):
        self.dir = tempfile.mkdtemp(prefix="civicgrid-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.as_pg = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        try:
            run(self.as_pg + [f"{PGBIN}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                              "--locale=C", "--no-sync"], timeout=300)
            opts = (f"-p {self.port} -k {self.dir} -c listen_addresses='' -c shared_buffers=256MB -c fsync=off "
                    f"-c max_parallel_workers_per_gather=0 -c jit=off")
            run(["taskset", "-c", str(cpu)] + self.as_pg +
                [f"{PGBIN}/pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w", "-t", "120", "-o", opts,
                 "start"], timeout=180)
        except Exception:
            self.stop()
            raise
        self.conninfo = f"host={self.dir} port={self.port} dbname=postgres user=postgres"

    def stop(self):
        try:
            if os.path.exists(os.path.join(self.data, "postmaster.pid")):
                run(self.as_pg + [f"{PGBIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"], timeout=120)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def bench_locate():
    ncpu = os.cpu_count() or 1
    quiet_check("locate")
    pg = Postgres(cpu=ncpu - 1)
    try:
        log("point → grid: GridIndex and PostGIS (ST_Subdivide, GiST, ST_Covers)")
        points = 300000 if QUICK else 1000000
        r = run_json(["taskset", "-c", "0", os.path.join(TOOLS, "locate_bench"), "--grids", "10000", "--points",
                      str(points), "--runs", str(RUNS), "--pg", pg.conninfo, "--pg-seconds", "3" if QUICK else "5",
                      "--pg-bulk-points", "100000" if QUICK else "200000"], timeout=1800)
    finally:
        pg.stop()
    details["locate"] = r
    gi = r["gridindex_per_core"]
    pt_core = r["postgis_point_per_backend_core"]
    bulk = r["postgis_bulk_per_backend_core"]
    mism = r["gridindex_bruteforce_mismatches"] + r["postgis_point_mismatches"] + r["postgis_bulk_mismatches"]
    shape = f"{r['grids']:,} grids of {r['vertices_min']}–{r['vertices_max']} vertices"
    row(f"point → grid per core, {shape}", fmt_rate(gi), f"PostGIS per point: {fmt_rate(pt_core)}", f"{gi / pt_core:,.0f}×",
        "≥ 100×, ≥ 2 M/s", gi / pt_core >= 100 and gi >= 2e6,
        f"PostGIS per backend core; over one connection {fmt_rate(r['postgis_point_per_s'])}, "
        f"{r['postgis_point_ms']:.3f} ms/point")
    row("  beside PostGIS bulk join (one query, all points)", fmt_rate(gi), f"PostGIS bulk: {fmt_rate(bulk)}",
        f"{gi / bulk:,.0f}×", "", None,
        f"answers compared (brute force, PostGIS): {mism} differ")


# ---------------------------------------------------------------------------------------------------------
def bench_crash():
    """kill -9 under load, many times (bench/crash_run.py), and disk full (the API test, on a capped store)."""
    quiet_check("crash")
    rounds = int(os.environ.get("BENCH_CRASH_ROUNDS", "10" if QUICK else "30"))
    log(f"crash run: {rounds} rounds of load, kill -9 at a random moment, restart, check")
    p = subprocess.run([sys.executable, os.path.join(HERE, "crash_run.py"), "--rounds", str(rounds)],
                       capture_output=True, text=True, timeout=3600, env=dict(os.environ, CIVICGRID_BIN=BIN))
    r = json.loads(p.stdout.strip().splitlines()[-1]) if p.stdout.strip() else {"problems": [p.stderr[-300:]]}
    details["crash"] = r
    ok = p.returncode == 0 and not r.get("problems")
    if not ok:
        failures.append("crash run: " + "; ".join(r.get("problems", []))[:300])
    row(f"crash safety: kill -9 under load, {r.get('rounds', 0)} rounds (8 writers: intake, lifecycle, merges)",
        f"{len(r.get('problems', []))} problems", f"{r.get('acknowledged_commands', 0):,} acknowledged commands", "",
        "nothing acknowledged lost, no half command", ok,
        f"{r.get('acknowledged_cases', 0):,} cases, {r.get('merges', 0)} merges, seed {r.get('seed')}, "
        f"{r.get('seconds', 0):.0f} s; each round: every acknowledged version and event, merges whole, civicgrid check")
    log("disk full: tests/api/test_disk_full.py")
    p = subprocess.run([sys.executable, "-m", "unittest", "-q", "test_disk_full"], capture_output=True, text=True,
                       timeout=900, cwd=os.path.join(HERE, "..", "tests", "api"), env=dict(os.environ, CIVICGRID_BIN=BIN))
    ok = p.returncode == 0
    if not ok:
        failures.append("disk full: " + p.stderr[-300:])
    row("disk full (store on a size-capped file system)", "503, nothing lost" if ok else "FAILED", "", "",
        "503, nothing acknowledged lost", ok, "tests/api/test_disk_full.py (also in make test)")


def todo_rows():
    cases = details.get("preload", {}).get("store_cases", CASES)
    if cases < 10_000_000 and (want("cockpit") or want("startup")):
        row("cockpit, start-up and memory with 10 M cases", "see README", "", "", "as above", None,
            f"measured above at {cases:,} cases; a 10 M store comes from `replicate` (bench/README.md, "
            f"\"10 M cases\"), run with BENCH_STORE")


def print_table(info):
    head = ["figure", "civicgrid", "beside it", "ratio", "target", "met", "note"]
    body = []
    for r in rows:
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        body.append([r["figure"], r["civicgrid"], r["beside"], r["ratio"], r["target"], met, r["note"]])
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    print()
    print(f"civicgrid bench, {info['date']}, {'quick' if QUICK else 'full'} mode, medians of {RUNS} runs")
    print(f"machine: {info['cpu']}, {info['nproc']} cores, {info['memory_gib']} GiB, Debian {info.get('os', '?')}, "
          f"kernel {info['kernel']}, store on {info['store_fs']}, SQLite {info['sqlite']}, "
          f"civicgrid {info.get('civicgrid', '?')}")
    bg = details.get("background_cores", {})
    if bg:
        print("background load before each section (cores busy with other work): " +
              ", ".join(f"{k} {v}" for k, v in bg.items()) + ("  <- not quiet: figures are low" if max(bg.values()) > 0.3 else ""))
    print(line(head))
    print(line(["-" * w for w in widths]))
    for b in body:
        print(line(b))
    print()


SECTIONS = ("startup", "search", "cockpit", "intake", "locate", "crash")


def want(section):
    return not ONLY or section in ONLY


def run_section(name, label, fn, *args):
    """Runs one section if wanted; a failure becomes an ERROR row and fails the run, and the rest go on."""
    if not want(name):
        return
    try:
        fn(*args)
    except Exception as e:
        failures.append(f"{name}: {e}")
        row(label, "ERROR", note=str(e)[:200])


def main():
    unknown = ONLY - set(SECTIONS)
    if unknown:
        sys.exit(f"BENCH_ONLY: unknown section(s) {', '.join(sorted(unknown))}; known: {', '.join(SECTIONS)}")
    for tool in ("preload", "loadgen", "raw_sqlite", "locate_bench", "httpq", "sql_reference"):
        if not os.access(os.path.join(TOOLS, tool), os.X_OK):
            sys.exit(f"missing {TOOLS}/{tool}: build with `make bench`")
    base = os.environ.get("BENCH_TMP", os.path.join(HERE, "build", "tmp"))
    os.makedirs(base, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="run-", dir=base)
    info = machine()
    info["date"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    info["store_fs"] = fs_of(tmp)
    info["mode"] = "quick" if QUICK else "full"
    info["cases"] = CASES
    info["runs"] = RUNS
    info["conns"] = CONNS
    info["seconds"] = SECONDS
    t0 = time.monotonic()
    try:
        store = None
        if want("intake") or want("startup") or want("search") or want("cockpit"):
            try:
                store = prepare_store(tmp)
            except Exception as e:
                failures.append(f"preload: {e}")
                row("preloaded store", "ERROR", note=str(e)[:200])
        if store:
            data, db, points, categories = store
            run_section("startup", "start-up", bench_startup, data)
            # Read-only figures first: intake adds cases (and leaves the store larger than the preload).
            run_section("search", "search", bench_search, data, db)
            run_section("cockpit", "cockpit summary", bench_cockpit, data, db)
            run_section("intake", "intake", bench_intake, tmp, data, db, points, categories)
        run_section("locate", "point → grid", bench_locate)
        run_section("crash", "crash safety", bench_crash)
        todo_rows()
    finally:
        if not KEEP:
            shutil.rmtree(tmp, ignore_errors=True)
    info["total_seconds"] = round(time.monotonic() - t0)
    print_table(info)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    result = {"machine": info, "table": rows, "details": details, "failures": failures}
    with open(os.path.join(HERE, "results", "latest.json"), "w") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    shutil.copy(os.path.join(HERE, "results", "latest.json"), os.path.join(HERE, "results", f"{stamp}.json"))
    print(f"written: bench/results/latest.json ({info['total_seconds']} s)")
    if failures:
        for f in failures:
            print("FAILED:", f, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
