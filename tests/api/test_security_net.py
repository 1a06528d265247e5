"""Issue 17, items 2, 3 and 7: reference changes that race, bodies that block the server, geometry that costs
days. Real sockets against the real binary; every test here failed before its fix.

- 2: two concurrent conflicting region imports: exactly one is written, the other is refused naming the cycle;
  a store made inconsistent by hand still starts, says what is wrong, refuses reference changes, and is
  repaired by `civicgrid check --repair` or by POST /api/v1/regions/import/undo.
- 3: anonymous sockets announcing 64 MiB imports, or hundreds of chunked logins, no longer stop an honest
  intake or login; an admin can still import a large body; bodies are budgeted per client address; a body
  that sends little is cut off early.
- 7: a reference change after a 20,000-point grid is stored does not check that grid again.
"""
import json
import os
import socket
import sqlite3
import subprocess
import threading
import time
import unittest

from harness import BIN, LAT0, LON0, IN_GRID_1, Server, feature, square
from test_bad_actors import connect, raise_own_nofile, read_response

HONEST_PASSWORD = "Honest-Password-123"


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def post_on_own_connection(port, path, body, token):
    """One POST on a fresh connection (so that concurrent calls really are concurrent): (status, body)."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body=json.dumps(body, ensure_ascii=False).encode(),
                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = conn.getresponse()
        text = r.read().decode()
        return r.status, (json.loads(text) if text else None)
    finally:
        conn.close()


def timed(fn):
    t0 = time.monotonic()
    result = fn()
    return result, time.monotonic() - t0


def zigzag_ring(n, x0, y0, width=0.01, step=1e-6):
    """A simple ring of n positions whose every tooth spans the whole width (the worst case of a longitude
    sweep)."""
    ring = [[x0 + (width if k % 2 else 0), y0 + k * step] for k in range(n - 4)]
    top = y0 + (n - 5) * step
    ring += [[x0 + 2 * width, top], [x0 + 2 * width, y0 - step], [x0, y0 - step], ring[0]]
    return ring


# ---------------------------------------------------------------------------------------------- item 2


class ConcurrentImports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def test_conflicting_imports_at_the_same_moment_one_wins_the_other_names_the_cycle(self):
        # Each round: two fresh towns A and B under the county; then at the same moment {A, parent B} and
        # {B, parent A}. Each alone is fine; together they would be a cycle.
        for round_ in range(6):
            a, b = f"3209237{round_}1", f"3209237{round_}2"
            status, body, _ = self.s.post("/api/v1/regions/import", collection(
                feature(a, f"甲镇{round_}", "town", "320923"), feature(b, f"乙镇{round_}", "town", "320923")))
            self.assertEqual(status, 200, body)
            barrier = threading.Barrier(2)
            results = [None, None]

            def run(i, code, parent, name):
                barrier.wait()
                results[i] = post_on_own_connection(self.s.port, "/api/v1/regions/import",
                                                    collection(feature(code, name, "town", parent)), self.s.token)

            threads = [threading.Thread(target=run, args=(0, a, b, f"甲镇{round_}")),
                       threading.Thread(target=run, args=(1, b, a, f"乙镇{round_}"))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            statuses = sorted(r[0] for r in results)
            self.assertEqual(statuses, [200, 422], f"round {round_}: {results}")
            refused = next(r[1] for r in results if r[0] == 422)
            self.assertIn("cycle", refused["detail"])
            self.assertIn(a, refused["detail"])
            self.assertIn(b, refused["detail"])
            # The store stays consistent: reference changes go on, and a restart is not needed.
            status, body, _ = self.s.post("/api/v1/categories", {"code": f"06001{round_}9", "parent": "06001",
                                                                  "name_zh": "测试", "accept_hours": 2,
                                                                  "resolve_days": 5})
            self.assertEqual(status, 201, body)
        self.assertEqual(self.s.run([BIN, "check", "--data", self.s.data], check=False).count("cases ok"), 1)
        _, body, _ = self.s.get("/readyz")
        self.assertNotIn("fault", body)


def make_inconsistent(s):
    """Two towns imported properly (a batch), then a second import written by hand as if it had slipped past
    the check: Y's parent becomes X, whose parent is Y. Returns (x, y)."""
    x, y = "320923801", "320923802"
    path = os.path.join(s.dir, "xy.geojson")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(collection(feature(y, "乙镇", "town", "320923"), feature(x, "甲镇", "town", y)), f,
                  ensure_ascii=False)
    s.run([BIN, "import", "regions", "--data", s.data, path])
    db = sqlite3.connect(os.path.join(s.data, "civicgrid.db"))
    with db:
        cur = db.execute("INSERT INTO reference_import_batches(kind,at,actor,rows) "
                         "VALUES('regions','2024-05-01T08:00:00Z','admin',1)")
        batch = cur.lastrowid
        db.execute("INSERT INTO reference_import_previous(batch,code,existed,name,kind,parent,geometry) "
                   "SELECT ?, code, 1, name, kind, parent, geometry FROM regions WHERE code=?", (batch, y))
        db.execute("UPDATE regions SET parent=? WHERE code=?", (x, y))
        db.execute("UPDATE settings SET value=CAST(value AS INTEGER)+1 WHERE key='reference_version'")
    db.close()
    return x, y


