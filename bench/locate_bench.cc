// Point → grid: civicgrid's geo::GridIndex against PostGIS on the same polygons and the same points.
//
// The polygons tile a county-sized area the way grid networks do: a jittered lattice whose shared edges are
// bent by 2–4 extra vertices each, so every grid has 12–20 vertices, neighbours share their boundary
// exactly, and no two grids have the same shape. Points fall uniformly over the area (a few land outside
// every grid, as real reports near a county line do).
//
// PostGIS is asked the way open 311 systems ask it: polygons cut with ST_Subdivide, a GiST index, and
// ST_Covers, one prepared query per point over one connection; and, as the most favourable case for it,
// one bulk query over a table of points. Both tie-break like GridIndex (the smallest id covering the point),
// so every answer is compared.
//
//   locate_bench --grids 10000 --points 1000000 [--pg "host=/tmp/x port=N dbname=postgres user=postgres"]
//
// Prints one JSON object.
#include <libpq-fe.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common.h"
#include "geo/grid_index.h"
#include "geo/polygon.h"

namespace {

using civicgrid::geo::Box;
using civicgrid::geo::GridIndex;
using civicgrid::geo::LonLat;
using civicgrid::geo::MultiPolygon;
using civicgrid::geo::Polygon;
using civicgrid::geo::Ring;

struct Tiling {
  std::vector<Ring> rings;  // closed; ring i is grid id i + 1
  Box bounds;
  double mean_vertices = 0;
  int min_vertices = 0, max_vertices = 0;
  int repaired = 0;  // cells whose bends were flattened to make their ring simple
};

// A bent edge: the interior vertices between two lattice vertices, as (t along the edge, offset across it).
struct Bend {
  std::vector<std::pair<double, double>> points;
  double scale = 1.0;
};

Tiling MakeTiling(int count, std::uint64_t seed) {
  const int nx = int(std::lround(std::sqrt(double(count))));
  const int ny = (count + nx - 1) / nx;
  const double lon0 = 119.40, lat0 = 33.40, dlon = 0.0040, dlat = 0.0034;  // cells of about 370 m
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto jitter = [&](double span) { return (u(rng) - 0.5) * 0.6 * span; };

  std::vector<LonLat> lattice(size_t((nx + 1) * (ny + 1)));
  auto V = [&](int i, int j) -> LonLat& { return lattice[size_t(j * (nx + 1) + i)]; };
  for (int j = 0; j <= ny; ++j)
    for (int i = 0; i <= nx; ++i) V(i, j) = {lon0 + i * dlon + jitter(dlon), lat0 + j * dlat + jitter(dlat)};

  auto make_bend = [&] {
    Bend b;
    const int k = 2 + int(rng() % 3);
    std::vector<double> ts;
    for (int m = 0; m < k; ++m) ts.push_back(0.12 + 0.76 * u(rng));
    std::sort(ts.begin(), ts.end());
    for (double t : ts) b.points.push_back({t, (u(rng) - 0.5) * 0.3});
    return b;
  };
  // Horizontal edge (i, j)→(i+1, j) and vertical edge (i, j)→(i, j+1).
  std::vector<Bend> hbend(size_t(nx * (ny + 1))), vbend(size_t((nx + 1) * ny));
  for (auto& b : hbend) b = make_bend();
  for (auto& b : vbend) b = make_bend();
  auto H = [&](int i, int j) -> Bend& { return hbend[size_t(j * nx + i)]; };
  auto Vb = [&](int i, int j) -> Bend& { return vbend[size_t(j * (nx + 1) + i)]; };

  auto append_edge = [](Ring& ring, LonLat a, LonLat b, const Bend& bend, bool reverse) {
    // Vertices strictly between a and b, in the direction a → b of the stored edge; reversed when walked back.
    std::vector<LonLat> mid;
    const double ex = b.lon - a.lon, ey = b.lat - a.lat;
    for (const auto& [t, off] : bend.points)
      mid.push_back({a.lon + t * ex - off * bend.scale * ey, a.lat + t * ey + off * bend.scale * ex});
    if (reverse) std::reverse(mid.begin(), mid.end());
    ring.insert(ring.end(), mid.begin(), mid.end());
  };
  auto cell_ring = [&](int i, int j) {
    Ring r;
    r.push_back(V(i, j));
    append_edge(r, V(i, j), V(i + 1, j), H(i, j), false);
    r.push_back(V(i + 1, j));
    append_edge(r, V(i + 1, j), V(i + 1, j + 1), Vb(i + 1, j), false);
    r.push_back(V(i + 1, j + 1));
    append_edge(r, V(i, j + 1), V(i + 1, j + 1), H(i, j + 1), true);
    r.push_back(V(i, j + 1));
    append_edge(r, V(i, j), V(i, j + 1), Vb(i, j), true);
    r.push_back(V(i, j));  // closed, GeoJSON style
    return r;
  };

  Tiling t;
  std::vector<char> repaired(size_t(nx * ny), 0);
  for (int pass = 0; pass < 12; ++pass) {
    bool all_ok = true;
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        if (j * nx + i >= count) continue;
        if (!civicgrid::geo::CheckRing(cell_ring(i, j))) continue;
        all_ok = false;
        repaired[size_t(j * nx + i)] = 1;
        for (Bend* b : {&H(i, j), &H(i, j + 1), &Vb(i, j), &Vb(i + 1, j)}) b->scale = pass >= 10 ? 0.0 : b->scale * 0.5;
      }
    if (all_ok) break;
  }
  for (char r : repaired) t.repaired += r;
  t.bounds = {lon0 - dlon, lat0 - dlat, lon0 + (nx + 1) * dlon, lat0 + (ny + 1) * dlat};
  double sum = 0;
  t.min_vertices = 1 << 30;
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      if (j * nx + i >= count) continue;
      Ring r = cell_ring(i, j);
      if (auto problem = civicgrid::geo::CheckRing(r)) {
        std::fprintf(stderr, "cell %d,%d still invalid: %s\n", i, j, problem->c_str());
        std::exit(1);
      }
      const int n = int(r.size()) - 1;
      sum += n;
      t.min_vertices = std::min(t.min_vertices, n);
      t.max_vertices = std::max(t.max_vertices, n);
      t.rings.push_back(std::move(r));
    }
  t.mean_vertices = sum / double(t.rings.size());
  // Points fall over the lattice's interior span (the outer jitter leaves a thin band outside every grid).
  t.bounds = {lon0, lat0, lon0 + nx * dlon, lat0 + ny * dlat};
  return t;
}

