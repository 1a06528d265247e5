"""The working calendar over real HTTP (issue 16 item 3): every year's statutory holidays by rule, the published
adjustments (调休) and their import, deadlines across New Year 2027, and the warning from 1 October when next
year's adjustments are missing (in /metrics, the cockpit and `civicgrid check`).

The server's clock is set with CIVICGRID_TEST_NOW (where the clock stands when a process starts; it runs on)."""
import datetime
import os
import subprocess
import tempfile
import time
import unittest

from harness import BIN, Server

NOW = "2026-12-31T10:00:00+08:00"  # a Thursday; 1 January 2027 is a Friday

# Adjustments for 2027 as a test invents them (the State Council has not published 2027's when this is written).
ADJUSTMENTS_2027 = "date,kind,name\n2027-02-09,holiday,春节\n2027-02-10,holiday,春节\n2027-02-20,workday,春节\n"

RULE_2027 = [
    ("2027-01-01", "元旦"), ("2027-02-05", "春节"), ("2027-02-06", "春节"), ("2027-02-07", "春节"),
    ("2027-02-08", "春节"), ("2027-04-05", "清明节"), ("2027-05-01", "劳动节"), ("2027-05-02", "劳动节"),
    ("2027-06-09", "端午节"), ("2027-09-15", "中秋节"), ("2027-10-01", "国庆节"), ("2027-10-02", "国庆节"),
    ("2027-10-03", "国庆节"),
]


class CalendarApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Every process of this store (init, token, serve) runs on the same moved clock.
        cls.saved_now = os.environ.get("CIVICGRID_TEST_NOW")
        os.environ["CIVICGRID_TEST_NOW"] = NOW
        cls.s = Server()
        cls.staff, _ = cls.s.add_user("dispatcher.li", "dispatcher", "320923")
        cls.s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()
        if cls.saved_now is None:
            os.environ.pop("CIVICGRID_TEST_NOW", None)
        else:
            os.environ["CIVICGRID_TEST_NOW"] = cls.saved_now

    def calendar(self, year, **kw):
        status, body, _ = self.s.get(f"/api/v1/calendar?year={year}", **kw)
        self.assertEqual(status, 200, body)
        return body

    def check(self, now):
        env = dict(os.environ, CIVICGRID_TEST_NOW=now)
        p = subprocess.run([BIN, "check", "--data", self.s.data], capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)  # a warning never fails the check
        self.assertRegex(p.stdout, r"^\d+ cases ok\n$")  # and stays off the result line
        # stderr also says that CIVICGRID_TEST_NOW is set; keep the calendar's warning lines only.
        return "".join(line for line in p.stderr.splitlines(True) if "CIVICGRID_TEST_NOW" not in line)

    def metric(self, name):
        status, text, _ = self.s.get("/metrics", token=None)
        self.assertEqual(status, 200)
        for line in text.splitlines():
            if line.startswith(name + " "):
                return line.split()[1]
        self.fail(f"{name} not in /metrics")

    def warnings(self):
        status, body, _ = self.s.get("/api/v1/cockpit/summary")
        self.assertEqual(status, 200, body)
        return body["warnings"]

    def test_a_year_by_rule(self):
        body = self.calendar(2027)
        self.assertEqual(list(body), ["year", "adjustments_published", "days"])
        self.assertEqual(body["year"], 2027)
        self.assertIs(body["adjustments_published"], False)
        self.assertEqual(body["days"][0], {"date": "2027-01-01", "working": False, "source": "rule", "name": "元旦"})
        self.assertEqual([(d["date"], d["name"]) for d in body["days"]], RULE_2027)
        self.assertTrue(all(d["source"] == "rule" and d["working"] is False for d in body["days"]))
        # Any authenticated caller may read it; the last year of the rule too (12 days when 中秋 meets 国庆, else 13).
        late = self.calendar(2099, token=self.staff)
        self.assertIn(len(late["days"]), (12, 13))
        self.assertEqual(late["days"], sorted(late["days"], key=lambda d: d["date"]))

    def test_the_shipped_years_are_published(self):
        body = self.calendar(2025)
        self.assertIs(body["adjustments_published"], True)
        days = {d["date"]: d for d in body["days"]}
        self.assertEqual(days["2025-01-28"], {"date": "2025-01-28", "working": False, "source": "rule", "name": "春节"})
        self.assertEqual(days["2025-02-04"], {"date": "2025-02-04", "working": False, "source": "published",
                                              "name": "春节"})
        self.assertEqual(days["2025-01-26"], {"date": "2025-01-26", "working": True, "source": "published",
                                              "name": "春节"})
        self.assertNotIn("2025-02-01", days)  # a Saturday inside the holiday: an ordinary weekend
        self.assertEqual([d["date"] for d in body["days"]], sorted(days))
        self.assertIs(self.calendar(2026)["adjustments_published"], True)

    def test_bad_years_are_400_naming_year(self):
        for q in ["", "?year=", "?year=abc", "?year=2027.5", "?year=2024", "?year=2100", "?year=-2027",
                  "?year=99999999999"]:
            status, body, _ = self.s.get("/api/v1/calendar" + q)
            self.assertEqual(status, 400, q)
            self.assertEqual(body["field"], "year", q)
        status, _, _ = self.s.get("/api/v1/calendar?year=2027", token=None)
        self.assertEqual(status, 401)

    def test_a_deadline_across_new_year_2027_skips_it(self):
        case = self.s.intake()  # 06001: 15 working days
        created = datetime.datetime.fromisoformat(case["created_at"])
        self.assertEqual(created.date(), datetime.date(2026, 12, 31))
        resolve_by = datetime.datetime.fromisoformat(case["deadlines"]["resolve_by"])
        # Thu 31 Dec counts from now, Fri 1 Jan (元旦) and the weekend do not: 4–8, 11–15, 18–21 Jan make 14
        # more, so the 15th working day ends on Fri 22 Jan at the same time of day (21 Jan without the rule).
        self.assertEqual(resolve_by.date(), datetime.date(2027, 1, 22))
        self.assertEqual(resolve_by.time().replace(microsecond=0), created.time().replace(microsecond=0))

    def test_import_and_the_warning_from_first_october(self):
        # Before the import: 2027's adjustments are missing, and it is 31 December.
        self.assertEqual(self.metric("civicgrid_calendar_next_year_published"), "0")
        self.assertEqual(self.metric("civicgrid_calendar_warning"), "1")
        warnings = self.warnings()
        self.assertEqual(len(warnings), 1)
        self.assertIn("2027", warnings[0])
        self.assertIn("warning:", self.check("2026-10-01T08:00:00+08:00"))
        self.assertIn("2027", self.check("2026-10-01T08:00:00+08:00"))
        self.assertNotIn("warning", self.check("2026-09-30T23:00:00+08:00"))  # not before 1 October

        # Only an admin imports; a bad file is refused whole, naming the line.
        status, _, _ = self.s.request("POST", "/api/v1/calendar/import", raw=ADJUSTMENTS_2027.encode(),
                                      token=self.staff)
        self.assertEqual(status, 403)
        bad = ADJUSTMENTS_2027 + "2027-02-11,workday,春节\n"  # a Thursday is no working weekend day
        status, body, _ = self.s.request("POST", "/api/v1/calendar/import", raw=bad.encode())
        self.assertEqual(status, 422, body)
        self.assertEqual(body["field"], "holidays line 5")
        self.assertIs(self.calendar(2027)["adjustments_published"], False)

        status, body, _ = self.s.request("POST", "/api/v1/calendar/import", raw=ADJUSTMENTS_2027.encode(),
                                         headers={"Content-Type": "text/csv"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"imported": 3, "years": [2027]})
        after = self.calendar(2027)
        self.assertIs(after["adjustments_published"], True)
        days = {d["date"]: d for d in after["days"]}
        self.assertEqual(days["2027-02-09"], {"date": "2027-02-09", "working": False, "source": "published",
                                              "name": "春节"})
        self.assertEqual(days["2027-02-20"], {"date": "2027-02-20", "working": True, "source": "published",
                                              "name": "春节"})
        self.assertEqual(days["2027-02-08"]["source"], "rule")
        self.assertEqual(len(after["days"]), len(RULE_2027) + 3)
        self.assertEqual([d["date"] for d in after["days"]], sorted(days))
        self.assertEqual(self.metric("civicgrid_calendar_next_year_published"), "1")
        self.assertEqual(self.metric("civicgrid_calendar_warning"), "0")
        self.assertEqual(self.warnings(), [])
        self.assertNotIn("warning", self.check("2026-10-01T08:00:00+08:00"))
        # The shipped years are untouched.
        self.assertIs(self.calendar(2025)["adjustments_published"], True)

        # A second file for 2027 replaces the first; the CLI import reaches the running server too.
        with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False) as f:
            f.write("date,kind,name\n2027-02-20,workday,春节\n2028-01-29,workday,春节\n")
        try:
            out = self.s.run([BIN, "import", "holidays", "--data", self.s.data, f.name])
        finally:
            os.unlink(f.name)
        self.assertIn("imported 2 holiday rows for 2027 2028", out)
        deadline = time.time() + 10
        while time.time() < deadline and not self.calendar(2028)["adjustments_published"]:
            time.sleep(0.2)
        self.assertIs(self.calendar(2028)["adjustments_published"], True)
        dates = [d["date"] for d in self.calendar(2027)["days"] if d["source"] == "published"]
        self.assertEqual(dates, ["2027-02-20"])


if __name__ == "__main__":
    unittest.main()
