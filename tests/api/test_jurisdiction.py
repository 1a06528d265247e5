"""Issue 16 item 1: an action names only organisations of the case's county, and moves a case only up to
the caller's own level. Each of these answered 200 before (a Funing dispatcher dispatched to Xiangshui's
bureau, a town whistled with another county's lead, community staff escalated a town's case to joint
handling)."""
import json
import os
import unittest

from harness import BIN, IN_GRID_1, Server, feature, square

# A second county beside the test county, with bureaus of its own.
OTHER_COUNTY = {"type": "FeatureCollection", "features": [
    feature("320921", "响水县", "county"),
    feature("320921100", "响水镇", "town", "320921"),
    feature("320921100001", "西园社区", "community", "320921100"),
    feature("320921100001001", "西园社区第1网格", "grid", "320921100001",
            [square(119.50, 34.10, 119.52, 34.12)]),
]}
ORGS = """code,name,kind,region
320921-jtj,响水县交通运输局,department,320921
320921-cgj,响水县城市管理局,department,320921
320923001002,光明社区居委会,community,320923001002
"""


class JurisdictionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()
        regions = os.path.join(cls.s.dir, "other.geojson")
        with open(regions, "w", encoding="utf-8") as f:
            json.dump(OTHER_COUNTY, f, ensure_ascii=False)
        cls.s.run([BIN, "import", "regions", "--data", cls.s.data, regions])
        orgs = os.path.join(cls.s.dir, "other.csv")
        with open(orgs, "w", encoding="utf-8") as f:
            f.write(ORGS)
        cls.s.run([BIN, "import", "orgs", "--data", cls.s.data, orgs])
        cls.dispatcher, _ = cls.s.add_user("funing.dispatcher", "dispatcher", "320923")
        cls.town, _ = cls.s.add_user("street.staff", "town_staff", "320923001")
        cls.community, _ = cls.s.add_user("xiangyang.staff", "community_staff", "320923001001")
        cls.s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def new_case(self):
        return self.s.intake()["id"]

    def refused(self, status, body, field):
        self.assertEqual(status, 422, body)
        self.assertEqual(body["field"], field, body)

    def test_dispatch_names_only_an_organisation_of_the_cases_county(self):
        case = self.new_case()
        status, body, _ = self.s.post(f"/api/v1/cases/{case}/dispatch", {"org": "320921-jtj"}, token=self.dispatcher)
        self.refused(status, body, "org")
        self.assertIn("320921", body["detail"])
        # The admin too: a case of one county is not handled by another county's bureau.
        status, body, _ = self.s.post(f"/api/v1/cases/{case}/dispatch", {"org": "320921-jtj"})
        self.refused(status, body, "org")
        events = self.s.get(f"/api/v1/cases/{case}/events")[1]["items"]
        self.assertEqual([e["type"] for e in events], ["received"], "nothing written")
        # A bureau of its own county is fine.
        status, body, _ = self.s.post(f"/api/v1/cases/{case}/dispatch", {"org": "320923-cgj"}, token=self.dispatcher)
        self.assertEqual(status, 200, body)

    def test_a_whistle_names_only_departments_of_the_cases_county(self):
        case = self.new_case()
        status, body, _ = self.s.post(f"/api/v1/cases/{case}/dispatch", {"org": "320923001"}, token=self.dispatcher)
        self.assertEqual(status, 200, body)
        status, body, _ = self.s.post(f"/api/v1/cases/{case}/whistle", {"lead": "320921-cgj"}, token=self.town)
        self.refused(status, body, "lead")
        status, body, _ = self.s.post(f"/api/v1/cases/{case}/whistle",
                                   {"lead": "320923-cgj", "co": ["320923-zjj", "320921-jtj"]}, token=self.town)
        self.refused(status, body, "co")
        status, body, _ = self.s.post(f"/api/v1/cases/{case}/whistle",
                                   {"lead": "320923-cgj", "co": ["320923-zjj"]}, token=self.town)
        self.assertEqual(status, 200, body)

    def test_escalation_goes_only_up_from_the_callers_own_level(self):
        case = self.new_case()
        # The community hands its own case up to the town …
        status, body, _ = self.s.post(f"/api/v1/cases/{case}/escalate", {"reason": "社区无法解决"}, token=self.community)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["level"], "town")
        # … but may not push the town's case on to joint handling.
        status, body, _ = self.s.post(f"/api/v1/cases/{case}/escalate", {"reason": "再上报"}, token=self.community)
        self.refused(status, body, "level")
        self.assertEqual(self.s.get(f"/api/v1/cases/{case}")[1]["level"], "town")
        # The town may.
        status, body, _ = self.s.post(f"/api/v1/cases/{case}/escalate", {"reason": "联合处置"}, token=self.town)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["level"], "joint")

    def test_a_routing_rule_names_only_an_organisation_serving_its_places(self):
        status, body, _ = self.s.post("/api/v1/routing-rules",
                                      {"category": "18", "region": "320923", "org": "320921-jtj"})
        self.refused(status, body, "org")
        # A rule for anywhere would send every county's cases to one county's bureau.
        status, body, _ = self.s.post("/api/v1/routing-rules", {"category": "18", "org": "320923-cgj"})
        self.refused(status, body, "org")
        status, body, _ = self.s.post("/api/v1/routing-rules", {"category": "18", "org": "community"})
        self.assertEqual(status, 201, body)
        status, body, _ = self.s.post("/api/v1/routing-rules",
                                      {"category": "18", "region": "320923001", "org": "320923-cgj"})
        self.assertEqual(status, 201, body)


if __name__ == "__main__":
    unittest.main()
