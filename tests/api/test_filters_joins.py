"""Silent filters and duplicate joins over real HTTP (issue 16 items 5 and 6).

Every route that reads query parameters refuses one it does not know, or a second value of one that takes a
single value, with 400 naming it; status, category and org take every value; number filters; light and
overdue are refused by name until they are built. A join is validated like intake and idempotent per reporter.
"""
import unittest

from harness import IN_GRID_1, Server


class Filters(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.s = Server()
        cls.resident, _ = s.add_user("resident.wang", "resident", "320923")
        s.start()
        cls.a = s.intake(title="路灯不亮")
        cls.b = s.intake(title="井盖缺失")
        cls.c = s.intake(title="垃圾堆放")
        status, reply, _ = s.post(f"/api/v1/cases/{cls.b['id']}/dispatch", {"org": "320923001001"})
        assert status == 200, reply
        status, reply, _ = s.post(f"/api/v1/cases/{cls.c['id']}/invalid", {"reason": "重复"})
        cls.c_invalid = status == 200

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def ids(self, path):
        status, page, _ = self.s.get(path)
        self.assertEqual(status, 200, page)
        return {x["id"] for x in page["items"]}

    def assert_400(self, path, field, token="default"):
        status, reply, _ = self.s.get(path, token=token)
        self.assertEqual(status, 400, (path, reply))
        self.assertEqual(reply.get("field"), field, (path, reply))
        self.assertIn(field, reply.get("detail", ""), (path, reply))

    def test_unknown_parameter_on_every_route(self):
        lat, lon = IN_GRID_1
        for path in ["/api/v1/cases?colour=red", f"/api/v1/cases/nearby?lat={lat}&lon={lon}&colour=red",
                     "/api/v1/audit?colour=red", "/api/v1/cockpit/summary?colour=red",
                     "/api/v1/calendar?year=2026&colour=red", "/api/v1/routing-rules?colour=red",
                     "/api/v1/regions/320923?colour=red", "/api/v1/orgs?colour=red", "/api/v1/categories?colour=red",
                     f"/api/v1/locate?lat={lat}&lon={lon}&colour=red", "/api/v1/me?colour=red",
                     f"/api/v1/cases/{self.a['id']}?colour=red", f"/api/v1/cases/{self.a['id']}/events?colour=red"]:
            self.assert_400(path, "colour")

    def test_single_parameter_repeated(self):
        lat, lon = IN_GRID_1
        self.assert_400("/api/v1/cases?limit=1&limit=2", "limit")
        self.assert_400("/api/v1/cases?region=320923&region=320923001", "region")
        self.assert_400(f"/api/v1/cases/nearby?lat={lat}&lon={lon}&radius=10&radius=20", "radius")
        self.assert_400("/api/v1/calendar?year=2026&year=2027", "year")
        self.assert_400("/api/v1/cockpit/summary?region=320923&region=320923", "region")

    def test_status_takes_every_value(self):
        a, b = self.a["id"], self.b["id"]
        self.assertEqual(self.ids("/api/v1/cases?status=received") & {a, b}, {a})
        self.assertEqual(self.ids("/api/v1/cases?status=dispatched") & {a, b}, {b})
        both = self.ids("/api/v1/cases?status=received&status=dispatched")
        self.assertTrue({a, b} <= both, both)
        if self.c_invalid:
            self.assertNotIn(self.c["id"], both)
        # Keyset paging still walks the union, one page at a time, without repeats.
        seen, cursor = [], None
        while True:
            path = "/api/v1/cases?status=received&status=dispatched&limit=1"
            status, page, _ = self.s.get(path + (f"&cursor={cursor}" if cursor else ""))
            self.assertEqual(status, 200, page)
            seen += [x["id"] for x in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(set(seen), both)

    def test_org_and_category_take_every_value(self):
        b = self.b["id"]
        self.assertIn(b, self.ids("/api/v1/cases?org=320923001001&org=320923-cgj"))
        self.assertNotIn(b, self.ids("/api/v1/cases?org=320923-cgj"))
        self.assertIn(b, self.ids("/api/v1/cases?category=06&category=07"))
        self.assertNotIn(b, self.ids("/api/v1/cases?category=07"))

    def test_number_filters(self):
        self.assertEqual(self.ids(f"/api/v1/cases?number={self.a['number']}"), {self.a["id"]})
        self.assertEqual(self.ids("/api/v1/cases?number=GD19990101-000001"), set())

    def test_light_and_overdue_refused_not_ignored(self):
        self.assert_400("/api/v1/cases?light=red", "light")
        self.assert_400("/api/v1/cases?overdue=true", "overdue")


class Joins(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.s = Server()
        cls.resident, _ = s.add_user("resident.li", "resident", "320923")
        s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def join(self, case, body, token="default"):
        status, reply, _ = self.s.post(f"/api/v1/cases/{case['id']}/join", body, token=token)
        return status, reply

    def reporters(self, case):
        status, c, _ = self.s.get(f"/api/v1/cases/{case['id']}")
        self.assertEqual(status, 200, c)
        return len(c["joined_reporters"])

    def test_same_phone_counted_once(self):
        case = self.s.intake(title="噪音扰民")
        status, first = self.join(case, {"reporter": {"name": "孙八", "phone": "139 1111 2222"}})
        self.assertEqual(status, 200, first)
        # The same number written differently is the same reporter: nothing changes, the same answer.
        status, again = self.join(case, {"reporter": {"name": "孙八", "phone": "+86 13911112222"}})
        self.assertEqual(status, 200, again)
        self.assertEqual(again, first)
        self.assertEqual(self.reporters(case), 1)
        self.assertEqual(first["reporters"], 2)
        # The first reporter's own number joins nobody new either.
        status, own = self.join(case, {"reporter": {"phone": "13812345678"}})
        self.assertEqual(status, 200, own)
        self.assertEqual(own["reporter"], 0)
        self.assertEqual(self.reporters(case), 1)

    def test_signed_in_resident_counted_once(self):
        case = self.s.intake(title="路面塌陷")
        status, first = self.join(case, {"reporter": {"name": "李四"}}, token=self.resident)
        self.assertEqual(status, 200, first)
        status, again = self.join(case, {"reporter": {"name": "李四"}}, token=self.resident)
        self.assertEqual(status, 200, again)
        self.assertEqual(again, first)
        self.assertEqual(self.reporters(case), 1)

    def test_empty_join_refused(self):
        case = self.s.intake(title="绿化带损坏")
        for body in [{}, {"reporter": {}}, {"reporter": {"name": "\u3000\u200b"}}]:
            status, reply = self.join(case, body)
            self.assertEqual(status, 422, (body, reply))
            self.assertEqual(reply.get("field"), "reporter", (body, reply))
        self.assertEqual(self.reporters(case), 0)

    def test_join_validated_like_intake(self):
        case = self.s.intake(title="占道经营")
        for body, field in [({"reporter": {"name": "王五", "phone": "12345"}}, "reporter.phone"),
                            ({"reporter": {"name": "a\u0000b"}}, "reporter.name"),
                            ({"reporter": {"name": "长" * 101}}, "reporter.name")]:
            status, reply = self.join(case, body)
            self.assertEqual(status, 422, (body, reply))
            self.assertEqual(reply.get("field"), field, (body, reply))
            status, reply, _ = self.s.post("/api/v1/cases", {"channel": "12345", "category": "06001", "title": "t",
                                                             "reporter": body["reporter"]})
            self.assertEqual(status, 422, (body, reply))
            self.assertEqual(reply.get("field"), field, (body, reply))
        self.assertEqual(self.reporters(case), 0)


if __name__ == "__main__":
    unittest.main()