std::vector<LonLat> MakePoints(const Box& b, size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(b.min_lon, b.max_lon), uy(b.min_lat, b.max_lat);
  std::vector<LonLat> pts(n);
  for (auto& p : pts) p = {ux(rng), uy(rng)};
  return pts;
}

std::string Wkt(const Ring& r) {
  std::string s = "SRID=4326;POLYGON((";
  char buf[64];
  for (size_t i = 0; i < r.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.17g %.17g", i ? "," : "", r[i].lon, r[i].lat);
    s += buf;
  }
  return s + "))";
}

std::string PointWkt(LonLat p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "SRID=4326;POINT(%.17g %.17g)", p.lon, p.lat);
  return buf;
}

[[noreturn]] void Die(PGconn* c, const std::string& what) {
  std::fprintf(stderr, "postgis: %s: %s\n", what.c_str(), c ? PQerrorMessage(c) : "");
  std::exit(1);
}

void Exec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const auto st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    PQclear(r);
    Die(c, sql);
  }
  PQclear(r);
}

void Copy(PGconn* c, const std::string& sql, const std::vector<std::string>& lines) {
  PGresult* r = PQexec(c, sql.c_str());
  if (PQresultStatus(r) != PGRES_COPY_IN) Die(c, sql);
  PQclear(r);
  std::string chunk;
  for (const auto& l : lines) {
    chunk += l;
    chunk += '\n';
    if (chunk.size() > (1 << 20)) {
      if (PQputCopyData(c, chunk.data(), int(chunk.size())) != 1) Die(c, "copy data");
      chunk.clear();
    }
  }
  if (!chunk.empty() && PQputCopyData(c, chunk.data(), int(chunk.size())) != 1) Die(c, "copy data");
  if (PQputCopyEnd(c, nullptr) != 1) Die(c, "copy end");
  r = PQgetResult(c);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) Die(c, "copy result");
  PQclear(r);
  while ((r = PQgetResult(c))) PQclear(r);
}