class InconsistentStore(unittest.TestCase):
    def setUp(self):
        self.s = Server()
        self.x, self.y = make_inconsistent(self.s)

    def tearDown(self):
        self.s.close()

    def assert_says_what_is_wrong(self, text):
        self.assertIn("cycle", text)
        self.assertIn(self.x, text)
        self.assertIn(self.y, text)

    def test_still_starts_says_what_is_wrong_and_check_repair_restores_it(self):
        # The CLI opens it: a token is issued, check names the fault (and fails) without changing anything.
        token = subprocess.run([BIN, "token", "--data", self.s.data, "--user", "admin"], capture_output=True,
                               text=True, timeout=60)
        self.assertEqual(token.returncode, 0, token.stderr)
        check = subprocess.run([BIN, "check", "--data", self.s.data], capture_output=True, text=True, timeout=60)
        self.assertEqual(check.returncode, 1, check.stderr)
        self.assert_says_what_is_wrong(check.stderr)
        self.assertIn("--repair", check.stderr)
        # The server starts, serves cases on the sound part of the tree, and says what is wrong.
        self.s.start()
        self.assertEqual(self.s.intake()["grid"]["code"], "320923001001001")
        status, body, _ = self.s.get("/readyz", token=None)
        self.assertEqual(status, 200)
        self.assertEqual(body["reference"], "read-only")
        self.assert_says_what_is_wrong(body["fault"])
        _, metrics, _ = self.s.get("/metrics", token=None)
        self.assertIn("civicgrid_reference_consistent 0", metrics)
        with open(self.s.log_path, encoding="utf-8") as f:
            self.assert_says_what_is_wrong(f.read())
        # Reference changes are refused, naming the problem.
        for path, body in [("/api/v1/categories", {"code": "0600199", "parent": "06001", "name_zh": "测试",
                                                  "accept_hours": 2, "resolve_days": 5}),
                           ("/api/v1/regions/import", collection(feature("320923803", "丙镇", "town", "320923")))]:
            status, answer, _ = self.s.post(path, body)
            self.assertEqual(status, 409, (path, answer))
            self.assert_says_what_is_wrong(answer["detail"])
        self.s.stop()
        # check --repair undoes the last import (the hand-written one) and the store is whole again.
        repair = subprocess.run([BIN, "check", "--repair", "--data", self.s.data], capture_output=True, text=True,
                                timeout=60)
        self.assertEqual(repair.returncode, 0, repair.stderr)
        self.assertIn("undid region import", repair.stdout)
        self.assertIn("reference data consistent", repair.stdout)
        check = subprocess.run([BIN, "check", "--data", self.s.data], capture_output=True, text=True, timeout=60)
        self.assertEqual(check.returncode, 0, check.stderr)
        self.s.start()
        self.assertEqual(self.s.get(f"/api/v1/regions/{self.y}")[1]["parent"], "320923")
        self.assertEqual(self.s.get(f"/api/v1/regions/{self.x}")[1]["parent"], self.y)
        _, body, _ = self.s.get("/readyz", token=None)
        self.assertNotIn("fault", body)
        status, body, _ = self.s.post("/api/v1/categories", {"code": "0600199", "parent": "06001",
                                                              "name_zh": "测试", "accept_hours": 2, "resolve_days": 5})
        self.assertEqual(status, 201, body)

    def test_the_admin_route_undoes_the_last_import_on_a_running_server(self):
        self.s.start()
        status, body, _ = self.s.post("/api/v1/regions/import/undo", {}, token=self.s.add_user(
            "someone", "leader", "320923")[0])
        self.assertEqual(status, 403, body)
        status, body, _ = self.s.post("/api/v1/regions/import/undo", {})
        self.assertEqual(status, 200, body)
        self.assertTrue(body["consistent"], body)
        self.assertEqual(body["undone"]["actor"], "admin")
        self.assertEqual(self.s.get(f"/api/v1/regions/{self.y}")[1]["parent"], "320923")
        _, metrics, _ = self.s.get("/metrics", token=None)
        self.assertIn("civicgrid_reference_consistent 1", metrics)
        # Undo again: the proper import of X and Y goes too (X and Y were new: they are deleted).
        status, body, _ = self.s.post("/api/v1/regions/import/undo", {})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.s.get(f"/api/v1/regions/{self.x}")[0], 404)
        self.assertEqual(self.s.get(f"/api/v1/regions/{self.y}")[0], 404)
        # The harness's own imports (CLI) are batches too; after them there is nothing left to undo.
        for _ in range(3):
            status, body, _ = self.s.post("/api/v1/regions/import/undo", {})
            if status == 404:
                break
        self.assertEqual(status, 404, body)


