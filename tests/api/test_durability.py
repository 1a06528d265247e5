"""What was acknowledged survives: restarts, kill -9, and the demo store folds to its rows."""
import json
import os
import subprocess
import sys
import threading
import unittest

from harness import BIN, Server


class Durability(unittest.TestCase):
    def test_kill_minus_nine_loses_no_acknowledged_case(self):
        s = Server().start()
        try:
            acknowledged = []
            lock = threading.Lock()
            stop = threading.Event()

            def writer(n):
                client = Server.__new__(Server)  # a second connection to the same server
                client.port, client.token, client._conn = s.port, s.token, None
                i = 0
                while not stop.is_set() and i < 400:
                    try:
                        status, case, _ = client.post("/api/v1/cases", {
                            "channel": "12345", "external_id": f"w{n}-{i}", "category": "06001", "title": "t"})
                    except OSError:
                        return
                    if status == 201:
                        with lock:
                            acknowledged.append(case["id"])
                    i += 1

            threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
            for t in threads:
                t.start()
            while len(acknowledged) < 200:
                threads[0].join(0.01)
                if not any(t.is_alive() for t in threads):
                    break
            s.stop(kill=True)
            stop.set()
            for t in threads:
                t.join()
            self.assertGreater(len(acknowledged), 50)
            s.start()
            for cid in acknowledged:
                status, case, _ = s.get(f"/api/v1/cases/{cid}")
                self.assertEqual(status, 200, cid)
                status, events, _ = s.get(f"/api/v1/cases/{cid}/events")
                self.assertEqual([e["type"] for e in events["items"]], ["received"])
            # The store is consistent: every row equals its folded events.
            out = s.run([BIN, "check", "--data", s.data])
            self.assertIn("ok", out)
        finally:
            s.close()

    def test_kill_minus_nine_keeps_commands_whole(self):
        """bench/crash_run.py, two rounds (make bench runs 30): lifecycle commands and merges (one command
        writing two cases) under load, kill -9, restart; every acknowledged version and event is there, every
        merge whole, every row equal to its folded events."""
        crash_run = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "crash_run.py")
        p = subprocess.run([sys.executable, crash_run, "--rounds", "2", "--min-seconds", "1.5", "--max-seconds", "2.5"],
                           capture_output=True, text=True, timeout=300, env=dict(os.environ, CIVICGRID_BIN=BIN))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr[-2000:])
        r = json.loads(p.stdout.strip().splitlines()[-1])
        self.assertEqual(r["problems"], [])
        self.assertGreater(r["acknowledged_commands"], 100, r)
        self.assertGreater(r["merges"], 5, r)

    def test_restart_keeps_every_case(self):
        s = Server().start()
        try:
            # A second server on the same store is refused: it would hand out the same case ids.
            import subprocess
            p = subprocess.run([BIN, "serve", "--data", s.data, "--listen", "127.0.0.1:0"], capture_output=True,
                               text=True, timeout=30)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("another civicgrid serve", p.stderr)
            ids = [s.intake()["id"] for _ in range(5)]
            s.post(f"/api/v1/cases/{ids[0]}/dispatch", {"org": "320923-cgj"})
            s.stop()
            s.start()
            for cid in ids:
                self.assertEqual(s.get(f"/api/v1/cases/{cid}")[0], 200)
            self.assertEqual(s.get(f"/api/v1/cases/{ids[0]}")[1]["status"], "dispatched")
            new = s.intake()
            self.assertGreater(new["id"], max(ids))
            # Without its personal-data key the store will not open (rather than silently make a new key).
            s.stop()
            os.rename(os.path.join(s.data, "civicgrid.key"), os.path.join(s.dir, "moved.key"))
            p = subprocess.run([BIN, "check", "--data", s.data], capture_output=True, text=True, timeout=30)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("key", p.stderr)
            env = dict(os.environ, CIVICGRID_KEY_FILE=os.path.join(s.dir, "moved.key"))
            p = subprocess.run([BIN, "check", "--data", s.data], capture_output=True, text=True, timeout=30, env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            s.close()


class DemoStore(unittest.TestCase):
    def test_demo_store_folds_to_its_rows(self):
        cases = int(os.environ.get("CIVICGRID_DEMO_CASES", "24000"))
        s = Server(demo_cases=cases)
        try:
            out = s.run([BIN, "check", "--data", s.data])
            self.assertIn(f"{cases} cases ok", out)
            s.start()
            status, page, _ = s.get("/api/v1/cases?limit=500")
            statuses = {c["status"] for c in page["items"]}
            self.assertGreaterEqual(len(statuses), 3, statuses)
            status, body, _ = s.get("/api/v1/regions/320923")
            self.assertEqual(body["name"], "阜宁县")
            self.assertIn("阜城街道", [c["name"] for c in body["children"]])
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
