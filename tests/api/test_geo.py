"""Locate and region import over real HTTP: CRS conversion, holes, edges, live re-indexing."""
import unittest

from harness import IN_GRID_1, IN_GRID_2, IN_HOLE, LAT0, LON0, Server, feature, gcj_to_bd, square, wgs_to_gcj


class GeoApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def locate(self, lat, lon, crs=None):
        q = f"/api/v1/locate?lat={lat!r}&lon={lon!r}" + (f"&crs={crs}" if crs else "")
        return self.s.get(q)

    def test_locate_returns_grid_and_ancestors(self):
        status, body, _ = self.locate(*IN_GRID_1)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["grid"], {"code": "320923001001001", "name": "向阳社区第1网格", "kind": "grid"})
        self.assertEqual([a["code"] for a in body["ancestors"]], ["320923", "320923001", "320923001001"])

    def test_hole_and_outside(self):
        status, body, _ = self.locate(*IN_HOLE)
        self.assertEqual(status, 404)
        self.assertEqual(body["status"], 404)
        status, _, _ = self.locate(10.0, 10.0)
        self.assertEqual(status, 404)

    def test_gcj02_and_bd09_are_converted(self):
        # A WGS-84 point just inside grid 1, 300 m from grid 2: its GCJ-02 coordinates (shifted ~500 m east)
        # fall in grid 2 if taken as WGS-84, so only a real conversion answers grid 1.
        lat, lon = LAT0 + 0.01, LON0 + 0.017
        glat, glon = wgs_to_gcj(lat, lon)
        self.assertEqual(self.locate(glat, glon)[1]["grid"]["code"], "320923001001002")
        status, body, _ = self.locate(glat, glon, "gcj02")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["grid"]["code"], "320923001001001")
        self.assertAlmostEqual(body["wgs84"]["lat"], lat, places=8)
        self.assertAlmostEqual(body["wgs84"]["lon"], lon, places=8)
        blat, blon = gcj_to_bd(glat, glon)
        status, body, _ = self.locate(blat, blon, "bd09")
        self.assertEqual(body["grid"]["code"], "320923001001001")
        self.assertAlmostEqual(body["wgs84"]["lon"], lon, places=5)

    def test_bad_parameters(self):
        for q, field in [("lat=91&lon=119", "lat"), ("lat=x&lon=119", "lat"), ("lon=119", "lat"),
                         ("lat=33&lon=181", "lon"), ("lat=33&lon=119&crs=utm", "crs")]:
            status, body, _ = self.s.get("/api/v1/locate?" + q)
            self.assertEqual(status, 422, q)
            self.assertEqual(body["field"], field, q)

    def test_region_tree(self):
        status, body, _ = self.s.get("/api/v1/regions/320923001001")
        self.assertEqual(status, 200)
        codes = [c["code"] for c in body["children"]]
        self.assertEqual(codes[:2], ["320923001001001", "320923001001002"])  # imports may add more
        self.assertEqual(codes, sorted(codes))
        self.assertEqual(body["ancestors"][0]["code"], "320923")
        status, _, _ = self.s.get("/api/v1/regions/nope")
        self.assertEqual(status, 404)

    def test_import_reindexes_without_restart(self):
        x0, y0 = LON0 + 0.10, LAT0
        new_grid = feature("320923001001003", "向阳社区第3网格", "grid", "320923001001", [square(x0, y0, x0 + 0.01, y0 + 0.01)])
        self.assertEqual(self.locate(y0 + 0.005, x0 + 0.005)[0], 404)
        status, body, _ = self.s.post("/api/v1/regions/import", {"type": "FeatureCollection", "features": [new_grid]})
        self.assertEqual(status, 200, body)
        status, body, _ = self.locate(y0 + 0.005, x0 + 0.005)
        self.assertEqual(body["grid"]["code"], "320923001001003")
        case = self.s.intake(location={"lat": y0 + 0.005, "lon": x0 + 0.005})
        self.assertEqual(case["grid"]["code"], "320923001001003")

    def test_cli_import_reaches_a_running_server(self):
        import json, os, time
        from harness import BIN
        x0, y0 = LON0 + 0.20, LAT0
        path = os.path.join(self.s.dir, "more.geojson")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": [
                feature("320923001001004", "向阳社区第4网格", "grid", "320923001001", [square(x0, y0, x0 + 0.01, y0 + 0.01)])]},
                f, ensure_ascii=False)
        self.s.run([BIN, "import", "regions", "--data", self.s.data, path])
        deadline = time.time() + 10
        while time.time() < deadline:
            status, body, _ = self.locate(y0 + 0.005, x0 + 0.005)
            if status == 200:
                break
            time.sleep(0.2)
        self.assertEqual(body["grid"]["code"], "320923001001004")

    def test_import_errors_name_the_feature(self):
        bad_ring = feature("320923001001009", "坏网格", "grid", "320923001001",
                           [[[LON0, LAT0], [LON0 + 1, LAT0], [LON0 + 1, LAT0 + 1], [LON0, LAT0 + 1]]])
        status, body, _ = self.s.post("/api/v1/regions/import", {"type": "FeatureCollection", "features": [bad_ring]})
        self.assertEqual(status, 422)
        self.assertIn("320923001001009", body["detail"])
        self.assertIn("closed", body["detail"])
        orphan = feature("320923009", "无名镇", "town", "999999")
        status, body, _ = self.s.post("/api/v1/regions/import", {"type": "FeatureCollection", "features": [orphan]})
        self.assertEqual(status, 422)
        self.assertIn("999999", body["detail"])
        self.assertEqual(self.s.get("/api/v1/regions/320923009")[0], 404)
        # Re-parenting a stored region under its own descendant is refused, and nothing is written.
        cycle = feature("320923001", "阜城街道", "street", "320923001001")
        status, body, _ = self.s.post("/api/v1/regions/import", {"type": "FeatureCollection", "features": [cycle]})
        self.assertEqual(status, 422, body)
        self.assertEqual(self.s.get("/api/v1/regions/320923001")[1]["parent"], "320923")
        status, _, _ = self.s.request("POST", "/api/v1/regions/import", raw=b"{oops")
        self.assertEqual(status, 400)
        status, _, _ = self.s.post("/api/v1/regions/import", {"type": 5, "features": []})
        self.assertEqual(status, 422)

    def test_categories_and_orgs(self):
        status, body, _ = self.s.get("/api/v1/categories")
        self.assertEqual(status, 200)
        cats = {c["code"]: c for c in body["items"]}
        self.assertGreater(len(cats), 200)
        self.assertEqual(cats["06"]["parent"], None)
        self.assertEqual(cats["06001"]["parent"], "06")
        self.assertTrue(cats["06001"]["name_en"])
        status, body, _ = self.s.post("/api/v1/categories", {"code": "06999", "parent": "06", "name_zh": "测试",
                                                              "name_en": "Test", "accept_hours": 0.5,
                                                              "resolve_days": 2})
        self.assertEqual(status, 201, body)
        case = self.s.intake(category="06999")
        self.assertEqual(case["category"], "06999")
        status, body, _ = self.s.post("/api/v1/categories", {"code": "07999", "parent": "06", "name_zh": "x",
                                                              "accept_hours": 1, "resolve_days": 1})
        self.assertEqual((status, body["field"]), (422, "code"))
        status, body, _ = self.s.get("/api/v1/orgs")
        self.assertIn("320923-cgj", [o["code"] for o in body["items"]])


if __name__ == "__main__":
    unittest.main()