# ---------------------------------------------------------------------------------------------- item 3


def honest_login(s):
    return s.post("/api/v1/login", {"login": "honest", "password": HONEST_PASSWORD}, token=None)


class BodyBudget(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise_own_nofile(4096)
        cls.s = Server()
        cls.s.add_user("honest", "leader", "320923", password=HONEST_PASSWORD)
        cls.s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def assert_honest_requests_answered(self, title, description):
        """An honest intake and an honest login, each answered within a second."""
        (status, case, _), took = timed(lambda: self.s.post("/api/v1/cases", {
            "channel": "12345", "category": "06001", "title": title, "description": description,
            "location": {"lat": IN_GRID_1[0], "lon": IN_GRID_1[1]}}))
        self.assertEqual(status, 201, case)
        self.assertLess(took, 1.0)
        (status, body, _), took = timed(lambda: honest_login(self.s))
        self.assertEqual(status, 200, body)
        self.assertLess(took, 1.0)

    def test_four_anonymous_64_mib_imports_are_refused_at_once_and_block_nothing(self):
        header = (b"POST /api/v1/regions/import HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 67108864\r\n\r\n")
        socks = []
        for _ in range(4):
            sock = connect(self.s.port)
            sock.sendall(header)
            socks.append(sock)
        try:
            for sock in socks:
                t0 = time.monotonic()
                status, _, body = read_response(sock, timeout=5)
                self.assertEqual(status, 401, body)
                self.assertLess(time.monotonic() - t0, 1.0)
            # A non-admin's token does not buy a large body either.
            leader_token, _ = self.s.add_user("leader1", "leader", "320923")
            sock = connect(self.s.port)
            sock.sendall(header.replace(b"Host: x\r\n", b"Host: x\r\nAuthorization: Bearer " +
                                        leader_token.encode() + b"\r\n"))
            self.assertEqual(read_response(sock, timeout=5)[0], 403)
            sock.close()
            # Honest requests meanwhile: answered promptly.
            self.assert_honest_requests_answered("路面破损", "路面破损有积水")
        finally:
            for sock in socks:
                sock.close()

    def test_260_chunked_logins_sending_nothing_block_nothing(self):
        header = (b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        socks = []
        try:
            for _ in range(260):
                sock = connect(self.s.port)
                sock.sendall(header)
                socks.append(sock)
            time.sleep(0.5)  # their headers are read
            self.assert_honest_requests_answered("井盖缺失", "井盖缺失很危险")
        finally:
            for sock in socks:
                sock.close()

    def test_an_admin_still_imports_a_large_body(self):
        # One grid of 100,000 positions (the per-ring limit), about 4 MiB of JSON: over max_body (1 MiB).
        x0, y0 = LON0 + 0.5, LAT0
        ring = zigzag_ring(100000, x0, y0)
        data = collection(feature("320923001001077", "大网格", "grid", "320923001001", [ring]))
        raw = json.dumps(data).encode()
        self.assertGreater(len(raw), 2 << 20)
        (status, body, _), took = timed(lambda: self.s.request("POST", "/api/v1/regions/import", raw=raw))
        self.assertEqual(status, 200, body)
        print(f"\n  a 100,000-position grid ({len(raw) >> 20} MiB) imported in {took:.2f} s")
        status, body, _ = self.s.get(f"/api/v1/locate?lat={y0 + 0.02}&lon={x0 + 0.015}")
        self.assertEqual(status, 200, body)
        # One position more than a ring may have is refused, naming the limit.
        too_many = collection(feature("320923001001078", "太大网格", "grid", "320923001001",
                                      [zigzag_ring(100001, x0 + 0.1, y0)]))
        status, body, _ = self.s.post("/api/v1/regions/import", too_many)
        self.assertEqual(status, 422, body)
        self.assertIn("at most 100000 positions", body["detail"])


class SlowAndGreedyClients(unittest.TestCase):
    """Small budgets by flag, so that a few sockets fill them: 8 MiB in all, 4 MiB per client address
    (X-Forwarded-For from 127.0.0.1, a trusted proxy, names the client); a body is cut off after 2 s when
    it has sent under 16 KiB."""
    SLOW = 2

    @classmethod
    def setUpClass(cls):
        cls.s = Server()
        cls.s.add_user("honest", "leader", "320923", password=HONEST_PASSWORD)
        cls.s.start("--max-body-memory", "8", "--max-body-memory-per-client", "4", "--trusted-proxy", "127.0.0.1",
                    "--slow-body-timeout", str(cls.SLOW), "--login-rate", "0")

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def announce(self, n, client):
        header = (b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: " + client.encode() +
                  b"\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n")
        socks = []
        for _ in range(n):
            sock = connect(self.s.port)
            sock.sendall(header)
            socks.append(sock)
        time.sleep(0.3)
        return socks

    def login_as(self, client):
        return self.s.post("/api/v1/login", {"login": "honest", "password": HONEST_PASSWORD}, token=None,
                           headers={"X-Forwarded-For": client})

    def test_one_address_cannot_take_the_whole_budget(self):
        socks = self.announce(4, "10.0.0.1")  # 4 MiB: all this address may hold
        try:
            sock = connect(self.s.port)
            sock.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.0.0.1\r\n"
                         b"Content-Length: 1048576\r\n\r\n")
            status, headers, body = read_response(sock, timeout=5)
            sock.close()
            self.assertEqual(status, 503, body)
            self.assertIn("retry-after", headers)
            (status, body, _), took = timed(lambda: self.login_as("10.0.0.2"))
            self.assertEqual(status, 200, body)
            self.assertLess(took, 1.0)
        finally:
            for sock in socks:
                sock.close()

    def test_bodies_that_send_little_are_cut_off_early(self):
        socks = self.announce(4, "10.0.0.3") + self.announce(4, "10.0.0.4")  # the whole 8 MiB
        try:
            status, body, _ = self.login_as("10.0.0.5")
            self.assertEqual(status, 503, body)
            # Within the slow-body time (not the 60 s body timeout) they are cut off and their share is back.
            t0 = time.monotonic()
            while time.monotonic() - t0 < self.SLOW + 3:
                status, body, _ = self.login_as("10.0.0.5")
                if status == 200:
                    break
                time.sleep(0.25)
            self.assertEqual(status, 200, body)
            self.assertLess(time.monotonic() - t0, self.SLOW + 2)
        finally:
            for sock in socks:
                sock.close()


# ---------------------------------------------------------------------------------------------- item 7


class LargeGeometry(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def test_a_reference_change_after_a_large_grid_does_not_check_it_again(self):
        x0, y0 = LON0 + 0.3, LAT0
        grid = collection(feature("320923001001066", "锯齿网格", "grid", "320923001001", [zigzag_ring(20000, x0, y0)]))
        (status, body, _), took_import = timed(lambda: self.s.post("/api/v1/regions/import", grid))
        self.assertEqual(status, 200, body)
        (status, body, _), took = timed(lambda: self.s.post("/api/v1/categories", {
            "code": "0600166", "parent": "06001", "name_zh": "测试类别", "accept_hours": 2, "resolve_days": 5}))
        self.assertEqual(status, 201, body)
        print(f"\n  20,000-point zigzag grid imported in {took_import:.2f} s; a category added after it in "
              f"{took * 1000:.0f} ms")
        self.assertLess(took_import, 1.0)
        self.assertLess(took, 0.5)

    def test_a_hole_outside_its_outer_ring_is_refused(self):
        x0, y0 = LON0 + 0.6, LAT0
        outside = collection(feature("320923001001067", "洞外网格", "grid", "320923001001",
                                     [square(x0, y0, x0 + 0.01, y0 + 0.01),
                                      square(x0 + 0.02, y0, x0 + 0.03, y0 + 0.01)]))
        status, body, _ = self.s.post("/api/v1/regions/import", outside)
        self.assertEqual(status, 422, body)
        self.assertIn("hole 1 lies outside the outer ring", body["detail"])
        self.assertEqual(self.s.get("/api/v1/regions/320923001001067")[0], 404)


if __name__ == "__main__":
    unittest.main()
