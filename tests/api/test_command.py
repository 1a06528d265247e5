"""The command centre over real HTTP (issue 3): routing, deadlines that fire (and survive a restart),
the escalation ladder, whistle and report, supervision, disputed returns, duplicates, nearby and join,
Chinese full-text search."""
import time
import unittest
from urllib.parse import quote

from harness import IN_GRID_1, IN_GRID_2, Server

COUNTY, STREET, COMMUNITY = "320923", "320923001", "320923001001"
CGJ, ZJJ, STREET_ORG = "320923-cgj", "320923-zjj", "320923001"


def types(events):
    return [e["type"] for e in events]


class CommandCentre(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()
        cls.cgj, _ = cls.s.add_user("cgj.staff", "department_staff", CGJ)
        cls.zjj, _ = cls.s.add_user("zjj.staff", "department_staff", ZJJ)
        cls.town, _ = cls.s.add_user("street.staff", "town_staff", STREET)
        cls.resident, _ = cls.s.add_user("resident.wang", "resident", "-")
        cls.s.start()
        # A category with limits of seconds, so deadlines pass while the test watches: accept in 2.5 s,
        # resolve in 0.0002 days (17 s).
        status, body, _ = cls.s.post("/api/v1/categories", {
            "code": "06901", "parent": "06", "name_zh": "测试快速类", "name_en": "Fast test class",
            "accept_hours": 2.5 / 3600, "resolve_days": 0.0002})
        assert status == 201, body

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def events(self, case_id):
        status, body, _ = self.s.get(f"/api/v1/cases/{case_id}/events")
        self.assertEqual(status, 200, body)
        return body["items"]

    def act(self, case_id, action, body=None, token="default", expect=200):
        status, reply, _ = self.s.post(f"/api/v1/cases/{case_id}/{action}", body or {}, token=token)
        self.assertEqual(status, expect, reply)
        return reply

    def wait_for(self, case_id, event_type, timeout=6.0):
        end = time.time() + timeout
        while time.time() < end:
            found = [e for e in self.events(case_id) if e["type"] == event_type]
            if found:
                return found
            time.sleep(0.05)
        self.fail(f"no {event_type} on case {case_id} within {timeout} s: {types(self.events(case_id))}")

    # ---- routing ----
    def test_routing_rules_dispatch_at_intake_and_explain_why(self):
        status, rule, _ = self.s.post("/api/v1/routing-rules", {"category": "03", "region": COUNTY, "org": CGJ})
        self.assertEqual(status, 201, rule)
        status, specific, _ = self.s.post("/api/v1/routing-rules",
                                          {"category": "03", "region": STREET, "org": STREET_ORG})
        self.assertEqual(status, 201, specific)
        try:
            case = self.s.intake(category="03001", title="垃圾桶满溢")
            self.assertEqual(case["status"], "dispatched")
            self.assertEqual(case["org"]["code"], STREET_ORG, "the deeper region wins")
            self.assertEqual(case["routing"]["rule"], specific["id"])
            self.assertIn(f"rule {specific['id']}", case["routing"]["reason"])
            self.assertIn("2 matching rules", case["routing"]["reason"])
            self.assertEqual(types(self.events(case["id"])), ["received", "dispatched"])
            # Changed without restart: delete the specific rule, the county rule takes over.
            status, _, _ = self.s.request("DELETE", f"/api/v1/routing-rules/{specific['id']}")
            self.assertEqual(status, 204)
            case = self.s.intake(category="03001", title="垃圾桶满溢")
            self.assertEqual(case["org"]["code"], CGJ)
            # No rule: the case waits in the dispatcher's queue.
            self.assertEqual(self.s.intake(category="12001", title="邻里纠纷")["status"], "received")
            status, listed, _ = self.s.get("/api/v1/routing-rules")
            self.assertEqual([r["id"] for r in listed["items"]], [rule["id"]])
            self.assertEqual(listed["items"][0]["org_name"], "阜宁县城市管理局")
            # Audited.
            status, audit, _ = self.s.get("/api/v1/audit?limit=50")
            actions = [a["action"] for a in audit["items"]]
            self.assertIn("routing_rule_added", actions)
            self.assertIn("routing_rule_deleted", actions)
        finally:
            self.s.request("DELETE", f"/api/v1/routing-rules/{rule['id']}")
        # Bad input names the field; nobody but the centre sets rules.
        status, body, _ = self.s.post("/api/v1/routing-rules", {"category": "03", "org": "nope"})
        self.assertEqual((status, body.get("field")), (422, "org"), body)
        status, body, _ = self.s.post("/api/v1/routing-rules", {"category": "99x", "org": CGJ})
        self.assertEqual((status, body.get("field")), (422, "category"), body)
        status, body, _ = self.s.post("/api/v1/routing-rules", {"org": CGJ, "region": COUNTY}, token=self.town)
        self.assertEqual(status, 403, body)
        status, body, _ = self.s.request("DELETE", "/api/v1/routing-rules/999999")
        self.assertEqual(status, 404, body)

    def test_routing_rules_from_a_csv_reach_the_running_server(self):
        import os
        import subprocess
        from harness import BIN
        bad = os.path.join(self.s.dir, "bad-rules.csv")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("category,region,org\n07,320923,320923-cgj\n07,320923,nobody\n")
        p = subprocess.run([BIN, "import", "routing", "--data", self.s.data, bad], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("line 3", p.stderr)
        good = os.path.join(self.s.dir, "rules.csv")
        with open(good, "w", encoding="utf-8") as f:
            f.write("category,region,org\n07,320923,320923-cgj\n")
        p = subprocess.run([BIN, "import", "routing", "--data", self.s.data, good], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        end = time.time() + 5
        rules = []
        while time.time() < end:
            rules = [r for r in self.s.get("/api/v1/routing-rules")[1]["items"] if r["category"] == "07"]
            if rules:
                break
            time.sleep(0.2)
        self.assertEqual(len(rules), 1, "one rule: the bad file added nothing")
        try:
            self.assertEqual(self.s.intake(category="07001", title="违规广告")["org"]["code"], CGJ)
        finally:
            self.s.request("DELETE", f"/api/v1/routing-rules/{rules[0]['id']}")

    # ---- deadlines ----
    def test_deadlines_fire_within_a_second(self):
        case = self.s.intake(category="06901", title="测试时限")
        self.act(case["id"], "dispatch", {"org": CGJ})
        due = time.time() + 2.5
        overdue = self.wait_for(case["id"], "overdue")
        self.assertLess(time.time() - due, 1.0, "the red alert comes within a second of the deadline")
        self.assertEqual(overdue[0]["payload"]["deadline"], "accept")
        evs = types(self.events(case["id"]))
        self.assertEqual(evs.count("reminded"), 1, evs)
        self.assertLess(evs.index("reminded"), evs.index("overdue"))
        status, c, _ = self.s.get(f"/api/v1/cases/{case['id']}")
        self.assertEqual(c["light"], "red")
        self.assertEqual(c["timers"]["accept"]["stage"], "overdue")
        # Accepting ends the red accept timer.
        c = self.act(case["id"], "accept", token=self.cgj)
        self.assertEqual(c["light"], "none")

    def test_deadlines_that_pass_while_the_server_is_down_fire_at_start_once(self):
        case = self.s.intake(category="06901", title="停机期间到期")
        self.act(case["id"], "dispatch", {"org": CGJ})
        self.s.stop()
        try:
            time.sleep(3.0)  # the accept deadline passes while no server runs
            self.s.start()
            started = time.time()
            self.wait_for(case["id"], "overdue", timeout=3.0)
            self.assertLess(time.time() - started, 1.5)
            evs = types(self.events(case["id"]))
            self.assertEqual((evs.count("reminded"), evs.count("overdue")), (1, 1), evs)
            self.s.stop()
            self.s.start()
            time.sleep(1.0)
            evs = types(self.events(case["id"]))
            self.assertEqual((evs.count("reminded"), evs.count("overdue")), (1, 1), "once, not again: " + str(evs))
        finally:
            if self.s.proc is None:
                self.s.start()

    # ---- escalation ----
    def test_returned_twice_climbs_to_the_town_and_the_difficult_queue(self):
        case = self.s.intake(title="职责不清的占道问题")
        cid = case["id"]
        self.act(cid, "dispatch", {"org": CGJ})
        c = self.act(cid, "return", {"reason": "不属于城管职责"}, token=self.cgj)
        self.assertEqual((c["status"], c["returned_by"], c["level"]), ("received", CGJ, "community"))
        self.act(cid, "dispatch", {"org": ZJJ})
        c = self.act(cid, "return", {"reason": "也不属于住建"}, token=self.zjj)
        self.assertEqual(c["level"], "town")
        self.assertEqual((c["status"], c["org"]["code"]), ("dispatched", STREET_ORG), "the town takes it over")
        esc = [e for e in self.events(cid) if e["type"] == "escalated"]
        self.assertEqual(esc[0]["payload"]["trigger"], "returned_twice")
        c = self.act(cid, "escalate", {"reason": "需要条块联动"}, token=self.town)
        self.assertEqual(c["level"], "joint")
        status, page, _ = self.s.get("/api/v1/cases?queue=difficult")
        self.assertIn(cid, [x["id"] for x in page["items"]])
        self.assertTrue(all(x["level"] == "joint" for x in page["items"]))
        status, body, _ = self.s.post(f"/api/v1/cases/{cid}/escalate", {"reason": "again"})
        self.assertEqual(status, 409, body)
        status, body, _ = self.s.post(f"/api/v1/cases/{cid}/escalate", {})
        self.assertEqual((status, body.get("field")), (422, "reason"), body)

    def test_escalation_triggers_are_configured_at_serve(self):
        import subprocess
        from harness import BIN
        p = subprocess.run([BIN, "serve", "--data", self.s.data, "--listen", "127.0.0.1:0",
                            "--escalate-on", "overdue,bogus"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("unknown escalation trigger 'bogus'", p.stderr)

    # ---- whistle and report ----
    def test_whistle_check_in_parts_and_a_missed_check_in(self):
        case = self.s.intake(title="多部门联合整治")
        cid = case["id"]
        self.act(cid, "dispatch", {"org": STREET_ORG})
        self.act(cid, "accept", token=self.town)
        c = self.act(cid, "whistle", {"lead": CGJ, "co": [ZJJ], "check_in_hours": 2.0 / 3600, "note": "吹哨"},
                     token=self.town)
        self.assertEqual(c["org"]["code"], CGJ)
        self.assertEqual([(p["org"], p["role"]) for p in c["whistle"]["parts"]], [(CGJ, "lead"), (ZJJ, "co")])
        # The co-department sees the case it was whistled into, in its list too.
        status, seen, _ = self.s.get(f"/api/v1/cases/{cid}", token=self.zjj)
        self.assertEqual(status, 200, seen)
        status, page, _ = self.s.get("/api/v1/cases?limit=500", token=self.zjj)
        self.assertIn(cid, [x["id"] for x in page["items"]])
        status, body, _ = self.s.post(f"/api/v1/cases/{cid}/part", {"note": "x"}, token=self.cgj)
        self.assertEqual(status, 409, body)  # check in first
        self.act(cid, "check-in", token=self.cgj)
        missed = self.wait_for(cid, "check_in_missed", timeout=5)
        self.assertEqual(missed[0]["payload"]["org"], ZJJ)
        # Counted against the department in the cockpit's department ranking.
        status, summary, _ = self.s.get(f"/api/v1/cockpit/summary?region={COUNTY}")
        zjj = [d for d in summary["rankings"]["departments"] if d["code"] == ZJJ]
        self.assertTrue(zjj and zjj[0]["missed_check_ins"] >= 1, summary["rankings"]["departments"])
        c = self.s.get(f"/api/v1/cases/{cid}")[1]
        self.assertTrue(c["whistle"]["parts"][1]["missed"])
        self.assertEqual(c["level"], "joint", "a missed check-in escalates")
        self.act(cid, "check-in", token=self.zjj)
        self.act(cid, "part", {"note": "住建部分已完成"}, token=self.zjj)
        status, body, _ = self.s.post(f"/api/v1/cases/{cid}/resolve", {"note": "完成"}, token=self.cgj)
        self.assertEqual(status, 409, body)
        self.assertIn(CGJ, body["detail"])
        self.act(cid, "part", {"note": "城管部分已完成"}, token=self.cgj)
        status, body, _ = self.s.post(f"/api/v1/cases/{cid}/resolve", {"note": "完成"}, token=self.zjj)
        self.assertEqual(status, 403, body)  # the lead resolves
        c = self.act(cid, "resolve", {"note": "联合处置完毕"}, token=self.cgj)
        self.assertEqual(c["status"], "resolved")
        # Only a whistled department checks in.
        other = self.s.intake(title="另一件")
        self.act(other["id"], "dispatch", {"org": STREET_ORG})
        self.act(other["id"], "whistle", {"lead": CGJ}, token=self.town)
        status, body, _ = self.s.post(f"/api/v1/cases/{other['id']}/check-in", {}, token=self.zjj)
        self.assertEqual(status, 404, body)
        status, body, _ = self.s.post(f"/api/v1/cases/{other['id']}/whistle", {"lead": ZJJ}, token=self.town)
        self.assertEqual(status, 409, body)  # already whistled
        status, body, _ = self.s.post(f"/api/v1/cases/{cid}/whistle", {"lead": CGJ}, token=self.cgj)
        self.assertIn(status, (403, 409), body)

    # ---- supervision, disputed returns ----
    def test_supervision_is_visible_to_the_handler(self):
        case = self.s.intake(title="督办事项")
        cid = case["id"]
        self.act(cid, "dispatch", {"org": CGJ})
        due = time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(time.time() + 8 * 3600 + 86400))
        self.act(cid, "supervise", {"note": "请加快办理", "due": due})
        status, c, _ = self.s.get(f"/api/v1/cases/{cid}", token=self.cgj)
        self.assertEqual(c["supervision_count"], 1)
        self.assertEqual(c["supervisions"][0]["note"], "请加快办理")
        self.assertIn("supervision", c["timers"])
        status, body, _ = self.s.post(f"/api/v1/cases/{cid}/supervise", {"note": "x", "due": "yesterday"})
        self.assertEqual((status, body.get("field")), (422, "due"), body)
        status, body, _ = self.s.post(f"/api/v1/cases/{cid}/supervise", {"note": "x", "due": due}, token=self.cgj)
        self.assertEqual(status, 403, body)

    def test_the_centre_decides_a_disputed_return(self):
        case = self.s.intake(title="派单异议")
        cid = case["id"]
        self.act(cid, "dispatch", {"org": CGJ})
        self.act(cid, "return", {"reason": "应由住建处理"}, token=self.cgj)
        status, body, _ = self.s.post(f"/api/v1/cases/{cid}/return/decision", {"uphold": True, "org": CGJ})
        self.assertEqual((status, body.get("field")), (422, "org"), body)
        c = self.act(cid, "return/decision", {"uphold": True, "org": ZJJ, "note": "改派住建"})
        self.assertEqual((c["status"], c["org"]["code"], c["returned_by"]), ("dispatched", ZJJ, None))
        status, body, _ = self.s.post(f"/api/v1/cases/{cid}/return/decision", {"uphold": False, "note": "x"})
        self.assertEqual(status, 409, body)

    # ---- duplicates, nearby, join ----
    def test_duplicates_are_proposed_merged_and_every_reporter_asked(self):
        at = {"lat": IN_GRID_2[0] + 0.0003, "lon": IN_GRID_2[1]}
        first = self.s.intake(category="01001", title="供水井盖破损", description="人民路上供水井盖破损塌陷",
                              location=at)
        second = self.s.intake(category="01001", title="井盖破损", description="人民路供水井盖破损，很危险",
                               location={"lat": at["lat"] + 0.0002, "lon": at["lon"]},
                               reporter={"name": "赵六", "phone": "13600001111"})
        self.assertIn(first["id"], second["duplicates"])
        far = self.s.intake(category="01001", title="供水井盖破损", location={"lat": IN_GRID_1[0], "lon": IN_GRID_1[1]})
        self.assertNotIn(first["id"], far["duplicates"])
        other = self.s.intake(category="01001", title="路灯不亮", description="晚上路灯全部不亮",
                              location={"lat": at["lat"] + 0.0001, "lon": at["lon"]})
        self.assertNotIn(first["id"], other["duplicates"], "similar text, not just the place")
        c = self.act(second["id"], "merge", {"into": first["id"]})
        self.assertEqual(c["status"], "merged")
        status, merged_into, _ = self.s.get(f"/api/v1/cases/{first['id']}")
        self.assertEqual(len(merged_into["joined_reporters"]), 1)
        self.assertEqual(merged_into["joined_reporters"][0]["phone"], "136****1111")
        self.assertEqual(merged_into["joined_reporters"][0]["from_case"], second["id"])
        # Nearby, before reporting: the open case is there; a resident joins it.
        status, near, _ = self.s.get(
            f"/api/v1/cases/nearby?lat={at['lat']}&lon={at['lon']}&category=01", token=self.resident)
        self.assertEqual(status, 200, near)
        ids = [x["id"] for x in near["items"]]
        self.assertIn(first["id"], ids)
        self.assertNotIn(second["id"], ids, "merged cases are not open")
        self.assertNotIn("reporter", near["items"][0])
        status, joined, _ = self.s.post(f"/api/v1/cases/{first['id']}/join",
                                        {"reporter": {"name": "王五", "phone": "13700002222"}}, token=self.resident)
        self.assertEqual(status, 200, joined)
        self.assertEqual(joined["reporters"], 3)
        # Resolved and reviewed: every reporter is to be asked.
        fid = first["id"]
        self.act(fid, "dispatch", {"org": CGJ})
        self.act(fid, "accept", token=self.cgj)
        self.act(fid, "resolve", {"note": "已更换井盖"}, token=self.cgj)
        c = self.act(fid, "review", {"approve": True})
        self.assertIn("follow_up", c["timers"])
        status, body, _ = self.s.post(f"/api/v1/cases/{fid}/rating",
                                      {"rating": "satisfied", "solved": True, "reporter": 3})
        self.assertEqual((status, body.get("field")), (422, "reporter"), body)
        for n in (0, 1, 2):
            c = self.act(fid, "rating", {"rating": "satisfied", "solved": True, "reporter": n})
        self.assertEqual([r["rating"] for r in c["joined_reporters"]], ["satisfied", "satisfied"])
        self.assertNotIn("follow_up", c["timers"], "everyone was asked")
        # Bad input.
        for query, field in (("lat=91&lon=119", "lat"), ("lat=33&lon=x", "lon"), ("lon=119", "lat"),
                             ("lat=33&lon=119&radius=5000", "radius"), ("lat=33&lon=119&category=zz", "category")):
            status, body, _ = self.s.get(f"/api/v1/cases/nearby?{query}")
            self.assertEqual((status, body.get("field")), (422, field), (query, body))

    # ---- cockpit ----
    def test_cockpit_summary_for_a_region_and_period(self):
        status, before, _ = self.s.get(f"/api/v1/cockpit/summary?region={COUNTY}")
        self.assertEqual(status, 200, before)
        for key in ("intake", "open", "overdue", "yellow", "rates", "by_channel", "by_category", "by_day", "rankings"):
            self.assertIn(key, before)
        self.assertEqual(set(before["rates"]), {"response", "resolution", "satisfaction"})
        case = self.s.intake(channel="city_management", title="驾驶舱测试")
        self.act(case["id"], "dispatch", {"org": CGJ})
        self.act(case["id"], "accept", token=self.cgj)
        status, after, _ = self.s.get(f"/api/v1/cockpit/summary?region={COUNTY}")
        self.assertEqual(after["intake"], before["intake"] + 1, "kept live: no restart, no recomputation")
        channels = {x["channel"]: x["count"] for x in after["by_channel"]}
        self.assertGreaterEqual(channels.get("city_management", 0), 1)
        self.assertIn(STREET, [t["code"] for t in after["rankings"]["towns"]])
        self.assertIn(CGJ, [d["code"] for d in after["rankings"]["departments"]])
        self.assertIsNotNone(after["rates"]["response"])
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
        self.assertEqual(after["by_day"][-1]["date"], today)
        # A grid, a period with nothing in it.
        status, grid, _ = self.s.get(f"/api/v1/cockpit/summary?region=320923001001001&from=2020-01-01&to=2020-02-01")
        self.assertEqual((status, grid["intake"], grid["rates"]["satisfaction"]), (200, 0, None), grid)
        # Scope: the street's staff see their street, not another region; departments have no cockpit.
        status, body, _ = self.s.get(f"/api/v1/cockpit/summary?region={STREET}", token=self.town)
        self.assertEqual(status, 200, body)
        status, body, _ = self.s.get(f"/api/v1/cockpit/summary?region={COUNTY}", token=self.town)
        self.assertEqual(status, 403, body)
        status, body, _ = self.s.get("/api/v1/cockpit/summary", token=self.cgj)
        self.assertEqual(status, 403, body)
        for query, field in (("region=nope", "region"), ("from=yesterday", "from"), ("from=2026-02-01&to=2026-01-01", "to")):
            status, body, _ = self.s.get("/api/v1/cockpit/summary?" + query)
            self.assertEqual((status, body.get("field")), (422, field), (query, body))

    # ---- search ----
    def test_chinese_full_text_search(self):
        a = self.s.intake(title="井盖丢失", description="小区门口井盖丢失，夜间危险")
        b = self.s.intake(title="噪音扰民", description="楼下饭店夜间噪音很大")
        c = self.s.intake(title="Water leak", description="漏水 from the ceiling of the stairwell")
        for q, hit, miss in (("井盖", a, b), ("噪音", b, a), ("漏水", c, a), ("leak", c, b), ("WATER", c, b)):
            status, page, _ = self.s.get("/api/v1/cases?q=" + quote(q))
            self.assertEqual(status, 200, page)
            ids = [x["id"] for x in page["items"]]
            self.assertIn(hit["id"], ids, q)
            self.assertNotIn(miss["id"], ids, q)
        status, page, _ = self.s.get("/api/v1/cases?q=" + quote("井盖 夜间"))
        self.assertIn(a["id"], [x["id"] for x in page["items"]])
        status, page, _ = self.s.get("/api/v1/cases?q=" + quote("井盖 噪音"))
        self.assertNotIn(a["id"], [x["id"] for x in page["items"]], "every word is required")
        # A region filter narrows inside the index; region codes are not words of the text.
        status, page, _ = self.s.get("/api/v1/cases?region=320923001002&q=" + quote("井盖"))
        self.assertNotIn(a["id"], [x["id"] for x in page["items"]])
        status, page, _ = self.s.get("/api/v1/cases?region=320923001001&q=" + quote("井盖"))
        self.assertIn(a["id"], [x["id"] for x in page["items"]])
        status, page, _ = self.s.get("/api/v1/cases?q=r320923")
        self.assertEqual(page["items"], [])
        # Filters and visibility still apply.
        status, page, _ = self.s.get("/api/v1/cases?q=" + quote("井盖"), token=self.zjj)
        self.assertEqual(page["items"], [])
        status, body, _ = self.s.get("/api/v1/cases?q=" + quote("井"))
        self.assertEqual((status, body.get("field")), (422, "q"), body)
        status, body, _ = self.s.get("/api/v1/cases?q=" + quote('" OR NEAR('))
        self.assertIn(status, (200, 422), body)
        # Paging a ranked list.
        for _ in range(3):
            self.s.intake(title="井盖松动", description="井盖")
        status, page1, _ = self.s.get("/api/v1/cases?limit=2&q=" + quote("井盖"))
        self.assertTrue(page1["next_cursor"].startswith("o"))
        status, page2, _ = self.s.get("/api/v1/cases?limit=2&cursor=" + page1["next_cursor"] + "&q=" + quote("井盖"))
        self.assertEqual(status, 200, page2)
        self.assertFalse({x["id"] for x in page1["items"]} & {x["id"] for x in page2["items"]})
        status, body, _ = self.s.get("/api/v1/cases?limit=2&cursor=" + page1["next_cursor"])
        self.assertEqual(status, 400, body)


if __name__ == "__main__":
    unittest.main()