long BackendPid(PGconn* c) {
  PGresult* r = PQexec(c, "SELECT pg_backend_pid()");
  const long pid = std::atol(PQgetvalue(r, 0, 0));
  PQclear(r);
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args args(argc, argv);
  const int grids = int(args.Int("grids", 10000));
  const size_t npoints = size_t(args.Int("points", 1000000));
  const std::uint64_t seed = std::uint64_t(args.Int("seed", 20261124));
  const int runs = int(args.Int("runs", 3));
  const double min_seconds = args.Num("seconds", 1.5);
  const std::string pg = args.Str("pg");
  const int subdivide = int(args.Int("subdivide", 256));  // ST_Subdivide's own default
  const double pg_seconds = args.Num("pg-seconds", 5);
  const size_t pg_bulk_points = size_t(args.Int("pg-bulk-points", 200000));
  bench::Json out;

  const Tiling tiling = MakeTiling(grids, seed);
  const std::vector<LonLat> points = MakePoints(tiling.bounds, npoints, seed + 1);
  out.Int("grids", long(tiling.rings.size()))
      .Num("vertices_mean", tiling.mean_vertices)
      .Int("vertices_min", tiling.min_vertices)
      .Int("vertices_max", tiling.max_vertices)
      .Int("cells_flattened", tiling.repaired)
      .Int("points", long(points.size()));

  // ---- GridIndex ----
  std::vector<GridIndex::Entry> entries;
  std::vector<Box> bounds;
  for (size_t i = 0; i < tiling.rings.size(); ++i) {
    MultiPolygon shape{Polygon{tiling.rings[i], {}}};
    bounds.push_back(civicgrid::geo::Bounds(shape));
    entries.push_back({std::int64_t(i + 1), std::move(shape)});
  }
  double t0 = bench::Now();
  const GridIndex index(entries);
  out.Num("gridindex_build_ms", (bench::Now() - t0) * 1e3);

  std::vector<std::int64_t> answers(points.size());
  std::vector<double> rates;
  std::int64_t checksum = 0;
  for (int run = 0; run < runs; ++run) {
    size_t done = 0;
    const double start = bench::Now(), cpu0 = bench::SelfCpuSeconds();
    double now = start;
    do {
      for (size_t i = 0; i < points.size(); ++i) {
        const auto id = index.Locate(points[i]);
        answers[i] = id ? *id : 0;
      }
      done += points.size();
      now = bench::Now();
    } while (now - start < min_seconds);
    const double cpu = bench::SelfCpuSeconds() - cpu0;
    rates.push_back(double(done) / cpu);  // per core: CPU seconds of the one thread doing the lookups
    for (auto a : answers) checksum += a;
  }
  size_t hits = 0;
  for (auto a : answers) hits += a != 0;
  out.Num("gridindex_per_core", bench::Median(rates))
      .Num("gridindex_per_core_min", *std::min_element(rates.begin(), rates.end()))
      .Num("gridindex_per_core_max", *std::max_element(rates.begin(), rates.end()))
      .Num("hit_fraction", double(hits) / double(points.size()))
      .Int("checksum", checksum);

  // Exactness: a brute-force Covers over every grid, smallest id first, for a sample.
  {
    const size_t sample = std::min<size_t>(points.size(), 20000);
    size_t mismatches = 0;
    for (size_t i = 0; i < sample; ++i) {
      std::int64_t truth = 0;
      for (size_t g = 0; g < entries.size() && !truth; ++g)
        if (bounds[g].Contains(points[i]) && civicgrid::geo::Covers(entries[g].shape, points[i])) truth = entries[g].id;
      mismatches += truth != answers[i];
    }
    out.Int("gridindex_bruteforce_checked", long(sample)).Int("gridindex_bruteforce_mismatches", long(mismatches));
  }

  if (pg.empty()) {
    std::printf("%s\n", out.Dump().c_str());
    return 0;
  }

  // ---- PostGIS ----
  PGconn* c = PQconnectdb(pg.c_str());
  if (PQstatus(c) != CONNECTION_OK) Die(c, "connect");
  Exec(c, "SET client_min_messages=warning");
  Exec(c, "CREATE EXTENSION IF NOT EXISTS postgis");
  // One core, like GridIndex: no parallel workers; no JIT (it only slows short queries).
  Exec(c, "SET max_parallel_workers_per_gather=0");
  Exec(c, "SET jit=off");
  {
    PGresult* r = PQexec(c, "SELECT postgis_lib_version(), version()");
    out.Str("postgis_version", PQgetvalue(r, 0, 0));
    std::string v = PQgetvalue(r, 0, 1);
    out.Str("postgresql_version", v.substr(0, v.find(" on ")));
    PQclear(r);
  }
  Exec(c, "DROP TABLE IF EXISTS grids, grids_sub, pts");
  Exec(c, "CREATE TABLE grids(id integer PRIMARY KEY, geom geometry(Polygon, 4326) NOT NULL)");
  {
    std::vector<std::string> lines;
    for (size_t i = 0; i < tiling.rings.size(); ++i)
      lines.push_back(std::to_string(i + 1) + "\t" + Wkt(tiling.rings[i]));
    Copy(c, "COPY grids(id, geom) FROM STDIN", lines);
  }
  t0 = bench::Now();
  Exec(c,
       "CREATE TABLE grids_sub AS SELECT id, ST_Subdivide(geom, " + std::to_string(subdivide) + ") AS geom FROM grids");
  Exec(c, "CREATE INDEX grids_sub_geom ON grids_sub USING gist(geom)");
  Exec(c, "ANALYZE grids_sub");
  out.Num("postgis_build_ms", (bench::Now() - t0) * 1e3).Int("postgis_subdivide_max_vertices", subdivide);
  {
    PGresult* r = PQexec(c, "SELECT count(*), (SELECT count(*) FROM grids WHERE NOT ST_IsValid(geom)) FROM grids_sub");
    out.Int("postgis_pieces", std::atol(PQgetvalue(r, 0, 0)))
        .Int("postgis_invalid_polygons", std::atol(PQgetvalue(r, 0, 1)));
    PQclear(r);
  }
  const long backend = BackendPid(c);

  // One query per point, as a 311 intake does it.
  {
    PGresult* r = PQprepare(c, "locate",
                            "SELECT id FROM grids_sub WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($1::float8, "
                            "$2::float8), 4326)) ORDER BY id LIMIT 1",
                            2, nullptr);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) Die(c, "prepare");
    PQclear(r);
    std::vector<double> wall_rates, core_rates;
    size_t mismatches = 0, checked = 0;
    size_t next = 0;
    for (int run = 0; run < runs; ++run) {
      size_t done = 0;
      const double start = bench::Now(), bcpu0 = bench::ProcessCpuSeconds(backend);
      while (bench::Now() - start < pg_seconds && done < points.size()) {
        const LonLat p = points[next % points.size()];
        char lon[32], lat[32];
        std::snprintf(lon, sizeof lon, "%.17g", p.lon);
        std::snprintf(lat, sizeof lat, "%.17g", p.lat);
        const char* values[2] = {lon, lat};
        r = PQexecPrepared(c, "locate", 2, values, nullptr, nullptr, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) Die(c, "locate");
        const std::int64_t id = PQntuples(r) ? std::atoll(PQgetvalue(r, 0, 0)) : 0;
        PQclear(r);
        mismatches += id != answers[next % points.size()];
        ++checked;
        ++next;
        ++done;
      }
      const double wall = bench::Now() - start, bcpu = bench::ProcessCpuSeconds(backend) - bcpu0;
      wall_rates.push_back(double(done) / wall);
      core_rates.push_back(bcpu > 0 ? double(done) / bcpu : 0);
    }
    out.Num("postgis_point_per_s", bench::Median(wall_rates))
        .Num("postgis_point_per_backend_core", bench::Median(core_rates))
        .Num("postgis_point_ms", 1e3 / bench::Median(wall_rates))
        .Int("postgis_point_checked", long(checked))
        .Int("postgis_point_mismatches", long(mismatches));
  }

  // One bulk query over a table of points: PostGIS at its best.
  {
    const size_t n = std::min(pg_bulk_points, points.size());
    std::vector<std::string> lines;
    for (size_t i = 0; i < n; ++i) lines.push_back(std::to_string(i) + "\t" + PointWkt(points[i]));
    Exec(c, "CREATE TABLE pts(i integer PRIMARY KEY, geom geometry(Point, 4326) NOT NULL)");
    Copy(c, "COPY pts(i, geom) FROM STDIN", lines);
    Exec(c, "ANALYZE pts");
    std::vector<double> wall_rates, core_rates;
    size_t mismatches = 0;
    for (int run = 0; run < runs; ++run) {
      const double start = bench::Now(), bcpu0 = bench::ProcessCpuSeconds(backend);
      PGresult* r = PQexec(c,
                           "SELECT p.i, (SELECT g.id FROM grids_sub g WHERE ST_Covers(g.geom, p.geom) ORDER BY g.id "
                           "LIMIT 1) FROM pts p");
      if (PQresultStatus(r) != PGRES_TUPLES_OK) Die(c, "bulk");
      const double wall = bench::Now() - start, bcpu = bench::ProcessCpuSeconds(backend) - bcpu0;
      wall_rates.push_back(double(n) / wall);
      core_rates.push_back(bcpu > 0 ? double(n) / bcpu : 0);
      if (run == 0) {
        for (int row = 0; row < PQntuples(r); ++row) {
          const size_t i = size_t(std::atoll(PQgetvalue(r, row, 0)));
          const std::int64_t id = PQgetisnull(r, row, 1) ? 0 : std::atoll(PQgetvalue(r, row, 1));
          mismatches += id != answers[i];
        }
      }
      PQclear(r);
    }
    out.Num("postgis_bulk_per_s", bench::Median(wall_rates))
        .Num("postgis_bulk_per_backend_core", bench::Median(core_rates))
        .Int("postgis_bulk_points", long(n))
        .Int("postgis_bulk_mismatches", long(mismatches));
  }
  Exec(c, "DROP TABLE IF EXISTS grids, grids_sub, pts");
  PQfinish(c);
  std::printf("%s\n", out.Dump().c_str());
  return 0;
}
