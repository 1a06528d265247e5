#include "demo/geography.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "common/csv.h"
#include "demo/support.h"
#include "reference/geojson.h"
#include "reference/shipped_data.h"

namespace civicgrid::demo {

using reference::RegionKind;

const std::array<CountySpec, 3> kCounties = {{
    {"320923",
     "阜宁县",
     {119.50, 33.55, 119.95, 33.92},
     {119.80, 33.78},
     34,
     34,
     {"320923001", "320923002", "320923003", "320923004", nullptr}},
    {"320922",
     "滨海县",
     {119.65, 33.92, 120.30, 34.18},
     {119.83, 33.99},
     49,
     24,
     {"320922001", "320922002", "320922003", nullptr, nullptr}},
    {"320921",
     "响水县",
     {119.45, 34.18, 120.05, 34.45},
     {119.57, 34.23},
     46,
     25,
     {"320921100", "320921400", nullptr, nullptr, nullptr}},
}};

namespace {

// Where the urban towns' growth starts, relative to the county seat (degrees).
constexpr std::array<geo::LonLat, 5> kUrbanOffsets = {
    {{0, 0}, {0.045, 0.006}, {-0.036, 0.024}, {0.006, -0.04}, {-0.03, -0.03}}};

constexpr double kKmPerDegLat = 111.2;
constexpr double kKmPerDegLon = 92.4;  // at about 34°N

double Round7(double v) { return std::round(v * 1e7) / 1e7; }  // ~1 cm: compact, and identical for neighbours

// ---------------------------------------------------------------------------------------------------------
// The jittered lattice. Node (i, j) is shared by four cells, edge polylines by two, and each is computed
// once, so neighbouring cells have exactly the same boundary vertices: no gaps, no overlaps. Nodes move at
// most 15% of the local spacing and edge points 6% across the edge, so a horizontal edge stays x-monotone in
// a band around its lattice line (vertical ones likewise): edges can only meet edges that share a node, and
// both of those lie on one cell's ring, which CheckRing validates. The outer edges stay exactly on the
// rectangle.

struct Lattice {
  int nx = 0, ny = 0;
  std::vector<double> xs, ys;                        // lattice lines
  std::vector<geo::LonLat> nodes;                    // (nx + 1) × (ny + 1)
  std::vector<std::vector<geo::LonLat>> horizontal;  // node (i, j) → (i + 1, j), interior points
  std::vector<std::vector<geo::LonLat>> vertical;    // node (i, j) → (i, j + 1), interior points

