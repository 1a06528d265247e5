"""Issue 16, item 7: bytes in, the right text stored. CSV imports take UTF-8 (with or without Excel's BOM) and
GB18030/GBK (Excel's plain "CSV" on Chinese Windows), converted; GeoJSON takes UTF-8 only (a BOM is dropped);
anything else is refused whole, naming the line, and nothing is written. Both doors: the HTTP import and
`civicgrid import`."""
import json
import os
import subprocess
import time
import unittest

from harness import BIN, Server, test_regions

# A 4-byte GB18030 character (𠀀 U+20000, 95 32 82 36) beside GBK ones.
GB_ORGS = ("code,name,kind,region\n"
           "320923-sjj,阜宁县市场监督管理局,department,320923\n"
           "320923-x,𠀀字号调解中心€,department,320923\n")
# Latin-1: "Café," is E9 2C, neither UTF-8 nor GB18030; line 2 alone would be fine.
LATIN1_ORGS = ("code,name,kind,region\n"
               "320923-ok,Service Center,department,320923\n"
               "320923-cafe,Café,department,320923\n")


class EncodingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()
        cls.s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def write(self, name, data):
        path = os.path.join(self.s.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def import_cli(self, kind, path):
        return subprocess.run([BIN, "import", kind, "--data", self.s.data, path], capture_output=True, text=True,
                              timeout=120)

    def orgs(self):
        status, body, _ = self.s.get("/api/v1/orgs")
        self.assertEqual(status, 200, body)
        return {o["code"]: o["name"] for o in body["items"]}

    def test_gb18030_orgs_are_stored_as_the_names_they_are(self):
        data = GB_ORGS.encode("gb18030")
        with self.assertRaises(UnicodeDecodeError):
            data.decode("utf-8")  # the file really is not UTF-8
        p = self.import_cli("orgs", self.write("orgs-gb.csv", data))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("imported 2 organisations", p.stdout)
        deadline = time.time() + 10  # the running server picks the change up within two seconds
        while time.time() < deadline and "320923-x" not in self.orgs():
            time.sleep(0.2)
        orgs = self.orgs()
        self.assertEqual(orgs["320923-sjj"], "阜宁县市场监督管理局")
        self.assertEqual(orgs["320923-x"], "𠀀字号调解中心€")
        # Excel's "CSV UTF-8" (with a BOM) reads the same.
        p = self.import_cli("orgs", self.write("orgs-bom.csv", b"\xef\xbb\xbf" + GB_ORGS.replace(
            "调解中心", "人民调解中心").encode("utf-8")))
        self.assertEqual(p.returncode, 0, p.stderr)
        deadline = time.time() + 10
        while time.time() < deadline and self.orgs()["320923-x"] != "𠀀字号人民调解中心€":
            time.sleep(0.2)
        self.assertEqual(self.orgs()["320923-x"], "𠀀字号人民调解中心€")

    def test_latin1_orgs_are_refused_naming_the_line_and_nothing_is_written(self):
        before = self.orgs()
        p = self.import_cli("orgs", self.write("orgs-latin1.csv", LATIN1_ORGS.encode("latin-1")))
        self.assertEqual(p.returncode, 2, p.stdout)  # 2: the input is wrong (a 422 over HTTP)
        self.assertIn("encoding: organisations CSV: line 3, byte offset 80: the bytes 0xE9 0x2C", p.stderr)
        self.assertIn("neither UTF-8 nor GB18030", p.stderr)
        time.sleep(2.5)
        after = self.orgs()
        self.assertEqual(after, before)
        self.assertNotIn("320923-ok", after)  # line 2 was fine, but the file is refused whole

    def test_utf16_is_refused_with_what_to_do(self):
        p = self.import_cli("orgs", self.write("orgs-utf16.csv", GB_ORGS.encode("utf-16")))  # with its BOM
        self.assertEqual(p.returncode, 2)
        self.assertIn("UTF-16", p.stderr)
        self.assertIn("CSV UTF-8", p.stderr)
        p = self.import_cli("routing", self.write("routing-utf16le.csv", "category,region,org\n".encode("utf-16-le")))
        self.assertEqual(p.returncode, 2)
        self.assertIn("routing rules CSV: line 1, byte offset 1: a NUL byte", p.stderr)
        status, body, _ = self.s.request("POST", "/api/v1/calendar/import",
                                         raw="date,kind,name\n2027-02-20,workday,春节\n".encode("utf-16"))
        self.assertEqual(status, 422, body)
        self.assertEqual(body["field"], "encoding")
        self.assertIn("UTF-16", body["detail"])

    def test_routing_latin1_is_refused(self):
        p = self.import_cli("routing", self.write("routing-latin1.csv",
                                                  "category,region,org\n06,320923,Caf\xe9\n".encode("latin-1")))
        self.assertEqual(p.returncode, 2)
        self.assertIn("routing rules CSV: line 2", p.stderr)

    def test_gb18030_holidays_over_http(self):
        csv = "date,kind,name\n2031-01-25,workday,春节\n".encode("gb18030")
        status, body, _ = self.s.request("POST", "/api/v1/calendar/import", raw=csv,
                                         headers={"Content-Type": "text/csv"})
        self.assertEqual(status, 200, body)
        status, body, _ = self.s.get("/api/v1/calendar?year=2031")
        self.assertEqual(status, 200, body)
        days = {d["date"]: d for d in body["days"]}
        self.assertEqual(days["2031-01-25"], {"date": "2031-01-25", "working": True, "source": "published",
                                              "name": "春节"})
        # Bad bytes over HTTP: 422 naming the line, and the year stays as it was.
        bad = "date,kind,name\n2032-02-07,workday,春节\n2032-02-08,workday,Caf".encode("utf-8") + b"\xe9\n"
        status, body, _ = self.s.request("POST", "/api/v1/calendar/import", raw=bad)
        self.assertEqual(status, 422, body)
        self.assertEqual(body["field"], "encoding")
        self.assertIn("holiday adjustments CSV: line 3", body["detail"])
        status, body, _ = self.s.get("/api/v1/calendar?year=2032")
        self.assertIs(body["adjustments_published"], False)

    def test_geojson_is_utf8_with_an_optional_bom(self):
        text = json.dumps(test_regions(), ensure_ascii=False)
        status, body, _ = self.s.request("POST", "/api/v1/regions/import",
                                         raw=b"\xef\xbb\xbf" + text.encode("utf-8"))
        self.assertEqual(status, 200, body)
        status, body, _ = self.s.request("POST", "/api/v1/regions/import", raw=text.encode("gb18030"))
        self.assertEqual(status, 422, body)
        self.assertEqual(body["field"], "encoding")
        self.assertIn("GB18030", body["detail"])
        self.assertIn("RFC 8259", body["detail"])
        status, body, _ = self.s.get("/api/v1/regions/320923001001")
        self.assertEqual(body["name"], "向阳社区")
        p = self.import_cli("regions", self.write("regions-gb.geojson", text.encode("gb18030")))
        self.assertEqual(p.returncode, 2)
        self.assertIn("GB18030", p.stderr)


if __name__ == "__main__":
    unittest.main()
