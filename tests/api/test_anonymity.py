"""Anonymity belongs to the reporter (issue 17 item 1), over real HTTP.

The finding: an admin merged an anonymous report into another case; the anonymous reporter became
joined_reporters[1] of the target and reveal?reporter=1 answered name, phone and ID number. Now an anonymous
reporter's identity goes out nowhere — not by reveal (403 saying the reporter asked to stay anonymous, to
admin and dispatcher alike), not in case replies, the audit trail or the live stream — wherever the reporter
ends up: the first reporter, a reporter brought by a merge, a resident who joined anonymously.
"""
import json
import time
import unittest

from harness import Server
from wsclient import WebSocket

NAME, PHONE, ID_NUMBER = "钱七", "13700001111", "11010519491231002X"
# Everything that would name or reach the anonymous reporters, full or masked.
SECRETS = [NAME, "钱**", PHONE, "137****1111", ID_NUMBER, "110105********002X",
           "孙八", "孙**", "13600002222", "136****2222"]


class Anonymity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.s = Server()
        cls.tokens = {"admin": s.token}
        for login, role, scope in [("dispatcher", "dispatcher", "320923"), ("anon-resident", "resident", "320923"),
                                   ("resident", "resident", "320923")]:
            cls.tokens[login], _ = s.add_user(login, role, scope)
        s.start()
        cls.ws = WebSocket(s.port, "/api/v1/stream?token=" + cls.tokens["admin"])
        cls.heard = []

    @classmethod
    def tearDownClass(cls):
        try:
            cls.ws.close()
        except OSError:
            pass
        cls.s.close()

    def call(self, who, method, path, body=None):
        status, reply, _ = self.s.request(method, path, body=body, token=self.tokens[who])
        return status, reply

    def listen(self, case_ids, seconds=3.0):
        """The stream's case events about `case_ids` heard so far (waits until one arrives for each)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            got = {json.loads(m)["case"]["id"] for m in self.heard if json.loads(m)["type"] == "case_event"}
            if set(case_ids) <= got:
                break
            m = self.ws.recv(deadline - time.monotonic())
            if m is None:
                break
            self.heard.append(m)
        return [json.loads(m) for m in self.heard
                if json.loads(m)["type"] == "case_event" and json.loads(m)["case"]["id"] in case_ids]

    def assertNothingNames(self, text, where):
        for secret in SECRETS:
            self.assertNotIn(secret, text, f"{where} carries {secret!r}")

    def assertRefused(self, who, case_id, reporter):
        status, reply = self.call(who, "POST", f"/api/v1/cases/{case_id}/reveal?reporter={reporter}")
        self.assertEqual(status, 403, (who, reply))
        self.assertIn("asked to stay anonymous", reply["detail"] if "detail" in reply else json.dumps(reply))
        self.assertNothingNames(json.dumps(reply, ensure_ascii=False), f"reveal by {who}")

    def test_an_anonymous_report_merged_into_another_case_stays_anonymous(self):
        target = self.s.intake(reporter={"name": "张三", "phone": "13812345678"})
        anon = self.s.intake(reporter={"name": NAME, "phone": PHONE, "id_number": ID_NUMBER, "anonymous": True})
        status, merged = self.call("admin", "POST", f"/api/v1/cases/{anon['id']}/merge", {"into": target["id"]})
        self.assertEqual((status, merged["status"]), (200, "merged"), merged)
        status, case = self.call("admin", "GET", f"/api/v1/cases/{target['id']}")
        self.assertEqual(case["joined_reporters"],
                         [{"anonymous": True, "from_case": anon["id"], "rating": None, "solved": None}])
        # The finding: reveal?reporter=1 answered name, phone and ID number. Now refused, to everyone.
        for who in ["admin", "dispatcher"]:
            self.assertRefused(who, target["id"], 1)
            self.assertRefused(who, anon["id"], 0)
        # The named first reporter is still revealed (and audited) as before.
        status, full = self.call("admin", "POST", f"/api/v1/cases/{target['id']}/reveal?reporter=0")
        self.assertEqual((status, full["name"]), (200, "张三"), full)
        # Case replies, lists, the trail and the audit log carry nothing of the anonymous reporter.
        for who in ["admin", "dispatcher"]:
            for path in [f"/api/v1/cases/{target['id']}/events", f"/api/v1/cases/{anon['id']}/events"]:
                status, reply = self.call(who, "GET", path)
                self.assertEqual(status, 200, reply)
                self.assertNothingNames(json.dumps(reply, ensure_ascii=False), f"{path} to {who}")
        for path in [f"/api/v1/cases/{target['id']}", f"/api/v1/cases/{anon['id']}", "/api/v1/cases?limit=500",
                     "/api/v1/audit"]:
            status, reply = self.call("admin", "GET", path)
            self.assertEqual(status, 200, reply)
            self.assertNothingNames(json.dumps(reply, ensure_ascii=False), f"{path} to admin")
        # The centre keeps only the masked number for its follow-up call, flagged anonymous.
        status, case = self.call("dispatcher", "GET", f"/api/v1/cases/{target['id']}")
        self.assertEqual(case["joined_reporters"][0]["phone"], "137****1111")
        self.assertTrue(case["joined_reporters"][0]["anonymous"])
        events = self.listen({target["id"], anon["id"]})
        self.assertTrue(events, "the stream said nothing of the merge")
        self.assertNothingNames(json.dumps(events, ensure_ascii=False), "the live stream")

    def test_a_resident_who_joins_anonymously_stays_anonymous(self):
        case = self.s.intake()
        status, reply = self.call("anon-resident", "POST", f"/api/v1/cases/{case['id']}/join",
                                  {"reporter": {"name": "孙八", "phone": "13600002222", "anonymous": True}})
        self.assertEqual(status, 200, reply)
        n = reply["reporter"]
        status, reply = self.call("resident", "POST", f"/api/v1/cases/{case['id']}/join",
                                  {"reporter": {"name": "周九", "phone": "13500003333"}})
        self.assertEqual(status, 200, reply)
        named = reply["reporter"]
        status, full = self.call("admin", "GET", f"/api/v1/cases/{case['id']}")
        self.assertEqual(full["joined_reporters"][n - 1],
                         {"anonymous": True, "from_case": None, "rating": None, "solved": None})
        self.assertEqual(full["joined_reporters"][named - 1]["name"], "周**")
        self.assertNothingNames(json.dumps(full, ensure_ascii=False), "the case to admin")
        for who in ["admin", "dispatcher"]:
            self.assertRefused(who, case["id"], n)
        status, revealed = self.call("dispatcher", "POST", f"/api/v1/cases/{case['id']}/reveal?reporter={named}")
        self.assertEqual((status, revealed["phone"]), (200, "13500003333"), revealed)
        # The anonymous joiner's login names them too: the trail and the stream leave it out; the named
        # joiner's stays.
        status, trail = self.call("admin", "GET", f"/api/v1/cases/{case['id']}/events")
        joins = [e for e in trail["items"] if e["type"] == "joined"]
        self.assertEqual([e["actor"] for e in joins], [None, "resident"])
        self.assertEqual([e["address"] is None for e in joins], [True, False], "their address names them too")
        self.assertNotIn("anon-resident", json.dumps(trail))
        self.assertNothingNames(json.dumps(trail, ensure_ascii=False), "the trail")
        events = [e for e in self.listen({case["id"]}) if e["event"]["type"] == "joined"]
        deadline = time.monotonic() + 3.0
        while len(events) < 2 and time.monotonic() < deadline:
            m = self.ws.recv(deadline - time.monotonic())
            if m is None:
                break
            self.heard.append(m)
            events = [e for e in self.listen({case["id"]}, 0) if e["event"]["type"] == "joined"]
        self.assertEqual([e["event"]["actor"] for e in events], [None, "resident"])
        self.assertNothingNames(json.dumps(events, ensure_ascii=False), "the live stream")

    def test_a_resident_files_anonymously(self):
        status, case, _ = self.s.request("POST", "/api/v1/cases",
                                         {"channel": "resident", "category": "06001", "title": "路灯不亮",
                                          "reporter": {"name": NAME, "phone": PHONE, "anonymous": True}},
                                         token=self.tokens["anon-resident"])
        self.assertEqual(status, 201, case)
        status, trail = self.call("admin", "GET", f"/api/v1/cases/{case['id']}/events")
        self.assertEqual(trail["items"][0]["actor"], None)
        self.assertNotIn("anon-resident", json.dumps(trail))
        self.assertNothingNames(json.dumps(trail, ensure_ascii=False), "the trail")
        self.assertRefused("dispatcher", case["id"], 0)


if __name__ == "__main__":
    unittest.main()
