"""Starts the real civicgrid binary on a temporary store and a free port, and talks HTTP to it.

Every API test goes through this: no mocks, the same binary `make demo` serves.
"""
import base64
import hashlib
import hmac
import http.client
import json
import struct
import math
import os
import shutil
import signal
import subprocess
import tempfile
import time

BIN = os.environ.get("CIVICGRID_BIN", os.path.join(os.path.dirname(__file__), "../../build/civicgrid"))
ADMIN_PASSWORD = "Test-Admin-Password-1"

# A small county near Funing: two side-by-side grids in one community, a third grid with a hole.
LON0, LAT0 = 119.80, 33.77


def square(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def feature(code, name, kind, parent=None, rings=None):
    props = {"code": code, "name": name, "kind": kind}
    if parent:
        props["parent"] = parent
    geometry = {"type": "Polygon", "coordinates": rings} if rings else None
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_regions():
    return {"type": "FeatureCollection", "features": [
        feature("320923001001001", "向阳社区第1网格", "grid", "320923001001",
                [square(LON0, LAT0, LON0 + 0.02, LAT0 + 0.02)]),
        feature("320923001001002", "向阳社区第2网格", "grid", "320923001001",
                [square(LON0 + 0.02, LAT0, LON0 + 0.04, LAT0 + 0.02)]),
        feature("320923001002001", "光明社区第1网格", "grid", "320923001002",
                [square(LON0, LAT0 + 0.02, LON0 + 0.04, LAT0 + 0.04),
                 square(LON0 + 0.015, LAT0 + 0.025, LON0 + 0.025, LAT0 + 0.035)]),
        feature("320923001001", "向阳社区", "community", "320923001"),
        feature("320923001002", "光明社区", "community", "320923001"),
        feature("320923001", "阜城街道", "street", "320923"),
        feature("320923", "阜宁县", "county"),
    ]}


ORGS_CSV = """code,name,kind,region
320923-centre,阜宁县网格化社会治理服务中心,centre,320923
320923-cgj,阜宁县城市管理局,department,320923
320923-zjj,阜宁县住房和城乡建设局,department,320923
320923001,阜城街道办事处,street,320923001
320923001001,向阳社区居委会,community,320923001001
"""

IN_GRID_1 = (LAT0 + 0.01, LON0 + 0.01)   # (lat, lon) inside grid 1
IN_GRID_2 = (LAT0 + 0.01, LON0 + 0.03)
IN_HOLE = (LAT0 + 0.03, LON0 + 0.02)


class Server:
    def __init__(self, demo_cases=None, data=None):
        """data: where the store goes (a directory that need not exist yet); by default inside self.dir."""
        self.dir = tempfile.mkdtemp(prefix="civicgrid-api-")
        self.data = data or os.path.join(self.dir, "data")
        self.proc = None
        self.port = None
        self._conn = None
        args = [BIN, "init", "--data", self.data, "--admin-password-stdin"]
        if demo_cases is not None:
            args += ["--demo", "--demo-cases", str(demo_cases)]
        out = self.run(args, input=ADMIN_PASSWORD + "\n")
        self.admin_totp = out.split("secret=")[1].split("&")[0] if "secret=" in out else None
        self.init_output = out
        if demo_cases is None:
            regions = os.path.join(self.dir, "regions.geojson")
            with open(regions, "w", encoding="utf-8") as f:
                json.dump(test_regions(), f, ensure_ascii=False)
            self.run([BIN, "import", "regions", "--data", self.data, regions])
            orgs = os.path.join(self.dir, "orgs.csv")
            with open(orgs, "w", encoding="utf-8") as f:
                f.write(ORGS_CSV)
            self.run([BIN, "import", "orgs", "--data", self.data, orgs])
        self.token = self.run([BIN, "token", "--data", self.data, "--user", "admin"]).strip()

    def run(self, args, input=None, check=True):
        p = subprocess.run(args, input=input, capture_output=True, text=True, timeout=600)
        if check and p.returncode != 0:
            raise AssertionError(f"{args[1:3]} failed ({p.returncode}): {p.stderr}")
        return p.stdout

    def add_user(self, login, role, scope, password="Some-Password-123"):
        out = self.run([BIN, "user", "add", "--data", self.data, "--login", login, "--role", role,
                        "--scope", scope, "--password-stdin"], input=password + "\n")
        secret = out.split("secret=")[1].split("&")[0] if "secret=" in out else None
        token = self.run([BIN, "token", "--data", self.data, "--user", login]).strip()
        return token, secret

    def start(self, *extra_args, preexec_fn=None):
        """extra_args go to `civicgrid serve` (e.g. "--header-timeout", "2"); preexec_fn runs in the child."""
        self.log_path = os.path.join(self.dir, "server.log")
        self._log = open(self.log_path, "a", encoding="utf-8")
        self.proc = subprocess.Popen([BIN, "serve", "--data", self.data, "--listen", "127.0.0.1:0", *extra_args],
                                     stdout=subprocess.PIPE, stderr=self._log, text=True, preexec_fn=preexec_fn)
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            raise AssertionError("server did not start: " + line + open(self.log_path).read())
        self.port = int(line.rsplit(":", 1)[1])
        self._conn = None
        return self

    def stop(self, kill=False):
        if self.proc:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.proc.wait(timeout=30)
            self.proc.stdout.close()
            self._log.close()
            self.proc = None
        if self._conn:
            self._conn.close()
            self._conn = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def request(self, method, path, body=None, token="default", headers=None, raw=None):
        """Returns (status, parsed JSON or text, headers). Keeps one keep-alive connection."""
        h = {} if headers is None else dict(headers)
        if token == "default":
            token = self.token
        if token:
            h["Authorization"] = "Bearer " + token
        data = raw
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            h["Content-Type"] = "application/json"
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self._conn.request(method, path, body=data, headers=h)
                r = self._conn.getresponse()
                text = r.read().decode("utf-8")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._conn.close()
                self._conn = None
                if attempt == 1:
                    raise
        if r.getheader("Connection", "").lower() == "close":
            self._conn.close()
            self._conn = None
        ctype = r.getheader("Content-Type", "")
        parsed = json.loads(text) if "json" in ctype and text else text
        return r.status, parsed, dict(r.getheaders())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def intake(self, **overrides):
        body = {"channel": "12345", "category": "06001", "title": "路面破损",
                "description": "人民路与解放路交叉口路面破损，有积水", "address": "阜城街道人民路",
                "location": {"lat": IN_GRID_1[0], "lon": IN_GRID_1[1]},
                "reporter": {"name": "张三", "phone": "13812345678"}}
        body.update(overrides)
        status, case, _ = self.post("/api/v1/cases", body)
        assert status in (200, 201), (status, case)
        return case


# The published GCJ-02 and BD-09 formulas, written out here independently of the server's C++ so the
# test checks the conversion rather than repeating it.
_A = 6378245.0
_EE = 0.00669342162296594323


def _tlat(x, y):
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _tlon(x, y):
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs_to_gcj(lat, lon):
    dlat = _tlat(lon - 105.0, lat - 35.0)
    dlon = _tlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lon + dlon


def gcj_to_bd(lat, lon):
    x_pi = math.pi * 3000.0 / 180.0
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * x_pi)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def totp(secret_b32, at=None, digits=6):
    """RFC 6238 with HMAC-SHA1, written here independently of the server."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    step = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(code).zfill(digits)
