"""The live stream over a real WebSocket: /api/v1/stream?token=… sends one JSON message per case event, only
to callers who may see the case; bad tokens are refused; a client that never reads cannot hold the server up.
"""
import json
import signal
import time
import unittest

from harness import LAT0, LON0, Server
from wsclient import Closed, HandshakeRefused, WebSocket

IN_GUANGMING = {"lat": LAT0 + 0.025, "lon": LON0 + 0.005}  # 光明社区第1网格 (320923001002), outside its hole
XIANGYANG, GUANGMING = "320923001001", "320923001002"


class Stream(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.s = Server()
        cls.tokens = {"admin": s.token}
        for login, role, scope in [("dispatcher", "dispatcher", "320923"),
                                   ("guangming", "community_staff", GUANGMING)]:
            cls.tokens[login], _ = s.add_user(login, role, scope)
        s.start()
        cls.sockets = []

    @classmethod
    def tearDownClass(cls):
        for ws in cls.sockets:
            try:
                ws.close()
            except OSError:
                pass
        cls.s.close()

    def connect(self, region=None, token=None, who="admin", headers=None, rcvbuf=None):
        token = self.tokens[who] if token is None else token
        params = ([f"token={token}"] if token else []) + ([f"region={region}"] if region else [])
        target = "/api/v1/stream" + ("?" + "&".join(params) if params else "")
        ws = WebSocket(self.s.port, target, headers=headers, rcvbuf=rcvbuf)
        self.sockets.append(ws)
        return ws

    @staticmethod
    def events_of(messages, case_id):
        out = [json.loads(m) for m in messages]
        return [m for m in out if m["type"] == "case_event" and m["case"]["id"] == case_id]

    def wait_for_case(self, ws, case_id, seconds):
        """Messages until one about `case_id` arrives (returns them all), or None after `seconds`."""
        deadline = time.monotonic() + seconds
        seen = []
        while time.monotonic() < deadline:
            m = ws.recv(deadline - time.monotonic())
            if m is None:
                break
            seen.append(m)
            if self.events_of([m], case_id):
                return seen
        return None

    def test_the_cockpit_figures_follow_live(self):
        ws = self.connect(who="dispatcher")
        self.s.intake()
        deadline = time.monotonic() + 3.0
        aggregates = []
        while time.monotonic() < deadline and not aggregates:
            m = ws.recv(deadline - time.monotonic())
            if m is None:
                break
            msg = json.loads(m)
            if msg["type"] == "aggregates":
                aggregates.append(msg)
        self.assertTrue(aggregates, "no aggregates message within 3 s of a change")
        a = aggregates[0]
        self.assertEqual(a["region"], "320923", "the dispatcher's own county")
        self.assertGreaterEqual(a["intake_today"], 1)
        self.assertGreaterEqual(a["open"], 1)
        self.assertEqual(set(a["rates_30_days"]), {"response", "resolution", "satisfaction"})
        # The figures equal the summary endpoint's for the same region.
        status, summary, _ = self.s.get("/api/v1/cockpit/summary?region=320923", token=self.tokens["dispatcher"])
        self.assertEqual(status, 200, summary)
        self.assertEqual(a["open"], summary["open"])

    def test_an_intake_reaches_the_stream_within_a_second(self):
        admin, dispatcher = self.connect(), self.connect(who="dispatcher")
        start = time.monotonic()
        case = self.s.intake(reporter={"name": "王小明", "phone": "13812345678"})
        got = self.wait_for_case(admin, case["id"], 1.0)
        elapsed = time.monotonic() - start
        self.assertIsNotNone(got, "no case_event within 1 s")
        self.assertLess(elapsed, 1.0)
        event = self.events_of(got, case["id"])[0]
        self.assertEqual(set(event), {"type", "case", "event"})
        self.assertEqual(event["case"]["number"], case["number"])
        self.assertEqual(set(event["case"]), {"id", "number", "status", "org", "category", "grid", "level", "version"})
        self.assertEqual(event["case"]["category"], "06001")
        self.assertEqual(event["case"]["grid"], "320923001001001")
        self.assertIn(event["case"]["level"], ("community", "town", "joint"))
        self.assertEqual(event["event"]["seq"], 1)
        self.assertEqual(event["event"]["type"], "received")
        self.assertEqual(event["event"]["actor"], "admin")
        self.assertTrue(event["event"]["at"].endswith("+08:00"), event)
        for raw in got:  # no reporter data, not even masked
            self.assertNotIn("王", raw)
            self.assertNotIn("5678", raw)
        self.assertIsNotNone(self.wait_for_case(dispatcher, case["id"], 1.0), "the dispatcher saw nothing")

        # A later action on the case arrives too, with the next seq.
        status, _, _ = self.s.post(f"/api/v1/cases/{case['id']}/dispatch", {"org": XIANGYANG})
        self.assertEqual(status, 200)
        got = self.wait_for_case(admin, case["id"], 1.0)
        self.assertIsNotNone(got)
        event = self.events_of(got, case["id"])[-1]
        self.assertEqual(event["event"]["type"], "dispatched")
        self.assertEqual(event["case"]["org"], XIANGYANG)
        self.assertEqual(event["case"]["status"], "dispatched")
        self.assertEqual(event["case"]["version"], event["event"]["seq"])

    def test_a_caller_gets_only_cases_they_may_see(self):
        guangming = self.connect(who="guangming")
        narrowed = self.connect(region=GUANGMING)  # the admin, narrowed to one community
        hidden = self.s.intake()  # 向阳社区: not guangming's
        visible = self.s.intake(location=IN_GUANGMING)
        for ws in (guangming, narrowed):
            got = ws.recv_all(1.5)
            self.assertEqual(self.events_of(got, hidden["id"]), [], got)
            self.assertTrue(self.events_of(got, visible["id"]), got)

    def test_bad_tokens_and_filters_are_refused(self):
        for token in ("cg_wrong", ""):
            with self.assertRaises(HandshakeRefused) as refused:
                self.connect(token=token)
            self.assertEqual(refused.exception.status, 401)
            self.assertTrue(refused.exception.headers["content-type"].startswith("application/problem+json"))
            self.assertEqual(json.loads(refused.exception.body)["status"], 401)
        with self.assertRaises(HandshakeRefused) as refused:
            self.connect(region="999999")
        self.assertEqual(refused.exception.status, 422)
        with self.assertRaises(HandshakeRefused) as refused:
            WebSocket(self.s.port, "/api/v1/elsewhere?token=" + self.s.token)
        self.assertEqual(refused.exception.status, 404)
        # The header works as well as the query parameter.
        ws = self.connect(token="", headers={"Authorization": "Bearer " + self.tokens["dispatcher"]})
        case = self.s.intake()
        self.assertIsNotNone(self.wait_for_case(ws, case["id"], 1.0))
        # A plain GET (no upgrade) is not a stream.
        status, _, _ = self.s.get("/api/v1/stream")
        self.assertIn(status, (404, 405))

    def test_a_client_that_never_reads_does_not_hold_up_the_server(self):
        # A tiny receive window, and never a read: the server's writes to it stall at once.
        self.connect(rcvbuf=4096)
        reader = self.connect(who="dispatcher")
        slowest = 0.0
        last = None
        for _ in range(120):
            start = time.monotonic()
            last = self.s.intake()
            slowest = max(slowest, time.monotonic() - start)
        self.assertLess(slowest, 1.0)
        start = time.monotonic()
        status, _, _ = self.s.get("/healthz", token=None)
        self.assertEqual(status, 200)
        status, _, _ = self.s.get(f"/api/v1/cases/{last['id']}")
        self.assertEqual(status, 200)
        self.assertLess(time.monotonic() - start, 0.5)
        # A reading client still gets everything, in order.
        self.assertIsNotNone(self.wait_for_case(reader, last["id"], 5.0), "the reading client missed the last intake")


def wait_until_catching_sigterm(pid, seconds=5.0):
    """Until the process handles SIGTERM (Linux: SigCgt in /proc). `serve` prints "listening" just before it
    installs its handler, and a SIGTERM in between would kill it outright (no close frames)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/status") as f:
            caught = next(int(line.split()[1], 16) for line in f if line.startswith("SigCgt:"))
        if caught & (1 << (signal.SIGTERM - 1)):
            return
        time.sleep(0.01)
    raise AssertionError("the server never installed its SIGTERM handler")


class StreamShutdown(unittest.TestCase):
    def test_the_server_exits_promptly_with_streams_open(self):
        s = Server().start()
        try:
            wait_until_catching_sigterm(s.proc.pid)
            ws = WebSocket(s.port, "/api/v1/stream?token=" + s.token)
            idle = WebSocket(s.port, "/api/v1/stream?token=" + s.token, rcvbuf=4096)  # never reads
            start = time.monotonic()
            s.proc.send_signal(signal.SIGTERM)
            with self.assertRaises(Closed) as closed:
                while True:
                    ws.recv(5)
            self.assertEqual(closed.exception.code, 1001)  # going away
            s.proc.wait(timeout=10)
            self.assertLess(time.monotonic() - start, 3.0)
            self.assertEqual(s.proc.returncode, 0)
            idle.sock.close()
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
