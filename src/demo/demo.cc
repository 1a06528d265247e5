#include "demo/demo.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "reference/shipped_data.h"
#include "geo/polygon.h"
#include "privacy/personal_data.h"
#include "reference/geojson.h"

namespace civicgrid::demo {
namespace {

using reference::RegionKind;

// ---------------------------------------------------------------------------------------------------------
// Randomness. std's distributions differ between standard libraries; mt19937_64's raw output does not, so
// every draw below is built from raw 64-bit words.

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  double Uniform() { return double(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  int Below(int n) { return std::min(n - 1, int(Uniform() * n)); }
  bool Chance(double p) { return Uniform() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[size_t(Below(int(items.size())))];
  }
  // An index drawn in proportion to the weights (at least one must be positive).
  size_t Weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    for (size_t i = weights.size(); i-- > 0;)
      if (weights[i] > 0) return i;
    return 0;
  }
  milliseconds Duration(milliseconds lo, milliseconds hi) {
    return milliseconds{lo.count() + std::int64_t(Uniform() * double(hi.count() - lo.count()))};
  }

 private:
  std::mt19937_64 engine_;
};

// SplitMix64's finaliser: stateless noise keyed by position, so shared lattice nodes and edges get the
// same jitter whichever cell asks for them.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t Hash(std::uint64_t seed, std::initializer_list<std::uint64_t> parts) {
  std::uint64_t h = Mix(seed);
  for (std::uint64_t p : parts) h = Mix(h ^ p);
  return h;
}

double HashUnit(std::uint64_t seed, std::initializer_list<std::uint64_t> parts) {
  return double(Hash(seed, parts) >> 11) * 0x1.0p-53;
}

// FNV-1a: a key for text that, unlike std::hash, is the same in every standard library.
std::uint64_t TextKey(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// ---------------------------------------------------------------------------------------------------------
// The shipped CSV files (RFC 4180; a field is quoted only when it holds a comma or a quote).

Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text, size_t columns,
                                                       const char* what) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  auto end_row = [&] {
    row.push_back(std::move(field));
    field.clear();
    if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
    row.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"')
        field += c;
      else if (i + 1 < text.size() && text[i + 1] == '"')
        field += text[++i];
      else
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
    } else {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) end_row();
  if (rows.empty()) return Internal(std::string("shipped ") + what + " is empty");
  rows.erase(rows.begin());  // header
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].size() != columns)
      return Internal(std::string("shipped ") + what + " record " + std::to_string(i + 2) + " has " +
                      std::to_string(rows[i].size()) + " fields, expected " + std::to_string(columns));
  return rows;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Serial(int n, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*d", width, n);
  return buf;
}

// ---------------------------------------------------------------------------------------------------------
// The three counties: rectangles of roughly their real extent and place, adjusted so they do not overlap
// (Funing south, Binhai in the middle reaching the coast, Xiangshui north). The shapes are synthetic.