  int Cell(int i, int j) const { return j * nx + i; }
  int Node(int i, int j) const { return j * (nx + 1) + i; }
  int cells() const { return nx * ny; }
  geo::LonLat Centre(int cell) const {
    const int i = cell % nx, j = cell / nx;
    const geo::LonLat a = nodes[size_t(Node(i, j))], b = nodes[size_t(Node(i + 1, j))];
    const geo::LonLat c = nodes[size_t(Node(i + 1, j + 1))], d = nodes[size_t(Node(i, j + 1))];
    return {(a.lon + b.lon + c.lon + d.lon) / 4, (a.lat + b.lat + c.lat + d.lat) / 4};
  }
  geo::Ring Ring(int cell) const {
    const int i = cell % nx, j = cell / nx;
    geo::Ring ring;
    auto add = [&](const std::vector<geo::LonLat>& points, bool reversed) {
      if (reversed) ring.insert(ring.end(), points.rbegin(), points.rend());
      else ring.insert(ring.end(), points.begin(), points.end());
    };
    ring.push_back(nodes[size_t(Node(i, j))]);
    add(horizontal[size_t(j * nx + i)], false);
    ring.push_back(nodes[size_t(Node(i + 1, j))]);
    add(vertical[size_t(j * (nx + 1) + i + 1)], false);
    ring.push_back(nodes[size_t(Node(i + 1, j + 1))]);
    add(horizontal[size_t((j + 1) * nx + i)], true);
    ring.push_back(nodes[size_t(Node(i, j + 1))]);
    add(vertical[size_t(j * (nx + 1) + i)], true);
    ring.push_back(ring.front());
    return ring;
  }
};

// n + 1 lines from lo to hi, closer together near `dense` (the county town): density 1 + k / (1 + (d/w)²).
std::vector<double> WarpedLines(double lo, double hi, int n, double dense) {
  constexpr int kSteps = 4096;
  constexpr double kBoost = 1.3, kWidth = 0.045;
  std::vector<double> cumulative(kSteps + 1, 0.0);
  const double h = (hi - lo) / kSteps;
  for (int s = 0; s < kSteps; ++s) {
    const double d = (lo + (s + 0.5) * h - dense) / kWidth;
    cumulative[size_t(s + 1)] = cumulative[size_t(s)] + (1 + kBoost / (1 + d * d)) * h;
  }
  std::vector<double> lines(size_t(n) + 1);
  lines[0] = lo;
  lines[size_t(n)] = hi;
  int s = 0;
  for (int i = 1; i < n; ++i) {
    const double target = cumulative[kSteps] * i / n;
    while (cumulative[size_t(s + 1)] < target) ++s;
    const double f = (target - cumulative[size_t(s)]) / (cumulative[size_t(s + 1)] - cumulative[size_t(s)]);
    lines[size_t(i)] = lo + (s + f) * h;
  }
  return lines;
}

Lattice BuildLattice(const CountySpec& spec, std::uint64_t seed) {
  Lattice l;
  l.nx = spec.cols;
  l.ny = spec.rows;
  l.xs = WarpedLines(spec.box.min_lon, spec.box.max_lon, l.nx, spec.seat.lon);
  l.ys = WarpedLines(spec.box.min_lat, spec.box.max_lat, l.ny, spec.seat.lat);
  auto jitter = [&](std::initializer_list<std::uint64_t> key) { return 2 * HashUnit(seed, key) - 1; };
  auto gap = [](const std::vector<double>& lines, int k) {  // the smaller spacing either side of line k
    return std::min(lines[size_t(k)] - lines[size_t(k - 1)], lines[size_t(k + 1)] - lines[size_t(k)]);
  };
  const auto ui = [](int v) { return std::uint64_t(v); };
  l.nodes.resize(size_t((l.nx + 1) * (l.ny + 1)));
  for (int j = 0; j <= l.ny; ++j) {
    for (int i = 0; i <= l.nx; ++i) {
      double x = l.xs[size_t(i)], y = l.ys[size_t(j)];
      if (i > 0 && i < l.nx) x += 0.15 * gap(l.xs, i) * jitter({1, ui(i), ui(j)});
      if (j > 0 && j < l.ny) y += 0.15 * gap(l.ys, j) * jitter({2, ui(i), ui(j)});
      l.nodes[size_t(l.Node(i, j))] = {Round7(x), Round7(y)};
    }
  }
  // Each edge gets 3 or 4 segments; points advance monotonically along it and move only across it.
  auto edge = [&](geo::LonLat a, geo::LonLat b, std::uint64_t kind, int i, int j, double across_lon,
                  double across_lat) {
    const int segments = 3 + int(Hash(seed, {kind, ui(i), ui(j), 9}) & 1);
    std::vector<geo::LonLat> points;
    for (int k = 1; k < segments; ++k) {
      const double t = (k + 0.2 * jitter({kind, ui(i), ui(j), ui(k), 10})) / segments;
      const double off = jitter({kind, ui(i), ui(j), ui(k), 11});
      points.push_back({Round7(a.lon + t * (b.lon - a.lon) + off * across_lon),
                        Round7(a.lat + t * (b.lat - a.lat) + off * across_lat)});
    }
    return points;
  };
  l.horizontal.resize(size_t(l.nx * (l.ny + 1)));
  for (int j = 0; j <= l.ny; ++j)
    for (int i = 0; i < l.nx; ++i) {
      const double across = (j > 0 && j < l.ny) ? 0.06 * gap(l.ys, j) : 0.0;
      l.horizontal[size_t(j * l.nx + i)] =
          edge(l.nodes[size_t(l.Node(i, j))], l.nodes[size_t(l.Node(i + 1, j))], 3, i, j, 0.0, across);
    }
  l.vertical.resize(size_t((l.nx + 1) * l.ny));
  for (int j = 0; j < l.ny; ++j)
    for (int i = 0; i <= l.nx; ++i) {
      const double across = (i > 0 && i < l.nx) ? 0.06 * gap(l.xs, i) : 0.0;
      l.vertical[size_t(j * (l.nx + 1) + i)] =
          edge(l.nodes[size_t(l.Node(i, j))], l.nodes[size_t(l.Node(i, j + 1))], 4, i, j, across, 0.0);
    }
  return l;
}

double DistanceKm(geo::LonLat a, geo::LonLat b) {
  const double dx = (a.lon - b.lon) * kKmPerDegLon, dy = (a.lat - b.lat) * kKmPerDegLat;
  return std::sqrt(dx * dx + dy * dy);
}

int NearestCell(const Lattice& l, geo::LonLat p, const std::vector<char>& taken) {
  int best = -1;
  double best_d = 0;
  for (int c = 0; c < l.cells(); ++c) {
    if (taken[size_t(c)]) continue;
    const double d = DistanceKm(l.Centre(c), p);
    if (best < 0 || d < best_d) best = c, best_d = d;
  }
  return best;
}

// Adds seeds among `cells` until there are `count`, each as far as possible (with a little noise) from
// those already chosen, so areas spread over the domain.
void SpreadSeeds(const Lattice& l, const std::vector<int>& cells, int count, std::uint64_t salt,
                 std::vector<int>& seeds) {
  std::vector<double> nearest(cells.size(), 1e300);
  auto update = [&](int seed) {
    for (size_t k = 0; k < cells.size(); ++k)
      nearest[k] = std::min(nearest[k], DistanceKm(l.Centre(cells[k]), l.Centre(seed)));
  };
  for (int s : seeds) update(s);
  while (int(seeds.size()) < count) {
    size_t best = 0;
    double best_score = -1;
    for (size_t k = 0; k < cells.size(); ++k) {
      const double score = nearest[k] * (0.75 + 0.5 * HashUnit(salt, {std::uint64_t(cells[k])}));
      if (score > best_score) best = k, best_score = score;
    }
    if (best_score <= 0) break;  // fewer cells than areas
    seeds.push_back(cells[best]);
    update(cells[best]);
  }
}

// Grows one area per seed over the cells whose domain[c] == domain_id, cheapest first (Dijkstra from all
// seeds at once; a slower area claims less ground). A cell joins the area that reaches it first, always
// from a cell that area already holds, so every area is contiguous.
std::vector<int> Grow(const Lattice& l, const std::vector<int>& domain, int domain_id, const std::vector<int>& seeds,
                      const std::vector<double>& speeds, std::uint64_t salt) {
  std::vector<int> owner(size_t(l.cells()), -1);
  using Item = std::tuple<double, int, int>;  // cost, cell, area
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
  for (size_t a = 0; a < seeds.size(); ++a) queue.emplace(0.0, seeds[a], int(a));
  while (!queue.empty()) {
    const auto [cost, cell, area] = queue.top();
    queue.pop();
    if (owner[size_t(cell)] >= 0) continue;
    owner[size_t(cell)] = area;
    const int i = cell % l.nx, j = cell / l.nx;
    const std::array<std::pair<int, int>, 4> steps = {{{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}}};
    for (const auto& [ni, nj] : steps) {
      if (ni < 0 || nj < 0 || ni >= l.nx || nj >= l.ny) continue;
      const int next = l.Cell(ni, nj);
      if (owner[size_t(next)] >= 0 || domain[size_t(next)] != domain_id) continue;
      const double noise = 0.6 + 0.8 * HashUnit(salt, {std::uint64_t(next)});
      queue.emplace(cost + DistanceKm(l.Centre(cell), l.Centre(next)) * noise / speeds[size_t(area)], next, area);
    }
  }
  return owner;
}

// ---------------------------------------------------------------------------------------------------------
// Names. Invented communities and villages (the source names only a few) are drawn from these syllables.

const std::vector<std::string> kCommunityNames = {
    "幸福", "和平", "文化", "育才", "人民", "建设", "解放",   "团结", "阳光", "花园", "城南", "城北", "城东",
    "城西", "府前", "新华", "民主", "胜利", "友谊", "长安",   "锦绣", "振兴", "康乐", "华庭", "东方", "金桥",
    "龙泉", "翠湖", "春晖", "锦华", "丽景", "永安", "安居",   "欣乐", "健康", "迎宾", "滨河", "站前", "通榆",
    "新村", "百花", "朝阳", "红旗", "公园", "运河", "射阳河", "淮河", "富康", "玉龙", "同心"};
const std::vector<std::string> kUrbanFirst = {"东", "西", "南", "北", "新", "中", "金", "银", "丰", "兴",
                                              "永", "长", "福", "康", "瑞", "祥", "和", "安", "惠", "润"};
const std::vector<std::string> kUrbanSecond = {"苑", "园", "湖", "桥", "港", "河", "坊", "湾", "城", "林", "庭", "岸"};
const std::vector<std::string> kVillageFirst = {"王", "张", "李", "陈", "周", "吴", "杨", "朱", "孙", "徐", "胡", "高",
                                                "刘", "黄", "马", "顾", "丁", "卞", "季", "蒋", "东", "西", "南", "北",
                                                "新", "大", "小", "前", "后", "中", "三", "五", "八", "双", "陶", "沈",
                                                "葛", "倪", "施", "单", "郭", "潘", "花", "兴", "立", "友", "振", "长"};
const std::vector<std::string> kVillageSecond = {"庄", "集", "圩", "沟", "墩", "河", "湖", "港", "桥",
                                                 "园", "湾", "垛", "舍", "滩", "荡", "坝", "林", "坊",
                                                 "楼", "洼", "尖", "口", "营", "堆", "套", "渡"};

// A name not yet used in the county: two syllables, a third when the pairs run out.
std::string InventName(Rng& rng, const std::vector<std::string>& first, const std::vector<std::string>& second,
                       std::set<std::string>& used, const std::string& suffix) {
  for (int attempt = 0;; ++attempt) {
    std::string stem = rng.Pick(first);
    if (attempt >= 40) stem += rng.Pick(first);
    stem += rng.Pick(second);
    if (used.insert(stem + suffix).second) return stem + suffix;
  }
}

struct Town {
  std::string code, name, county;
};

struct NamedPlace {
  std::string town, kind, name, community;
};

}  // namespace

Result<std::vector<reference::Region>> BuildRegions(std::uint64_t seed) {
  auto town_rows = csv::Parse(shipped::kTownsCsv, {"code", "name", "county_code"});
  if (!town_rows.ok()) return Internal("shipped yancheng-towns.csv: " + town_rows.error().message);
  auto place_rows = csv::Parse(shipped::kDemoPlacesCsv, {"town_code", "kind", "name", "community"});
  if (!place_rows.ok()) return Internal("shipped demo-places.csv: " + place_rows.error().message);

  std::vector<NamedPlace> places;
  for (auto& r : *place_rows) places.push_back({r["town_code"], r["kind"], r["name"], r["community"]});

  std::vector<reference::Region> out, communities, grids, estates;
  Rng names_rng(Mix(seed ^ 0x6e616d6573ULL));

  for (size_t ci = 0; ci < kCounties.size(); ++ci) {
    const CountySpec& spec = kCounties[ci];
    const std::string county_code = spec.code, county_name = spec.name;
    const std::uint64_t county_seed = Hash(seed, {ci + 1});
    std::vector<Town> towns;
    for (auto& r : *town_rows)
      if (r["county_code"] == county_code) towns.push_back({r["code"], r["name"], r["county_code"]});
    if (towns.empty()) return Internal("no towns for county " + county_code + " in yancheng-towns.csv");
    for (const auto& p : places)
      if (p.town.substr(0, 6) == county_code &&
          std::none_of(towns.begin(), towns.end(), [&](const Town& t) { return t.code == p.town; }))
        return Internal("demo-places.csv names unknown town " + p.town);

    reference::Region county{county_code, county_name, RegionKind::kCounty, "", ""};
    geo::Ring box_ring = {{spec.box.min_lon, spec.box.min_lat},
                          {spec.box.max_lon, spec.box.min_lat},
                          {spec.box.max_lon, spec.box.max_lat},
                          {spec.box.min_lon, spec.box.max_lat},
                          {spec.box.min_lon, spec.box.min_lat}};
    county.geometry = reference::GeometryToJson({geo::Polygon{box_ring, {}}});
    out.push_back(county);

    const Lattice lattice = BuildLattice(spec, county_seed);

    // Towns: the county town's streets grow slowly from around the seat, the rest spread over the county.
    auto is_urban = [&](const std::string& code) {
      return std::any_of(spec.urban.begin(), spec.urban.end(), [&](const char* u) { return u && code == u; });
    };
    std::vector<size_t> order;  // towns in seeding order: urban first
    for (size_t t = 0; t < towns.size(); ++t)
      if (is_urban(towns[t].code)) order.push_back(t);
    const size_t urban_count = order.size();
    for (size_t t = 0; t < towns.size(); ++t)
      if (!is_urban(towns[t].code)) order.push_back(t);
    std::vector<char> taken(size_t(lattice.cells()), 0);
    std::vector<int> seeds;
    for (size_t k = 0; k < urban_count; ++k) {
      const geo::LonLat at{spec.seat.lon + kUrbanOffsets[k % kUrbanOffsets.size()].lon,
                           spec.seat.lat + kUrbanOffsets[k % kUrbanOffsets.size()].lat};
      seeds.push_back(NearestCell(lattice, at, taken));
      taken[size_t(seeds.back())] = 1;
    }
    std::vector<int> all_cells(size_t(lattice.cells()));
    for (int c = 0; c < lattice.cells(); ++c) all_cells[size_t(c)] = c;
    SpreadSeeds(lattice, all_cells, int(towns.size()), Hash(county_seed, {20}), seeds);
    if (seeds.size() != towns.size()) return Internal("county " + county_code + " has more towns than grids");
    // Shares of the county's grids: the county town's streets have many small grids, farms and zones fewer.
    std::vector<double> shares, speeds;
    for (size_t k = 0; k < order.size(); ++k) {
      const double jitter = HashUnit(county_seed, {21, k});
      if (k < urban_count) shares.push_back(1.5 + 0.3 * jitter);
      else if (towns[order[k]].code[6] == '4') shares.push_back(0.6 + 0.3 * jitter);  // farms, zones, parks
      else shares.push_back(0.7 + 0.6 * jitter);
      speeds.push_back(k < urban_count ? 0.4 : 1.0);
    }
    double share_sum = 0;
    for (double s : shares) share_sum += s;
    // Seeds fall unevenly, so tune each town's speed towards its share for a few rounds.
    const std::vector<int> everywhere(size_t(lattice.cells()), 0);
    std::vector<int> town_of;
    for (int round = 0; round < 24; ++round) {
      town_of = Grow(lattice, everywhere, 0, seeds, speeds, Hash(county_seed, {22}));
      std::vector<int> got(order.size(), 0);
      for (int owner : town_of) ++got[size_t(owner)];
      for (size_t k = 0; k < order.size(); ++k) {
        const double target = shares[k] / share_sum * lattice.cells();
        // A fourth root damps it (neighbours push back); sqrt, unlike pow, is exact in every libm.
        speeds[k] *= std::sqrt(std::sqrt(target / std::max(1, got[k])));
      }
    }

    std::set<std::string> used_names;  // per county
    for (const auto& p : places)
      if (p.town.substr(0, 6) == county_code) used_names.insert(p.name);

    for (size_t k = 0; k < order.size(); ++k) {
      const Town& town = towns[order[k]];
      const bool street = EndsWith(town.name, "街道");
      const bool zone = town.code[6] == '4';
      const bool urban = k < urban_count;
      out.push_back({town.code, town.name, street ? RegionKind::kStreet : RegionKind::kTown, county_code, ""});

      std::vector<int> cells;
      for (int c = 0; c < lattice.cells(); ++c)
        if (town_of[size_t(c)] == int(k)) cells.push_back(c);
      std::vector<NamedPlace> named;
      for (const auto& p : places)
        if (p.town == town.code && (p.kind == "community" || p.kind == "village")) named.push_back(p);

      // Communities and villages: urban ones hold ~6 grids, rural villages ~4 (their grids are larger).
      const int per_unit = urban ? 6 : (zone ? 5 : 4);
      int units = std::max(1, int(std::lround(double(cells.size()) / per_unit)));
      units = std::min(int(cells.size()), std::max(units, int(named.size()) + (named.empty() ? 0 : 2)));
      std::vector<int> unit_seeds = {seeds[k]};
      SpreadSeeds(lattice, cells, units, Hash(county_seed, {30, k}), unit_seeds);
      std::vector<double> unit_speeds;
      for (size_t u = 0; u < unit_seeds.size(); ++u)
        unit_speeds.push_back(0.8 + 0.4 * HashUnit(county_seed, {31, k, u}));
      const std::vector<int> unit_of =
          Grow(lattice, town_of, int(k), unit_seeds, unit_speeds, Hash(county_seed, {32, k}));

      // Units nearest the town's seat first: the seat community, then the named ones, then the rest.
      std::vector<size_t> unit_order(unit_seeds.size());
      for (size_t u = 0; u < unit_order.size(); ++u) unit_order[u] = u;
      const geo::LonLat seat = lattice.Centre(seeds[k]);
      std::stable_sort(unit_order.begin(), unit_order.end(), [&](size_t a, size_t b) {
        return DistanceKm(lattice.Centre(unit_seeds[a]), seat) < DistanceKm(lattice.Centre(unit_seeds[b]), seat);
      });
      int next_community = 1, next_village = 201;
      for (size_t n = 0; n < unit_order.size(); ++n) {
        const size_t u = unit_order[n];
        reference::Region unit;
        if (n < named.size()) {
          unit.name = named[n].name;
          unit.kind = named[n].kind == "village" ? RegionKind::kVillage : RegionKind::kCommunity;
        } else if (street || urban || zone) {
          unit.kind = RegionKind::kCommunity;
          std::string name;
          for (int attempt = 0; attempt < 8 && name.empty(); ++attempt) {
            const std::string candidate = names_rng.Pick(kCommunityNames) + "社区";
            if (used_names.insert(candidate).second) name = candidate;
          }
          unit.name = name.empty() ? InventName(names_rng, kUrbanFirst, kUrbanSecond, used_names, "社区") : name;
        } else if (n == 0) {  // a town's seat: the community named after the town
          unit.kind = RegionKind::kCommunity;
          std::string stem = town.name;
          if (EndsWith(stem, "镇")) stem.resize(stem.size() - std::string("镇").size());
          unit.name = stem + "社区";
          if (!used_names.insert(unit.name).second)
            unit.name = InventName(names_rng, kUrbanFirst, kUrbanSecond, used_names, "社区");
        } else {
          unit.kind = RegionKind::kVillage;
          unit.name = InventName(names_rng, kVillageFirst, kVillageSecond, used_names, "村");
        }
        const int serial = unit.kind == RegionKind::kCommunity ? next_community++ : next_village++;
        if (serial > 999) return Internal("town " + town.code + " has too many communities and villages");
        unit.code = town.code + Serial(serial, 3);
        unit.parent = town.code;
        communities.push_back(unit);

        std::vector<int> unit_cells;
        for (int c : cells)
          if (unit_of[size_t(c)] == int(u)) unit_cells.push_back(c);
        // Grids numbered from the north-west, row by row.
        std::sort(unit_cells.begin(), unit_cells.end(), [&](int a, int b) {
          const int ra = a / lattice.nx, rb = b / lattice.nx;
          return ra != rb ? ra > rb : a < b;
        });
        for (size_t g = 0; g < unit_cells.size(); ++g) {
          const geo::Ring ring = lattice.Ring(unit_cells[g]);
          if (auto problem = geo::CheckRing(ring)) return Internal("generated grid ring is invalid: " + *problem);
          reference::Region grid;
          grid.code = unit.code + Serial(int(g) + 1, 3);
          grid.name = unit.name + "第" + std::to_string(g + 1) + "网格";
          grid.kind = RegionKind::kGrid;
          grid.parent = unit.code;
          grid.geometry = reference::GeometryToJson({geo::Polygon{ring, {}}});
          grids.push_back(std::move(grid));
        }
      }
    }
  }

  // Estates under the first grids of their community, one per grid while grids last.
  std::map<std::string, int> estates_placed;  // community code → estates so far
  for (const auto& p : places) {
    if (p.kind != "estate") continue;
    const auto community = std::find_if(communities.begin(), communities.end(), [&](const reference::Region& r) {
      return r.parent == p.town && r.name == p.community;
    });
    if (community == communities.end())
      return Internal("demo-places.csv: estate " + p.name + " names unknown community " + p.community);
    std::vector<const reference::Region*> own;
    for (const auto& g : grids)
      if (g.parent == community->code) own.push_back(&g);
    if (own.empty()) return Internal("community " + community->code + " has no grid");
    const int n = estates_placed[community->code]++;
    const reference::Region& grid = *own[size_t(n) % own.size()];
    const int serial = 1 + n / int(own.size());
    estates.push_back({grid.code + Serial(serial, 2), p.name, RegionKind::kEstate, grid.code, ""});
  }

  out.insert(out.end(), communities.begin(), communities.end());
  out.insert(out.end(), std::make_move_iterator(grids.begin()), std::make_move_iterator(grids.end()));
  out.insert(out.end(), estates.begin(), estates.end());
  return out;
}

}  // namespace civicgrid::demo
