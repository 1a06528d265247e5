"""Cases over real HTTP: intake, idempotency, the whole lifecycle, lists, bad input, access."""
import unittest

from harness import IN_GRID_1, IN_GRID_2, Server


class CasesApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def count(self):
        status, page, _ = self.s.get("/api/v1/cases?limit=500")
        self.assertEqual(status, 200)
        return len(page["items"])

    def assertProblem(self, reply, status, field=None):
        code, body, headers = reply
        self.assertEqual(code, status, body)
        self.assertTrue(headers["Content-Type"].startswith("application/problem+json"), headers)
        self.assertEqual(body["status"], status)
        self.assertTrue(body["detail"])
        if field is not None:
            self.assertEqual(body.get("field"), field, body)
        return body

    def test_every_api_call_needs_a_token(self):
        self.assertProblem(self.s.get("/api/v1/cases", token=None), 401)
        self.assertProblem(self.s.get("/api/v1/cases", token="cg_wrong"), 401)
        status, _, _ = self.s.get("/healthz", token=None)
        self.assertEqual(status, 200)

    def test_metrics_count_requests_and_group_commits(self):
        import re

        def scrape():
            status, text, headers = self.s.get("/metrics", token=None)
            self.assertEqual(status, 200)
            self.assertTrue(headers["Content-Type"].startswith("text/plain"), headers)
            values = {}
            for line in text.splitlines():
                if line and not line.startswith("#"):
                    name, value = line.rsplit(" ", 1)
                    values[name] = float(value)
            return values

        before = scrape()
        self.s.intake(title="计量测试")
        after = scrape()
        intakes = 'civicgrid_http_request_seconds_count{kind="intake"}'
        self.assertEqual(after[intakes] - before.get(intakes, 0), 1)
        self.assertGreaterEqual(after["civicgrid_store_writes_total"] - before["civicgrid_store_writes_total"], 1)
        self.assertGreaterEqual(after["civicgrid_store_commit_seconds_count"],
                                before["civicgrid_store_commit_seconds_count"] + 1)
        # Cumulative buckets: never decreasing, ending at the count.
        for series, count in (('civicgrid_http_request_seconds_bucket{kind="intake",le=', intakes),
                              ("civicgrid_store_commit_seconds_bucket{le=", "civicgrid_store_commit_seconds_count")):
            buckets = [v for k, v in after.items() if k.startswith(series)]
            self.assertEqual(len(buckets), 15)
            self.assertEqual(buckets, sorted(buckets))
            self.assertEqual(buckets[-1], after[count])
        self.assertTrue(re.search(r"^civicgrid_store_write_wait_seconds_sum \d", "\n".join(
            f"{k} {v}" for k, v in after.items()), re.M))

    def test_login(self):
        from harness import ADMIN_PASSWORD, totp
        # Admins have a second factor: a password alone is not enough.
        status, body, _ = self.s.post("/api/v1/login", {"login": "admin", "password": ADMIN_PASSWORD}, token=None)
        self.assertEqual(status, 401, body)
        self.assertIn("otp", body["detail"])
        code = totp(self.s.admin_totp)
        status, body, _ = self.s.post("/api/v1/login", {"login": "admin", "password": ADMIN_PASSWORD,
                                                        "otp": code}, token=None)
        self.assertEqual(status, 200, body)
        self.assertTrue(body["expires_at"].endswith("+08:00"))
        status, _, _ = self.s.get("/api/v1/categories", token=body["token"])
        self.assertEqual(status, 200)
        # A one-time code is good once (RFC 6238 §5.2), even with the right password and within its window.
        again = self.assertProblem(self.s.post("/api/v1/login", {"login": "admin", "password": ADMIN_PASSWORD,
                                                                 "otp": code}, token=None), 401)
        self.assertIn("used already", again["detail"])
        self.assertProblem(self.s.post("/api/v1/login", {"login": "admin", "password": "nope"}, token=None), 401)
        self.assertProblem(self.s.post("/api/v1/login", {"login": "admin"}, token=None), 422, "password")

    def test_intake_puts_the_case_on_its_grid_with_deadlines(self):
        status, case, headers = self.s.post("/api/v1/cases", {
            "channel": "grid_patrol", "category": "06001", "title": "路面破损",
            "location": {"lat": IN_GRID_2[0], "lon": IN_GRID_2[1]},
            "reporter": {"name": "李四", "phone": "13912345678"}})
        self.assertEqual(status, 201, case)
        self.assertEqual(headers["Location"], f"/api/v1/cases/{case['id']}")
        self.assertEqual(case["grid"]["code"], "320923001001002")
        self.assertEqual(case["grid"]["name"], "向阳社区第2网格")
        self.assertEqual(case["status"], "received")
        self.assertTrue(case["number"].startswith("GD"))
        self.assertTrue(case["deadlines"]["accept_by"].endswith("+08:00"))
        self.assertTrue(case["deadlines"]["resolve_by"])
        self.assertEqual(case["reporter"]["phone"], "139****5678")
        self.assertNotIn("13912345678", str(case))
        self.assertEqual(case["allowed_actions"],
                         ["dispatch", "invalid", "merge", "whistle", "supervise", "escalate", "join"])
        status, again, _ = self.s.get(f"/api/v1/cases/{case['id']}")
        self.assertEqual(again, case)

    def test_anonymous_reporter_is_hidden(self):
        case = self.s.intake(reporter={"name": "王五", "phone": "13700001111", "anonymous": True})
        self.assertEqual(case["reporter"], {"anonymous": True})

    def test_intake_is_idempotent(self):
        first = self.s.post("/api/v1/cases", {"channel": "12345", "external_id": "HX-777", "category": "06001",
                                              "title": "井盖缺失"})
        second = self.s.post("/api/v1/cases", {"channel": "12345", "external_id": "HX-777", "category": "06001",
                                               "title": "井盖缺失"})
        self.assertEqual((first[0], second[0]), (201, 200))
        self.assertEqual(first[1]["id"], second[1]["id"])
        # The same external id on another channel is another case.
        other = self.s.post("/api/v1/cases", {"channel": "city_management", "external_id": "HX-777",
                                              "category": "06001", "title": "井盖缺失"})
        self.assertEqual(other[0], 201)
        body = {"channel": "resident", "category": "06001", "title": "噪音扰民"}
        a = self.s.post("/api/v1/cases", body, headers={"Idempotency-Key": "k-42"})
        b = self.s.post("/api/v1/cases", body, headers={"Idempotency-Key": "k-42"})
        self.assertEqual((a[0], b[0]), (201, 200))
        self.assertEqual(a[1]["id"], b[1]["id"])

    def test_bad_input_names_the_field_and_writes_nothing(self):
        before = self.count()
        ok = {"channel": "12345", "category": "06001", "title": "t"}
        p = self.assertProblem(self.s.request("POST", "/api/v1/cases", raw=b"{not json"), 400, "body")
        self.assertIn("JSON", p["detail"])
        self.assertProblem(self.s.request("POST", "/api/v1/cases", raw=b"[1,2]"), 400, "body")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "title": None}), 422, "title")
        self.assertProblem(self.s.post("/api/v1/cases", {k: v for k, v in ok.items() if k != "title"}), 422, "title")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "title": 5}), 422, "title")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "title": "  "}), 422, "title")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "category": "99999"}), 422, "category")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "channel": "pigeon"}), 422, "channel")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "location": {"lat": 200, "lon": 119}}), 422, "location.lat")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "location": {"lat": 33, "lon": "x"}}), 422, "location.lon")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "location": {"lat": 33}}), 422, "location.lon")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "location": {"lat": 33, "lon": 119, "crs": "utm"}}),
                           422, "location.crs")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "location": {"lat": 10, "lon": 10}}), 422, "location")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "reporter": "me"}), 422, "reporter")
        self.assertProblem(self.s.post("/api/v1/cases", {**ok, "title": "长" * 201}), 422, "title")
        big = b'{"channel":"12345","category":"06001","title":"' + b"x" * (2 << 20) + b'"}'
        code, _, _ = self.s.request("POST", "/api/v1/cases", raw=big)
        self.assertEqual(code, 413)
        self.assertEqual(self.count(), before)

    def test_unknown_ids_and_routes(self):
        self.assertProblem(self.s.get("/api/v1/cases/999999"), 404)
        self.assertProblem(self.s.get("/api/v1/cases/abc"), 404)
        self.assertProblem(self.s.post("/api/v1/cases/999999/accept", {}), 404)
        self.assertProblem(self.s.get("/api/v1/cases/999999/events"), 404)
        self.assertProblem(self.s.get("/api/v1/nothing"), 404)
        code, _, _ = self.s.request("DELETE", "/api/v1/cases")
        self.assertEqual(code, 405)

    def act(self, case_id, action, body=None, expect=200):
        status, reply, _ = self.s.post(f"/api/v1/cases/{case_id}/{action}", body if body is not None else {})
        self.assertEqual(status, expect, reply)
        return reply

    def test_the_whole_lifecycle_of_a_work_order(self):
        c = self.s.intake(external_id="HX-LIFE")
        cid = c["id"]
        c = self.act(cid, "dispatch", {"org": "320923-cgj"})
        self.assertEqual((c["status"], c["org"]["code"], c["org"]["name"]), ("dispatched", "320923-cgj", "阜宁县城市管理局"))
        # Illegal now: 409 naming the state and what is allowed.
        p = self.act(cid, "resolve", {"note": "x"}, expect=409)
        self.assertIn("dispatched", p["detail"])
        self.assertEqual(p["allowed_actions"],
                         ["accept", "return", "invalid", "merge", "whistle", "supervise", "escalate", "join"])
        c = self.act(cid, "return", {"reason": "非本单位职责"})
        self.assertEqual((c["status"], c["org"], c["returns"]), ("received", None, 1))
        self.act(cid, "dispatch", {"org": "nobody"}, expect=422)
        c = self.act(cid, "dispatch", {"org": "320923-zjj"})
        c = self.act(cid, "accept")
        self.assertEqual(c["status"], "accepted")
        c = self.act(cid, "contact", {"note": "已电话联系群众"})
        self.assertTrue(c["contacted_at"])
        self.act(cid, "contact", {"note": "again"}, expect=409)
        before = c["deadlines"]["resolve_by"]
        c = self.act(cid, "extension", {"days": 3, "reason": "需采购材料"})
        self.assertEqual(c["pending_extension"], 3)
        self.act(cid, "extension", {"days": 11, "reason": "x"}, expect=409)  # one pending already
        c = self.act(cid, "extension/decision", {"approve": True, "note": "同意"})
        self.assertGreater(c["deadlines"]["resolve_by"], before)
        self.assertEqual(c["extension_days"], 3)
        p = self.act(cid, "extension", {"days": 8, "reason": "再延"}, expect=422)
        self.assertEqual(p["field"], "days")
        self.act(cid, "extension", {"days": "3", "reason": "x"}, expect=422)
        c = self.act(cid, "resolve", {"note": "已修复路面"})
        self.assertEqual(c["status"], "resolved")
        self.act(cid, "rating", {"rating": "satisfied", "solved": True}, expect=409)  # not reviewed yet
        c = self.act(cid, "review", {"approve": False, "note": "照片不清晰"})
        self.assertEqual(c["status"], "accepted")
        self.act(cid, "resolve", {"note": "已修复路面，补充照片"})
        c = self.act(cid, "review", {"approve": True})
        self.assertTrue(c["reviewed"])
        self.act(cid, "rating", {"rating": "so-so", "solved": True}, expect=422)
        c = self.act(cid, "rating", {"rating": "dissatisfied", "solved": False, "comment": "还有积水"})
        # A dissatisfied reporter climbs the ladder (the default triggers): the street takes the case over with
        # fresh limits, so there is nothing left to reopen.
        self.assertEqual((c["status"], c["org"]["code"], c["level"], c["rating"]),
                         ("dispatched", "320923001", "town", None))
        self.act(cid, "reopen", {"reason": "群众不满意"}, expect=409)
        self.act(cid, "accept")
        self.act(cid, "resolve", {"note": "彻底修复"})
        self.act(cid, "review", {"approve": True})
        self.act(cid, "rating", {"rating": "satisfied", "solved": True})
        c = self.act(cid, "close")
        self.assertEqual((c["status"], c["allowed_actions"]), ("closed", []))
        self.act(cid, "reopen", {"reason": "x"}, expect=409)
        status, events, _ = self.s.get(f"/api/v1/cases/{cid}/events")
        self.assertEqual(status, 200)
        types = [e["type"] for e in events["items"]]
        self.assertEqual(types, ["received", "dispatched", "returned", "dispatched", "accepted", "contacted",
                                 "extension_requested", "extension_decided", "resolved", "reviewed", "resolved",
                                 "reviewed", "rated", "escalated", "accepted", "resolved", "reviewed", "rated",
                                 "closed"])
        self.assertEqual([e["seq"] for e in events["items"]], list(range(1, len(types) + 1)))
        self.assertTrue(all(e["actor"] == "admin" and e["at"].endswith("+08:00") for e in events["items"]))
        self.assertEqual(events["items"][2]["payload"]["reason"], "非本单位职责")
        self.assertEqual(c["version"], len(types))

    def test_invalid_and_merge(self):
        a = self.s.intake()
        b = self.s.intake()
        self.act(b["id"], "merge", {"into": b["id"]}, expect=422)
        self.act(b["id"], "merge", {"into": 99999999}, expect=422)
        self.act(b["id"], "merge", {"into": "x"}, expect=422)
        c = self.act(b["id"], "merge", {"into": a["id"]})
        self.assertEqual((c["status"], c["merged_into"]), ("merged", a["id"]))
        self.act(b["id"], "dispatch", {"org": "320923-cgj"}, expect=409)
        d = self.act(a["id"], "invalid", {"reason": "恶意重复来电"})
        self.assertEqual(d["status"], "invalid")
        e = self.s.intake()
        self.act(e["id"], "merge", {"into": a["id"]}, expect=422)  # into an invalid case

    def test_lists_filter_and_paginate(self):
        ids = [self.s.intake(category="06002", location={"lat": IN_GRID_2[0], "lon": IN_GRID_2[1]})["id"]
               for _ in range(7)]
        self.act(ids[0], "dispatch", {"org": "320923001001"})
        seen, cursor = [], None
        while True:
            q = "/api/v1/cases?category=06002&limit=3" + (f"&cursor={cursor}" if cursor else "")
            status, page, _ = self.s.get(q)
            self.assertEqual(status, 200, page)
            self.assertLessEqual(len(page["items"]), 3)
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, sorted(ids, reverse=True))
        _, page, _ = self.s.get("/api/v1/cases?region=320923001001002&category=06002&limit=100")
        self.assertEqual(len(page["items"]), 7)
        _, page, _ = self.s.get("/api/v1/cases?region=320923001001001&category=06002")
        self.assertEqual(len(page["items"]), 0)
        _, page, _ = self.s.get("/api/v1/cases?region=320923&category=06")
        self.assertGreaterEqual(len(page["items"]), 7)
        _, page, _ = self.s.get("/api/v1/cases?status=dispatched&org=320923001001")
        self.assertEqual([c["id"] for c in page["items"]], [ids[0]])
        _, page, _ = self.s.get("/api/v1/cases?category=06002&from=2000-01-01&to=2000-02-01")
        self.assertEqual(page["items"], [])
        self.assertProblem(self.s.get("/api/v1/cases?status=lost"), 422, "status")
        self.assertProblem(self.s.get("/api/v1/cases?region=nowhere"), 422, "region")
        self.assertProblem(self.s.get("/api/v1/cases?from=yesterday"), 422, "from")
        self.assertProblem(self.s.get("/api/v1/cases?limit=0"), 422, "limit")
        self.assertProblem(self.s.get("/api/v1/cases?cursor=zzz"), 400, "cursor")
        self.assertProblem(self.s.get("/api/v1/cases?cursor=%ZZ"), 400)


if __name__ == "__main__":
    unittest.main()