struct CountySpec {
  const char* code;
  const char* name;
  geo::Box box;
  geo::LonLat seat;  // the county town: the lattice is denser here and the urban streets sit around it
  int cols;          // lattice size: cols × rows grids, chosen for ~1,150 roughly square grids
  int rows;
  std::array<const char*, 5> urban;  // towns/streets of the county town (null-terminated)
};

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
      if (reversed)
        ring.insert(ring.end(), points.rbegin(), points.rend());
      else
        ring.insert(ring.end(), points.begin(), points.end());
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
std::vector<int> Grow(const Lattice& l, const std::vector<int>& domain, int domain_id,
                      const std::vector<int>& seeds, const std::vector<double>& speeds, std::uint64_t salt) {
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
      queue.emplace(cost + DistanceKm(l.Centre(cell), l.Centre(next)) * noise / speeds[size_t(area)], next,
                    area);
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
const std::vector<std::string> kUrbanSecond = {"苑", "园", "湖", "桥", "港", "河",
                                               "坊", "湾", "城", "林", "庭", "岸"};
const std::vector<std::string> kVillageFirst = {
    "王", "张", "李", "陈", "周", "吴", "杨", "朱", "孙", "徐", "胡", "高", "刘", "黄", "马", "顾",
    "丁", "卞", "季", "蒋", "东", "西", "南", "北", "新", "大", "小", "前", "后", "中", "三", "五",
    "八", "双", "陶", "沈", "葛", "倪", "施", "单", "郭", "潘", "花", "兴", "立", "友", "振", "长"};
const std::vector<std::string> kVillageSecond = {"庄", "集", "圩", "沟", "墩", "河", "湖", "港", "桥",
                                                 "园", "湾", "垛", "舍", "滩", "荡", "坝", "林", "坊",
                                                 "楼", "洼", "尖", "口", "营", "堆", "套", "渡"};

// A name not yet used in the county: two syllables, a third when the pairs run out.
std::string InventName(Rng& rng, const std::vector<std::string>& first,
                       const std::vector<std::string>& second, std::set<std::string>& used,
                       const std::string& suffix) {
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

// ---------------------------------------------------------------------------------------------------------

Result<DemoReference> BuildReference(const DemoOptions& options) {
  auto town_rows = ParseCsv(shipped::kTownsCsv, 3, "yancheng-towns.csv");
  if (!town_rows.ok()) return town_rows.error();
  auto place_rows = ParseCsv(shipped::kDemoPlacesCsv, 5, "demo-places.csv");
  if (!place_rows.ok()) return place_rows.error();
  auto department_rows = ParseCsv(shipped::kDepartmentsCsv, 4, "departments.csv");
  if (!department_rows.ok()) return department_rows.error();

  std::vector<NamedPlace> places;
  for (const auto& r : *place_rows) places.push_back({r[1], r[2], r[3], r[4]});

  DemoReference out;
  std::vector<reference::Region> communities, grids, estates;
  Rng names_rng(Mix(options.seed ^ 0x6e616d6573ULL));

  for (size_t ci = 0; ci < kCounties.size(); ++ci) {
    const CountySpec& spec = kCounties[ci];
    const std::string county_code = spec.code, county_name = spec.name;
    const std::uint64_t county_seed = Hash(options.seed, {ci + 1});
    std::vector<Town> towns;
    for (const auto& r : *town_rows)
      if (r[2] == county_code) towns.push_back({r[0], r[1], r[2]});
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
    out.regions.push_back(county);

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
      if (k < urban_count)
        shares.push_back(1.5 + 0.3 * jitter);
      else if (towns[order[k]].code[6] == '4')
        shares.push_back(0.6 + 0.3 * jitter);  // farms, zones, parks
      else
        shares.push_back(0.7 + 0.6 * jitter);
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
      out.regions.push_back(
          {town.code, town.name, street ? RegionKind::kStreet : RegionKind::kTown, county_code, ""});

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
        return DistanceKm(lattice.Centre(unit_seeds[a]), seat) <
               DistanceKm(lattice.Centre(unit_seeds[b]), seat);
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
          unit.name =
              name.empty() ? InventName(names_rng, kUrbanFirst, kUrbanSecond, used_names, "社区") : name;
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
          if (auto problem = geo::CheckRing(ring))
            return Internal("generated grid ring is invalid: " + *problem);
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

  // Organisations: per county the service centre, the departments, and one per town and community.
  for (const auto& spec : kCounties) {
    const std::string county_code = spec.code, county_name = spec.name;
    out.orgs.push_back(
        {county_code + "-centre", county_name + "网格化社会治理服务中心", "centre", county_code});
    for (const auto& d : *department_rows) {
      if (d[0] == "wgzx") continue;  // the service centre itself, added above
      std::string name = d[1];
      if (const size_t at = name.find("县"); at != std::string::npos)
        name.replace(at, std::string("县").size(), county_name);
      out.orgs.push_back({county_code + "-" + d[0], name, d[2], county_code});
    }
  }
  for (const auto& r : out.regions) {
    if (r.kind == RegionKind::kStreet) out.orgs.push_back({r.code, r.name + "办事处", "street", r.code});
    if (r.kind != RegionKind::kTown) continue;
    std::string name = r.name;
    if (name.rfind("县", 0) == 0)  // 县开发区 → 响水县开发区
      for (const auto& spec : kCounties)
        if (r.parent == spec.code) name = std::string(spec.name) + name.substr(std::string("县").size());
    // Development zones, parks, farms and salt works are run by administrative committees.
    const bool committee = r.code[6] == '4';
    out.orgs.push_back({r.code, name + (committee ? "管理委员会" : "人民政府"), "town", r.code});
  }
  for (const auto& c : communities) {
    const bool village = c.kind == RegionKind::kVillage;
    out.orgs.push_back(
        {c.code, c.name + (village ? "村委会" : "居委会"), village ? "village" : "community", c.code});
  }

  out.regions.insert(out.regions.end(), communities.begin(), communities.end());
  out.regions.insert(out.regions.end(), std::make_move_iterator(grids.begin()),
                     std::make_move_iterator(grids.end()));
  out.regions.insert(out.regions.end(), estates.begin(), estates.end());
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// History.

namespace {

using cases::Command;
using cases::Case;

calendar::Date LocalDay(TimePoint t) { return calendar::WorkCalendar::LocalDate(t); }
TimePoint DayStart(calendar::Date d) { return TimePoint{d} - kShanghaiOffset; }
int LocalHour(TimePoint t) { return int((t + kShanghaiOffset - TimePoint{LocalDay(t)}) / hours{1}); }
unsigned LocalMonth(TimePoint t) { return unsigned(std::chrono::year_month_day{LocalDay(t)}.month()); }
milliseconds Hours(double h) { return milliseconds{std::llround(h * 3600e3)}; }

enum class DayPattern { kEveryDay, kPatrol, kOffice };
enum class HourPattern { kAllDay, kPatrol, kStreet, kOffice };

struct ChannelSpec {
  const char* name;
  double share;
  DayPattern days;
  HourPattern hours;
  std::vector<std::pair<const char*, double>> majors;  // how often each class comes in by this channel
};

// Shares from the brief: the hotline ~45%, grid patrol ~25%, digital city management ~15%.
const std::vector<ChannelSpec>& Channels() {
  static const std::vector<ChannelSpec> kChannels = {
      {"12345",
       0.45,
       DayPattern::kEveryDay,
       HourPattern::kAllDay,
       {{"11", 6}, {"12", 4}, {"13", 3}, {"14", 8}, {"15", 5}, {"16", 7}, {"17", 6}, {"18", 6},
        {"19", 5}, {"20", 3}, {"21", 3}, {"22", 4}, {"23", 3}, {"24", 6}, {"25", 2}, {"06", 3},
        {"09", 2}, {"01", 2}, {"02", 1}, {"03", 1}, {"04", 1}, {"08", 2}}},
      {"grid_patrol",
       0.25,
       DayPattern::kPatrol,
       HourPattern::kPatrol,
       {{"06", 6},
        {"09", 4},
        {"12", 5},
        {"13", 6},
        {"16", 4},
        {"23", 4},
        {"01", 2},
        {"03", 2},
        {"11", 4},
        {"18", 2},
        {"04", 1},
        {"08", 2}}},
      {"city_management",
       0.15,
       DayPattern::kEveryDay,
       HourPattern::kStreet,
       {{"01", 4},
        {"02", 3},
        {"03", 3},
        {"04", 2},
        {"05", 1},
        {"06", 10},
        {"07", 4},
        {"08", 4},
        {"09", 8},
        {"10", 1}}},
      {"resident",
       0.07,
       DayPattern::kEveryDay,
       HourPattern::kAllDay,
       {{"16", 6},
        {"06", 3},
        {"12", 3},
        {"17", 3},
        {"18", 3},
        {"11", 2},
        {"13", 2},
        {"22", 2},
        {"25", 2},
        {"24", 2},
        {"01", 1}}},
      {"window",
       0.05,
       DayPattern::kOffice,
       HourPattern::kOffice,
       {{"14", 6}, {"15", 6}, {"11", 4}, {"19", 2}, {"23", 2}, {"20", 1}, {"21", 1}}},
      {"visit",
       0.03,
       DayPattern::kOffice,
       HourPattern::kOffice,
       {{"12", 6}, {"19", 5}, {"15", 3}, {"23", 3}, {"16", 2}, {"11", 2}, {"21", 1}}},
  };
  return kChannels;
}

const std::array<double, 24>& HourWeights(HourPattern p) {
  static const std::array<double, 24> kAllDay = {0.15, 0.1, 0.07, 0.05, 0.05, 0.1, 0.3,  0.7,
                                                 1.3,  1.7, 1.8,  1.5,  0.9,  1.0, 1.5,  1.7,
                                                 1.6,  1.2, 0.8,  0.8,  0.7,  0.5, 0.35, 0.2};
  static const std::array<double, 24> kPatrol = {0,   0,   0,   0,   0,   0,   0, 0.2, 1, 1.5, 1.5, 1.2,
                                                 0.4, 0.8, 1.4, 1.5, 1.3, 0.6, 0, 0,   0, 0,   0,   0};
  static const std::array<double, 24> kStreet = {0,   0,   0,   0,   0,   0,   0.1, 0.8, 1.3, 1.5, 1.5, 1.2,
                                                 0.6, 0.9, 1.4, 1.5, 1.3, 0.9, 0.5, 0.3, 0,   0,   0,   0};
  static const std::array<double, 24> kOffice = {0,   0,   0,   0,   0,   0,   0, 0, 0.6, 1.2, 1.5, 1.2,
                                                 0.2, 0.5, 1.2, 1.4, 1.2, 0.3, 0, 0, 0,   0,   0,   0};
  switch (p) {
    case HourPattern::kAllDay:
      return kAllDay;
    case HourPattern::kPatrol:
      return kPatrol;
    case HourPattern::kStreet:
      return kStreet;
    case HourPattern::kOffice:
      return kOffice;
  }
  return kAllDay;
}

// Matters that come in far more often than the rest.
const std::map<std::string, double>& CommonMatters() {
  static const std::map<std::string, double> kCommon = {
      {"06010", 4}, {"06011", 3}, {"06012", 3}, {"06013", 3}, {"06036", 3}, {"06042", 4}, {"06027", 3},
      {"06028", 3}, {"09006", 5}, {"09005", 4}, {"09009", 4}, {"09010", 3}, {"09001", 3}, {"07001", 4},
      {"01037", 4}, {"01004", 2}, {"12001", 4}, {"12002", 2}, {"13004", 4}, {"13001", 3}, {"16001", 4},
      {"16002", 3}, {"16003", 3}, {"16006", 3}, {"16007", 2}, {"17001", 3}, {"17002", 3}, {"17007", 2},
      {"18004", 4}, {"18005", 3}, {"19001", 3}, {"19002", 4}, {"14001", 3}, {"14002", 4}, {"15001", 2},
      {"15002", 2}, {"15004", 2}, {"22005", 3}, {"22003", 2}, {"22006", 2}, {"24001", 3}, {"24002", 4},
      {"24006", 2}, {"23003", 2}, {"11001", 2}, {"25001", 3}, {"25002", 2}, {"08001", 4}, {"08004", 3}};
  return kCommon;
}

// Seasons: straw burning after the wheat and rice harvests, snow in winter, night markets and school
// enrolment in summer.
struct Season {
  const char* code;
  std::array<double, 13> by_month;  // factor per month 1..12 (index 0 unused)
};
const std::vector<Season>& Seasons() {
  static const std::vector<Season> kSeasons = {
      {"18007", {0, 0.2, 0.2, 0.3, 0.5, 4, 12, 2, 0.5, 2, 12, 4, 0.3}},
      {"06020", {0, 1, 1, 1, 1, 2, 3, 1, 1, 2, 4, 3, 1}},
      {"10001", {0, 10, 6, 0.5, 0, 0, 0, 0, 0, 0, 0, 0.5, 6}},
      {"06029", {0, 0.3, 0.3, 0.5, 1, 2, 3, 3, 3, 2, 1, 0.5, 0.3}},
      {"09002", {0, 0.5, 0.5, 0.8, 1, 1.5, 2, 2, 2, 1.5, 1, 0.8, 0.5}},
      {"17002", {0, 1, 1, 1, 1, 1, 1.5, 2.5, 2.5, 1.5, 1, 1, 1}},
      {"20001", {0, 0.3, 0.5, 0.5, 1, 2, 3, 4, 4, 1, 0.5, 0.3, 0.3}},
      {"14005", {0, 0.3, 0.5, 0.5, 1, 2, 3, 4, 3, 1, 0.5, 0.3, 0.3}},
      {"13007", {0, 0.2, 0.2, 0.3, 0.8, 2, 3, 4, 4, 1.5, 0.5, 0.2, 0.2}},
  };
  return kSeasons;
}

// What a summer storm week brings in.
const std::vector<std::string> kStormMatters = {"01072", "01067", "17002", "10002", "04002", "06013",
                                                "01028", "13002", "01004", "01003", "17001", "06011"};

// Who handles a matter: "community" and "town" mean the grid's own; anything else is a department slug
// (data/departments.csv). Longest prefix wins. Small matters stay in the community, big ones in the town,
// and the rest go to the department in charge (小事不出社区、大事不出镇街).
const std::vector<std::pair<std::string, std::string>>& RouteTable() {
  static const std::vector<std::pair<std::string, std::string>> kRoutes = {
      {"01001", "gsgs"},      {"01024", "gsgs"},      {"01025", "gsgs"},      {"01002", "zjj"},
      {"01003", "zjj"},       {"01004", "zjj"},       {"01072", "zjj"},       {"01073", "sthjj"},
      {"01005", "gdgs"},      {"01028", "gdgs"},      {"01030", "gdgs"},      {"01048", "gdgs"},
      {"01054", "gdgs"},      {"01011", "rqgs"},      {"01049", "rqgs"},      {"01057", "rqgs"},
      {"01013", "xfjy"},      {"01046", "town"},      {"01050", "gaj"},       {"01067", "slj"},
      {"01070", "slj"},       {"01075", "community"}, {"01076", "scjgj"},     {"01", "cgj"},
      {"02001", "cgj"},       {"02010", "gaj"},       {"02014", "gaj"},       {"02038", "gaj"},
      {"02025", "cgj"},       {"02", "jtj"},          {"03", "cgj"},          {"04001", "zrzyj"},
      {"04", "cgj"},          {"05003", "yjj"},       {"05009", "town"},      {"05", "zjj"},
      {"06023", "slj"},       {"06024", "slj"},       {"06025", "slj"},       {"06046", "slj"},
      {"06026", "sthjj"},     {"06030", "sthjj"},     {"06032", "sthjj"},     {"06033", "wjw"},
      {"06038", "community"}, {"06041", "community"}, {"06005", "community"}, {"06007", "community"},
      {"06021", "zrzyj"},     {"06022", "zrzyj"},     {"06", "cgj"},          {"07", "cgj"},
      {"08003", "cgj"},       {"08011", "cgj"},       {"08012", "cgj"},       {"08", "zjj"},
      {"09003", "mzj"},       {"09008", "gaj"},       {"09009", "gaj"},       {"09012", "xfjy"},
      {"09015", "scjgj"},     {"09020", "scjgj"},     {"09", "cgj"},          {"10002", "gdgs"},
      {"10", "cgj"},          {"11002", "cl"},        {"11004", "zjj"},       {"11005", "gaj"},
      {"11006", "town"},      {"11007", "community"}, {"11", "mzj"},          {"12003", "town"},
      {"12004", "town"},      {"12006", "sfj"},       {"12007", "town"},      {"12008", "town"},
      {"12", "community"},    {"13001", "xfjy"},      {"13002", "zjj"},       {"13003", "rqgs"},
      {"13004", "community"}, {"13005", "yjj"},       {"13006", "gaj"},       {"13007", "community"},
      {"13008", "community"}, {"13009", "scjgj"},     {"13", "yjj"},          {"14001", "zwb"},
      {"14002", "rsj"},       {"14003", "fgw"},       {"14004", "gaj"},       {"14005", "jyj"},
      {"14006", "zjj"},       {"14007", "nyncj"},     {"14", "zwb"},          {"15001", "rsj"},
      {"15002", "ybj"},       {"15003", "rsj"},       {"15006", "cl"},        {"15007", "tyjrj"},
      {"15", "mzj"},          {"16004", "zjj"},       {"16005", "zjj"},       {"16008", "zjj"},
      {"16", "community"},    {"17002", "gdgs"},      {"17008", "gdgs"},      {"17003", "rqgs"},
      {"17005", "rqgs"},      {"17", "gsgs"},         {"18004", "gaj"},       {"18007", "town"},
      {"18", "sthjj"},        {"19", "rsj"},          {"20", "jyj"},          {"21007", "ybj"},
      {"21", "wjw"},          {"22004", "gaj"},       {"22005", "gaj"},       {"22006", "town"},
      {"22", "jtj"},          {"23002", "town"},      {"23003", "town"},      {"23007", "town"},
      {"23008", "zrzyj"},     {"23", "nyncj"},        {"24", "scjgj"},        {"25002", "community"},
      {"25003", "zjj"},       {"25", "zwb"}};
  return kRoutes;
}

std::string RouteTarget(const std::string& category) {
  std::string best = "town";
  size_t best_length = 0;
  for (const auto& [prefix, target] : RouteTable())
    if (prefix.size() > best_length && category.compare(0, prefix.size(), prefix) == 0)
      best = target, best_length = prefix.size();
  return best;
}

// The department a dispatcher plausibly confuses with the right one (the case then comes back).
std::string ConfusedWith(const std::string& slug) {
  static const std::map<std::string, std::string> kConfusions = {
      {"cgj", "zjj"},  {"zjj", "cgj"},     {"sthjj", "cgj"}, {"gaj", "cgj"}, {"gsgs", "zjj"},
      {"gdgs", "zjj"}, {"rqgs", "yjj"},    {"scjgj", "cgj"}, {"jtj", "gaj"}, {"mzj", "rsj"},
      {"rsj", "mzj"},  {"nyncj", "zrzyj"}, {"wjw", "ybj"},   {"ybj", "wjw"}, {"jyj", "rsj"},
      {"xfjy", "yjj"}, {"slj", "sthjj"},   {"zrzyj", "zjj"}};
  const auto it = kConfusions.find(slug);
  return it == kConfusions.end() ? "cgj" : it->second;
}

const std::vector<std::string> kSurnames = {"王", "陈", "张", "李", "刘", "周", "吴", "徐", "孙", "朱",
                                            "杨", "胡", "顾", "高", "沈", "蒋", "丁", "季", "卞", "葛",
                                            "唐", "许", "马", "潘", "陆", "姜", "戴", "施", "薛", "单",
                                            "倪", "郭", "仇", "于", "严", "袁", "夏", "邱", "黄", "成"};
const std::vector<std::string> kGivenNames = {
    "建", "国", "华", "明", "军", "红", "英", "芳", "丽", "平", "伟", "强", "东", "海", "春", "兰",
    "秀", "梅", "玉", "峰", "涛", "勇", "杰", "霞", "燕", "俊", "文", "志", "新", "桂", "金", "凤",
    "林", "云", "洁", "静", "敏", "磊", "浩", "宇", "晨", "欣", "怡", "雨", "萍", "婷"};
const std::vector<std::string> kRoads = {"人民路",   "解放路",   "建设路", "新华路", "文化路", "幸福路",
                                         "和平路",   "长江路",   "黄河路", "淮河路", "东环路", "西环路",
                                         "府前路",   "城南大道", "通榆路", "健康路", "育才路", "工业路",
                                         "迎宾大道", "朝阳路",   "康居路", "友谊路", "青年路", "振兴路"};
const std::vector<std::string> kGroupNumbers = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
const std::vector<std::string> kDetails = {"已持续多日",       "影响周边居民正常生活", "多次反映未得到解决",
                                           "夜间尤为明显",     "存在一定安全隐患",     "给出行带来不便",
                                           "周边群众意见较大", "近期情况有所加重",     "涉及多户居民"};
const std::vector<std::string> kInvalidReasons = {
    "来电人未说明具体事项，无法受理", "重复来电，已在原工单中答复", "非本县管辖范围，已告知诉求人向属地反映",
    "诉求不明确，多次回拨无人接听", "咨询事项已当场解答，无需派单"};
const std::vector<std::string> kReturnReasons = {"经核实，该事项不属于本单位职责范围，请重新派单",
                                                 "事发地点不在本辖区，请改派属地",
                                                 "该事项涉及其他部门职责，请中心协调改派"};
const std::vector<std::string> kContactNotes = {"已电话联系诉求人，说明处理计划",
                                                "已与反映人取得联系，约定现场查看时间",
                                                "已联系诉求人，告知已受理", "网格员已上门了解情况"};
const std::vector<std::string> kExtensionReasons = {"涉及多个部门协调，需进一步会商", "需等待施工材料到位",
                                                    "当事人外出，需待其返回后调解",
                                                    "需委托第三方检测，结果尚未出具", "受天气影响暂无法施工"};
const std::vector<std::string> kResolveDepartment = {
    "已安排人员现场处置，问题已解决", "已督促责任单位整改完毕", "已维修完成，恢复正常使用",
    "已现场核查并依法处理", "已联合属地开展整治，现场已恢复"};
const std::vector<std::string> kResolveLocal = {"社区工作人员已上门调解，双方达成一致", "已组织人员清理完毕",
                                                "已向诉求人解释相关政策，诉求人表示理解",
                                                "网格员已跟进处理，现场已整改", "已协调物业公司处理完毕"};
const std::vector<std::string> kReviewRefusals = {
    "办结材料不全，请补充现场照片", "回复内容未针对诉求，请重新办理", "问题未彻底解决，请继续跟进"};
const std::vector<std::string> kGoodComments = {"处理及时，非常满意", "工作人员态度很好", "",
                                                "问题已解决，谢谢", ""};
const std::vector<std::string> kFairComments = {"基本解决，希望后续多关注", "处理有点慢", ""};
const std::vector<std::string> kBadComments = {"问题没有解决", "只是电话回复，没有实际处理",
                                               "处理结果不满意"};
const std::vector<std::string> kReopenReasons = {"回访不满意，问题仍未解决，重新办理",
                                                 "诉求人对办理结果不满意，要求重新处理"};

struct GridInfo {
  const reference::Region* grid = nullptr;
  const reference::Region* unit = nullptr;  // community or village
  const reference::Region* town = nullptr;
  const reference::Region* county = nullptr;
  geo::Ring ring;
  geo::LonLat centre;
  std::vector<std::string> estates;
};

struct Planned {
  TimePoint at;
  size_t channel = 0;
  bool storm = false;
  bool operator<(const Planned& o) const {
    return std::tie(at, channel, storm) < std::tie(o.at, o.channel, o.storm);
  }
};

// Runs a step; stops playing the case (leaving it open where it is) once a moment lies beyond history.
#define DEMO_STEP(call)                    \
  do {                                     \
    auto step_ = (call);                   \
    if (!step_.ok()) return step_.error(); \
    if (!*step_) return OkStatus();        \
  } while (0)

class Historian {
 public:
  Historian(cases::CaseService& service, ManualClock& clock, const reference::Directory& directory,
            const DemoOptions& options)
      : service_(service),
        clock_(clock),
        dir_(directory),
        options_(options),
        rng_(Mix(options.seed ^ 0x68697374ULL)) {}

  Result<int> Run();

 private:
  Status Prepare();
  std::vector<Planned> PlanIntakes();
  Status PlayCase(const Planned& plan);
  Status Work(Case& c, TimePoint& last, const GridInfo& g, const std::string& org,
              TimePoint close_not_before);
  Result<bool> Do(Case& c, TimePoint& last, TimePoint at, const Command& command, const std::string& actor);
  Result<Case> TakeIn(size_t channel, const std::string& category, const GridInfo& g, TimePoint at);

  const GridInfo& PickGrid();
  std::string PickCategory(size_t channel, TimePoint at, bool storm);
  Result<geo::LonLat> PointIn(const GridInfo& g);
  std::string PersonName();
  std::string Phone();
  std::string IdNumber(const std::string& county);
  std::string RouteOrg(const std::string& category, const GridInfo& g);
  std::string WrongOrg(const std::string& right, const GridInfo& g);
  std::string Centre(const GridInfo& g) const { return "centre." + g.county->code; }
  static std::string Handler(const std::string& org) { return "handler." + org; }

  cases::CaseService& service_;
  ManualClock& clock_;
  const reference::Directory& dir_;
  const DemoOptions& options_;
  Rng rng_;
  TimePoint now_{};
  int taken_ = 0;
  int external_serial_ = 0;
  std::vector<GridInfo> grids_;
  std::vector<double> grid_cumulative_;
  std::vector<const reference::Category*> leaves_;
  std::vector<std::vector<double>> category_cumulative_;  // [channel * 13 + month] over leaves_
  std::vector<std::string> storm_matters_;
};

Status Historian::Prepare() {
  for (const auto& spec : kCounties) {
    const reference::Region* county = dir_.FindRegion(spec.code);
    if (!county) continue;
    for (const reference::Region* town : dir_.Children(county->code))
      for (const reference::Region* unit : dir_.Children(town->code))
        for (const reference::Region* grid : dir_.Children(unit->code)) {
          if (grid->kind != RegionKind::kGrid || grid->geometry.empty()) continue;
          GridInfo g{grid, unit, town, county, {}, {}, {}};
          auto shape = reference::ParseGeometry(grid->geometry);
          if (!shape.ok()) return shape.error();
          if (shape->empty()) continue;
          g.ring = shape->front().outer;
          const size_t n = g.ring.size() - 1;  // closed ring: the last position repeats the first
          for (size_t k = 0; k < n; ++k)
            g.centre.lon += g.ring[k].lon / double(n), g.centre.lat += g.ring[k].lat / double(n);
          for (const reference::Region* e : dir_.Children(grid->code))
            if (e->kind == RegionKind::kEstate) g.estates.push_back(e->name);
          grids_.push_back(std::move(g));
        }
  }
  if (grids_.empty()) return Invalid("directory", "the directory holds none of the demo counties' grids");
  // Store order is not ours to rely on.
  std::sort(grids_.begin(), grids_.end(),
            [](const GridInfo& a, const GridInfo& b) { return a.grid->code < b.grid->code; });
  double total = 0;
  for (const auto& g : grids_) {
    // Town streets are densely populated and report more.
    total += g.town->kind == RegionKind::kStreet ? 2.0 : g.unit->kind == RegionKind::kCommunity ? 1.5 : 1.0;
    grid_cumulative_.push_back(total);
  }

  for (const auto& c : dir_.categories())
    if (!c.parent.empty()) leaves_.push_back(&c);
  std::sort(leaves_.begin(), leaves_.end(), [](auto* a, auto* b) { return a->code < b->code; });
  if (leaves_.empty()) return Invalid("directory", "the directory holds no level-2 categories");
  std::map<std::string, int> per_major;
  for (const auto* c : leaves_) ++per_major[c->parent];
  const auto& channels = Channels();
  category_cumulative_.resize(channels.size() * 13);
  for (size_t ch = 0; ch < channels.size(); ++ch) {
    for (unsigned month = 1; month <= 12; ++month) {
      auto& cumulative = category_cumulative_[ch * 13 + month];
      double sum = 0;
      for (const auto* c : leaves_) {
        double w = 0;
        for (const auto& [major, weight] : channels[ch].majors)
          if (c->parent == major) w = weight / per_major[c->parent];
        if (auto it = CommonMatters().find(c->code); it != CommonMatters().end()) w *= it->second;
        for (const auto& s : Seasons())
          if (c->code == s.code) w *= s.by_month[month];
        sum += w;
        cumulative.push_back(sum);
      }
      if (sum <= 0)
        return Invalid("directory", std::string("no categories for channel ") + channels[ch].name);
    }
  }
  for (const auto& code : kStormMatters)
    if (dir_.FindCategory(code)) storm_matters_.push_back(code);

  for (const auto& spec : kCounties)
    if (dir_.FindRegion(spec.code) && !dir_.FindOrg(std::string(spec.code) + "-centre"))
      return Invalid("directory", "the directory lacks the demo organisations (BuildReference's orgs)");
  return OkStatus();
}

size_t PickCumulative(Rng& rng, const std::vector<double>& cumulative) {
  const double x = rng.Uniform() * cumulative.back();
  const size_t k = size_t(std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin());
  return std::min(k, cumulative.size() - 1);
}

const GridInfo& Historian::PickGrid() { return grids_[PickCumulative(rng_, grid_cumulative_)]; }

std::string Historian::PickCategory(size_t channel, TimePoint at, bool storm) {
  if (storm && !storm_matters_.empty() && Channels()[channel].hours != HourPattern::kOffice &&
      rng_.Chance(0.45))
    return rng_.Pick(storm_matters_);
  const auto& cumulative = category_cumulative_[channel * 13 + LocalMonth(at)];
  return leaves_[PickCumulative(rng_, cumulative)]->code;
}

// A point well inside the grid: grids are star-shaped about their vertex mean, and the directory must agree.
Result<geo::LonLat> Historian::PointIn(const GridInfo& g) {
  const int n = int(g.ring.size()) - 1;
  for (int attempt = 0; attempt < 16; ++attempt) {
    const size_t k = size_t(rng_.Below(n));
    const double b = rng_.Uniform(), w = rng_.Uniform(0.05, 0.8);
    const geo::LonLat v{g.ring[k].lon + b * (g.ring[k + 1].lon - g.ring[k].lon),
                        g.ring[k].lat + b * (g.ring[k + 1].lat - g.ring[k].lat)};
    const geo::LonLat p{std::round((g.centre.lon + w * (v.lon - g.centre.lon)) * 1e6) / 1e6,
                        std::round((g.centre.lat + w * (v.lat - g.centre.lat)) * 1e6) / 1e6};
    const reference::Region* found = dir_.LocateGrid(p);
    if (found && found->code == g.grid->code) return p;
  }
  const reference::Region* found = dir_.LocateGrid(g.centre);
  if (found && found->code == g.grid->code) return g.centre;
  return Internal("no point found inside grid " + g.grid->code);
}

std::string Historian::PersonName() {
  std::string name = rng_.Pick(kSurnames);
  name += rng_.Pick(kGivenNames);
  if (rng_.Chance(0.6)) name += rng_.Pick(kGivenNames);
  return name;
}

std::string Historian::Phone() {
  std::string phone = "1";
  phone += char('3' + rng_.Below(7));
  for (int k = 0; k < 9; ++k) phone += char('0' + rng_.Below(10));
  return phone;
}

// A well-formed resident ID number (GB 11643): born in the county between 1945 and 2004.
std::string Historian::IdNumber(const std::string& county) {
  const std::chrono::year_month_day born{std::chrono::sys_days{std::chrono::year{1945} / 1 / 1} +
                                         days{rng_.Below(60 * 365)}};
  char first17[32];
  std::snprintf(first17, sizeof first17, "%s%04d%02u%02u%03d", county.c_str(), int(born.year()),
                unsigned(born.month()), unsigned(born.day()), rng_.Below(1000));
  return std::string(first17) + privacy::IdCheckCharacter(first17);
}

std::string Historian::RouteOrg(const std::string& category, const GridInfo& g) {
  const std::string target = RouteTarget(category);
  std::string org;
  if (target == "community")
    org = rng_.Chance(0.12) ? g.town->code : g.unit->code;
  else if (target == "town")
    org = g.town->code;
  else
    org = rng_.Chance(0.08) ? g.town->code : g.county->code + "-" + target;
  return dir_.FindOrg(org) ? org : g.town->code;
}

std::string Historian::WrongOrg(const std::string& right, const GridInfo& g) {
  if (right == g.unit->code) {
    for (const reference::Region* sibling : dir_.Children(g.town->code))
      if (sibling->code != right && dir_.FindOrg(sibling->code) && rng_.Chance(0.5)) return sibling->code;
    return g.town->code;
  }
  if (right == g.town->code) return g.unit->code;
  const std::string slug = right.substr(right.find('-') + 1);
  const std::string other = g.county->code + "-" + ConfusedWith(slug);
  return rng_.Chance(0.5) || other == right || !dir_.FindOrg(other) ? g.town->code : other;
}

Result<bool> Historian::Do(Case& c, TimePoint& last, TimePoint at, const Command& command,
                           const std::string& actor) {
  at = std::max(at, last);
  if (at > now_) return false;
  clock_.Set(at);
  auto done = service_.Act(c.id, command, actor);
  if (!done.ok()) {
    Error e = done.error();
    e.message = "demo history, case " + std::to_string(c.id) + " " + cases::ActionName(command) + " at " +
                FormatTime(at) + ": " + e.message;
    return e;
  }
  c = std::move(done.value());
  last = at;
  return true;
}

Result<Case> Historian::TakeIn(size_t channel, const std::string& category_code, const GridInfo& g,
                               TimePoint at) {
  const ChannelSpec& spec = Channels()[channel];
  const std::string ch = spec.name;
  const reference::Category* category = dir_.FindCategory(category_code);
  auto point = PointIn(g);
  if (!point.ok()) return point.error();

  cases::IntakeRequest req;
  req.channel = ch;
  req.category = category_code;
  req.location = *point;
  // Where: a road and number in town, a villagers' group in the country, an estate where there is one.
  std::string place;
  if (!g.estates.empty() && rng_.Chance(0.6)) {
    place = rng_.Pick(g.estates);
    place += std::to_string(1 + rng_.Below(24)) + "栋";
  } else if (g.unit->kind == RegionKind::kVillage) {
    place = rng_.Pick(kGroupNumbers) + "组";
  } else {
    place = kRoads[Hash(options_.seed, {TextKey(g.unit->code)}) % kRoads.size()] +
            std::to_string(1 + rng_.Below(300)) + "号";
  }
  const std::string where = g.unit->name + place;
  req.address = g.county->name + g.town->name + where;
  const std::string& matter = category->name_zh;
  std::string detail = rng_.Pick(kDetails);
  if (rng_.Chance(0.4)) detail += "，" + rng_.Pick(kDetails);

  const std::string date = [&] {
    const std::chrono::year_month_day ymd{LocalDay(at)};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02u%02u", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()));
    return std::string(buf);
  }();
  std::string actor;
  if (ch == "12345") {
    req.external_id = "YC" + date + Serial(++external_serial_ % 1000000, 6);
    req.title = rng_.Chance(0.5) ? "反映" + where + matter : where + matter + "问题";
    req.description = "市民来电反映：" + req.address + "附近" + matter + "，" + detail +
                      "。诉求人希望相关部门尽快核实处理。";
    actor = "hotline.12345";
  } else if (ch == "city_management") {
    req.external_id = "SZCG" + g.county->code + date + Serial(++external_serial_ % 100000, 5);
    req.title = matter + "（" + where + "）";
    req.description =
        "监督员巡查上报：" + req.address + "发现" + matter + "，已现场拍照取证，请责任单位按时限处置。";
    actor = "szcg." + g.county->code;
  } else if (ch == "grid_patrol") {
    req.title = "巡查发现" + where + matter;
    actor = "gw." + g.grid->code;
  } else if (ch == "resident") {
    req.title = where + matter;
    req.description = "居民随手拍反映：" + req.address + matter + "，" + detail + "。";
    actor = "resident.app";
  } else if (ch == "window") {
    req.title = (category->parent == "14" || category->parent == "15" ? "咨询" : "窗口反映") + matter;
    req.description =
        "群众到" + g.county->name + "政务服务中心窗口反映" + matter + "相关事项，" + detail + "。";
    actor = "window." + g.county->code;
  } else {
    req.title = "来访反映" + where + matter;
    req.description = "群众来访反映：" + req.address + matter + "，" + detail + "，要求给予解决。";
    actor = "visit." + g.county->code;
  }

  // Reporters: the grid's worker on patrol, a supervisor for city management, residents otherwise; at a
  // window or a visit the resident shows an ID card.
  if (ch == "grid_patrol") {
    Rng worker(Hash(options_.seed, {TextKey(g.grid->code)}));
    std::swap(worker, rng_);
    req.reporter_name = PersonName();
    req.reporter_phone = Phone();
    std::swap(worker, rng_);
    req.description = "网格员" + req.reporter_name + "在" + g.grid->name + "巡查时发现" + req.address +
                      matter + "，" + detail + "，需上报处置。";
  } else if (ch == "city_management") {
    req.reporter_name = PersonName();
    req.reporter_phone = Phone();
  } else if (ch != "window" && ch != "visit" && rng_.Chance(0.1)) {
    req.anonymous = true;
    req.reporter_phone = Phone();
  } else {
    req.reporter_name = PersonName();
    if (ch == "12345" && rng_.Chance(0.3))
      req.reporter_name =
          req.reporter_name.substr(0, std::string("王").size()) + (rng_.Chance(0.5) ? "先生" : "女士");
    req.reporter_phone = Phone();
    if (ch == "window" || ch == "visit") req.reporter_id_number = IdNumber(g.county->code);
  }

  clock_.Set(at);
  auto taken = service_.Intake(req, actor);
  if (!taken.ok()) {
    Error e = taken.error();
    e.message = "demo history, intake at " + FormatTime(at) + ": " + e.message;
    return e;
  }
  if (!taken->created)
    return Internal("demo history: intake " + req.external_id + " repeated an earlier case");
  ++taken_;
  return std::move(taken->c);
}

std::vector<Planned> Historian::PlanIntakes() {
  const calendar::Date today = LocalDay(now_);
  const calendar::Date first = today - days{364};
  const auto& cal = dir_.calendar();
  // A storm week some time in July or August.
  std::vector<int> summer;
  for (int d = 0; d + 7 < 358; ++d) {
    const unsigned m = unsigned(std::chrono::year_month_day{first + days{d}}.month());
    if (m == 7 || m == 8) summer.push_back(d);
  }
  const int storm = summer.empty() ? -1 : rng_.Pick(summer);
  auto in_storm = [&](int d) { return storm >= 0 && d >= storm && d < storm + 7; };

  const auto& channels = Channels();
  std::vector<std::vector<double>> day_cumulative(3);  // by DayPattern
  for (int p = 0; p < 3; ++p) {
    double sum = 0;
    for (int d = 0; d < 365; ++d) {
      const calendar::Date date = first + days{d};
      const bool working = cal.IsWorkingDay(date);
      const std::chrono::weekday wd{date};
      const bool weekend = wd == std::chrono::Saturday || wd == std::chrono::Sunday;
      double w = working ? 1.0 : weekend ? 0.7 : 0.5;  // holidays are quieter than weekends
      if (p == int(DayPattern::kPatrol)) w = working ? 1.0 : 0.3;
      if (p == int(DayPattern::kOffice)) w = working ? 1.0 : 0.0;
      // The storm week and the week after it.
      if (in_storm(d))
        w *= 2.2;
      else if (storm >= 0 && d >= storm + 7 && d < storm + 14)
        w *= 1.3;
      sum += w;
      day_cumulative[size_t(p)].push_back(sum);
    }
  }
  std::vector<double> channel_shares;
  for (const auto& c : channels) channel_shares.push_back(c.share);

  std::vector<Planned> plan;
  plan.reserve(size_t(std::max(0, options_.cases)));
  while (int(plan.size()) < options_.cases) {
    Planned p;
    p.channel = rng_.Weighted(channel_shares);
    const auto& spec = channels[p.channel];
    const int d = int(PickCumulative(rng_, day_cumulative[size_t(spec.days)]));
    const auto& hw = HourWeights(spec.hours);
    const int hour = int(rng_.Weighted(std::vector<double>(hw.begin(), hw.end())));
    const int minute = rng_.Below(60), second = rng_.Below(60);
    p.at = DayStart(first + days{d}) + hours{hour} + minutes{minute} + seconds{second};
    p.storm = in_storm(d);
    if (p.at > now_ - minutes{1}) continue;  // today, later than now
    plan.push_back(p);
  }
  std::sort(plan.begin(), plan.end());
  return plan;
}

Result<int> Historian::Run() {
  now_ = options_.now == TimePoint{} ? clock_.Now() : options_.now;
  if (auto st = Prepare(); !st) return st.error();
  const std::vector<Planned> plan = PlanIntakes();
  int skip = 0;  // planned intakes whose place a duplicate report took
  for (const Planned& p : plan) {
    if (taken_ >= options_.cases) break;
    if (skip > 0) {
      --skip;
      continue;
    }
    const int before = taken_;
    if (auto st = PlayCase(p); !st) return st.error();
    skip += taken_ - before - 1;
  }
  return taken_;
}

Status Historian::PlayCase(const Planned& plan) {
  const GridInfo& g = PickGrid();
  const std::string category = PickCategory(plan.channel, plan.at, plan.storm);
  auto taken = TakeIn(plan.channel, category, g, plan.at);
  if (!taken.ok()) return taken.error();
  Case c = std::move(taken.value());
  TimePoint last = c.created_at;
  const reference::Category* cat = dir_.FindCategory(category);
  const bool urgent = cat->accept_hours <= 0.5;

  if (rng_.Chance(0.03)) {  // not a case at all
    const TimePoint at = last + rng_.Duration(minutes{10}, hours{6});
    DEMO_STEP(Do(c, last, at, cases::MarkInvalid{rng_.Pick(kInvalidReasons)}, Centre(g)));
    return OkStatus();
  }

  // Somebody else reports the same problem nearby soon after; the centre merges it into this case.
  TimePoint close_not_before = last;
  if (taken_ < options_.cases && rng_.Chance(0.035)) {
    const TimePoint at = last + rng_.Duration(minutes{10}, hours{3});
    size_t channel = plan.channel;
    for (int k = 0; k < 4 && channel == plan.channel; ++k)
      channel = rng_.Weighted({0.45, 0.25, 0.15, 0.07, 0.0, 0.0});
    if (at <= now_) {
      auto dup = TakeIn(channel, category, g, at);
      if (!dup.ok()) return dup.error();
      Case d = std::move(dup.value());
      TimePoint d_last = at;
      auto merged = Do(d, d_last, at + rng_.Duration(minutes{5}, minutes{90}), cases::Merge{c.id}, Centre(g));
      if (!merged.ok()) return merged.error();
      close_not_before = d_last;
      last = std::max(last, d_last);  // the merge added its reporter to this case's trail
    }
  }

  // Dispatch: at once for urgent matters; otherwise within office hours, the night's cases next morning.
  TimePoint at;
  const int hour = LocalHour(last);
  if (urgent)
    at = last + rng_.Duration(minutes{2}, minutes{25});
  else if (hour >= 8 && hour < 20)
    at = last + rng_.Duration(minutes{5}, minutes{90});
  else
    at = DayStart(LocalDay(last) + days{hour >= 20 ? 1 : 0}) + hours{8} +
         rng_.Duration(minutes{0}, minutes{60});
  const std::string right = RouteOrg(category, g);
  if (rng_.Chance(0.05)) {  // a wrong first dispatch, sent back and dispatched again
    const std::string wrong = WrongOrg(right, g);
    DEMO_STEP(Do(c, last, at, cases::Dispatch{wrong}, Centre(g)));
    const TimePoint back = last + rng_.Duration(minutes{15}, hours{5});
    DEMO_STEP(Do(c, last, back, cases::Return{rng_.Pick(kReturnReasons)}, Handler(wrong)));
    at = last + rng_.Duration(minutes{10}, hours{2});
  }
  DEMO_STEP(Do(c, last, at, cases::Dispatch{right}, Centre(g)));
  return Work(c, last, g, right, close_not_before);
}

// From acceptance to closing; a reopened case goes round once more.
Status Historian::Work(Case& c, TimePoint& last, const GridInfo& g, const std::string& org,
                       TimePoint close_not_before) {
  const reference::Category* cat = dir_.FindCategory(c.origin.category);
  const std::string handler = Handler(org), centre = Centre(g), follow_up = "followup." + g.county->code;
  const bool local = org.find('-') == std::string::npos;  // a town or community, not a department
  for (int round = 1;; ++round) {
    // Accept, mostly within the limit.
    const double limit_hours = cat->accept_hours;
    const double factor = rng_.Chance(0.07) ? rng_.Uniform(1.1, 4.0) : rng_.Uniform(0.05, 0.9);
    DEMO_STEP(Do(c, last, last + Hours(limit_hours * factor), cases::Accept{}, handler));
    if (!c.contacted_at && rng_.Chance(0.92)) {
      const TimePoint at = last + rng_.Duration(minutes{10}, hours{6});
      DEMO_STEP(Do(c, last, at, cases::Contact{rng_.Pick(kContactNotes)}, handler));
    }
    // Longer matters sometimes need more time.
    if (cat->resolve_days >= 5 && c.resolve_by && *c.resolve_by > last + hours{2} && rng_.Chance(0.06)) {
      const double left = 10.0 - c.extension_days;
      const double wanted = std::min(left, double(std::array<int, 3>{2, 3, 5}[size_t(rng_.Below(3))]));
      if (wanted > 0) {
        const auto span = *c.resolve_by - last;
        const TimePoint asked =
            last + milliseconds{std::int64_t(double(span.count()) * rng_.Uniform(0.4, 0.8))};
        DEMO_STEP(Do(c, last, asked, cases::RequestExtension{wanted, rng_.Pick(kExtensionReasons)}, handler));
        const bool approve = rng_.Chance(0.85);
        const TimePoint decided = last + rng_.Duration(hours{1}, hours{20});
        DEMO_STEP(Do(c, last, decided,
                     cases::DecideExtension{
                         approve, approve ? "同意延期，请在延期内办结" : "理由不充分，请按原时限办结"},
                     centre));
      }
    }
    // Resolve, mostly before the deadline.
    const TimePoint deadline = c.resolve_by.value_or(last + days{5});
    TimePoint resolve_at;
    if (deadline <= last + hours{1})
      resolve_at = last + rng_.Duration(hours{1}, hours{8});
    else if (rng_.Chance(0.05))
      resolve_at = deadline + rng_.Duration(hours{1}, hours{48});
    else
      resolve_at = std::max(
          last + minutes{20},
          last + milliseconds{std::int64_t(double((deadline - last).count()) * rng_.Uniform(0.15, 0.9))});
    const auto& notes = local ? kResolveLocal : kResolveDepartment;
    DEMO_STEP(Do(c, last, resolve_at, cases::Resolve{rng_.Pick(notes)}, handler));
    // The centre checks the resolution; now and then it sends it back.
    if (rng_.Chance(0.06)) {
      const TimePoint refused = last + rng_.Duration(minutes{20}, hours{10});
      DEMO_STEP(Do(c, last, refused, cases::Review{false, rng_.Pick(kReviewRefusals)}, centre));
      const TimePoint again = last + rng_.Duration(hours{2}, hours{48});
      DEMO_STEP(Do(c, last, again, cases::Resolve{rng_.Pick(notes)}, handler));
    }
    DEMO_STEP(Do(c, last, last + rng_.Duration(minutes{20}, hours{10}), cases::Review{true, ""}, centre));
    // Follow-up call: mostly satisfied; about 8% not.
    bool bad = false;
    if (!c.origin.reporter.phone.empty() && rng_.Chance(0.93)) {
      const double r = rng_.Uniform();
      const double dissatisfied = round == 1 ? 0.08 : 0.03;
      cases::Rate rate{cases::Rating::kSatisfied, true, rng_.Pick(kGoodComments)};
      if (r < dissatisfied)
        rate = {cases::Rating::kDissatisfied, !rng_.Chance(0.7), rng_.Pick(kBadComments)};
      else if (r < dissatisfied + 0.14)
        rate = {cases::Rating::kBasicallySatisfied, rng_.Chance(0.9), rng_.Pick(kFairComments)};
      bad = rate.rating == cases::Rating::kDissatisfied || !rate.solved;
      DEMO_STEP(Do(c, last, last + rng_.Duration(hours{1}, hours{48}), rate, follow_up));
      // A dissatisfied rating climbs the ladder: the town takes the case over with fresh limits.
      if (c.status == cases::CaseStatus::kDispatched) return Work(c, last, g, c.org, close_not_before);
    }
    if (bad && round == 1 && rng_.Chance(0.5)) {
      const TimePoint reopened = last + rng_.Duration(minutes{30}, hours{24});
      DEMO_STEP(Do(c, last, reopened, cases::Reopen{rng_.Pick(kReopenReasons)}, centre));
      continue;
    }
    DEMO_STEP(Do(c, last, std::max(close_not_before, last + rng_.Duration(minutes{10}, hours{24})),
                 cases::Close{}, centre));
    if (bad && round == 1 && rng_.Chance(0.3)) {  // the reporter complains again after closing
      const TimePoint reopened = last + rng_.Duration(hours{24}, hours{144});
      DEMO_STEP(Do(c, last, reopened, cases::Reopen{rng_.Pick(kReopenReasons)}, centre));
      continue;
    }
    return OkStatus();
  }
}

#undef DEMO_STEP

}  // namespace

Result<int> PlayHistory(cases::CaseService& service, ManualClock& clock, const reference::Directory& directory,
                        const DemoOptions& options) {
  Historian historian(service, clock, directory, options);
  return historian.Run();
}

}  // namespace civicgrid::demo
