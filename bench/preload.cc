// Fills a store with N cases before the intake benchmark, through civicgrid's own code: app::App opens the
// store in its non-durable bulk mode (the one `civicgrid init --demo` uses: WAL, synchronous=NORMAL instead
// of FULL), and many threads call CaseService::Intake, so every case is validated, located in its grid,
// given its deadlines and written (row, event, indexes) by the same store code the server runs, batched by
// its group commit. The rows are valid cases the server reads; `civicgrid check` folds them.
//
// The store must hold reference data already (`civicgrid init --demo --demo-cases 0` gives three counties of
// grids and their organisations). Cases are spread over the `days` before now, by a shared manual clock.
//
//   preload --data DIR --cases 1000000 [--threads 32] [--days 365] [--points-out FILE] [--points 20000]
//
// Prints one JSON object (cases, seconds, rate, the leaf category codes used).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "cli/app.h"
#include "common.h"
#include "geo/polygon.h"
#include "regions/geojson.h"

namespace {

using namespace civicgrid;

struct Grid {
  std::string code;
  geo::Box box;
};

const char* kTitles[] = {"路面破损", "路灯不亮", "占道经营", "垃圾未清运", "噪声扰民", "井盖缺失", "违章停车",
                         "绿化带损毁", "雨水井堵塞", "小区电梯故障"};
const char* kDetails[] = {"路面破损，有积水，影响通行", "路灯连续三晚不亮，居民夜间出行不便",
                          "摊贩占用人行道经营，行人只能走机动车道", "垃圾桶已满两天无人清运，气味较大",
                          "夜间施工噪声持续到凌晨，影响周边居民休息", "人行道井盖缺失，存在安全隐患"};

}  // namespace

int main(int argc, char** argv) {
  bench::Args args(argc, argv);
  const std::string data = args.Str("data");
  const long long total = args.Int("cases", 1000000);
  const int threads = int(args.Int("threads", 32));
  const int days = int(args.Int("days", 365));
  const std::string points_out = args.Str("points-out");
  const int npoints = int(args.Int("points", 20000));
  if (data.empty()) {
    std::fprintf(stderr, "usage: preload --data DIR --cases N\n");
    return 2;
  }

  const TimePoint end = SystemClock().Now();
  const TimePoint begin = end - std::chrono::hours(24 * days);
  ManualClock clock(begin);
  app::AppOptions options;
  options.data_dir = data;
  options.durable = false;
  options.clock = &clock;
  auto opened = app::App::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "preload: %s\n", opened.error().message.c_str());
    return 1;
  }
  app::App& app = *opened.value();
  const auto dir = app.directory().Get();

  // Grids and points inside them (checked with the directory's own lookup, at the 1e-6° JSON precision).
  std::vector<Grid> grids;
  {
    auto regions = app.store().LoadRegions();
    if (!regions.ok()) return 1;
    for (const auto& r : *regions) {
      if (r.kind != model::RegionKind::kGrid || r.geometry.empty()) continue;
      auto shape = regions::ParseGeometry(r.geometry);
      if (!shape.ok()) continue;
      grids.push_back({r.code, geo::Bounds(*shape)});
    }
  }
  if (grids.empty()) {
    std::fprintf(stderr, "preload: the store has no grids; run `civicgrid init --demo --demo-cases 0` first\n");
    return 1;
  }
  std::mt19937_64 rng(20261124);
  std::vector<geo::LonLat> pool;
  for (int attempts = 0; int(pool.size()) < std::max(npoints, 1000) && attempts < 100 * npoints; ++attempts) {
    const Grid& g = grids[rng() % grids.size()];
    std::uniform_real_distribution<double> ux(g.box.min_lon, g.box.max_lon), uy(g.box.min_lat, g.box.max_lat);
    const geo::LonLat p{std::round(ux(rng) * 1e6) / 1e6, std::round(uy(rng) * 1e6) / 1e6};
    const model::Region* found = dir->LocateGrid(p);
    if (found && found->code == g.code) pool.push_back(p);
  }
  if (!points_out.empty()) {
    std::ofstream out(points_out);
    out.precision(9);
    for (int i = 0; i < npoints && i < int(pool.size()); ++i) out << pool[size_t(i)].lon << " " << pool[size_t(i)].lat << "\n";
  }

  // Leaf categories (the ones intake accepts and cases carry).
  std::set<std::string> parents;
  for (const auto& c : dir->categories()) parents.insert(c.parent);
  std::vector<std::string> leaves;
  for (const auto& c : dir->categories())
    if (!c.parent.empty() && !parents.count(c.code)) leaves.push_back(c.code);
  if (leaves.empty()) return 1;

  struct Channel {
    const char* name;
    const char* actor;
    double share;
    bool external;
  };
  const std::vector<Channel> channels = {{"12345", "hotline.12345", 0.45, true},
                                         {"city_management", "szcg", 0.25, true},
                                         {"grid_patrol", "gw", 0.15, false},
                                         {"resident", "resident.app", 0.10, false},
                                         {"window", "window", 0.05, false}};

  std::atomic<long long> next{0}, failed{0};
  std::atomic<bool> stop{false};
  const auto span = end - begin;
  const double t0 = bench::Now();
  auto work = [&](int thread) {
    std::mt19937_64 r(std::uint64_t(thread) * 7919 + 1);
    std::uniform_real_distribution<double> u(0, 1);
    for (;;) {
      const long long i = next.fetch_add(1);
      if (i >= total || stop) return;
      clock.Set(begin + std::chrono::duration_cast<std::chrono::milliseconds>(span * (double(i) / double(total))));
      double x = u(r);
      size_t ch = 0;
      while (ch + 1 < channels.size() && x > channels[ch].share) x -= channels[ch++].share;
      const Channel& channel = channels[ch];
      cases::IntakeRequest req;
      req.channel = channel.name;
      if (channel.external) req.external_id = "PRE" + std::to_string(i);
      req.category = leaves[r() % leaves.size()];
      req.title = kTitles[r() % 10];
      req.description = std::string("群众反映：") + kDetails[r() % 6] + "，请相关部门尽快核实处理。";
      req.address = "阜宁县阜城街道人民路" + std::to_string(1 + r() % 300) + "号";
      req.location = pool[r() % pool.size()];
      auto taken = app.cases().Intake(req, channel.actor);
      if (!taken.ok() || !taken->created) {
        if (failed.fetch_add(1) < 5)
          std::fprintf(stderr, "preload: intake %lld failed: %s\n", i,
                       taken.ok() ? "repeated" : taken.error().message.c_str());
        if (failed > 100) stop = true;
      }
      if (thread == 0 && i % 100000 < threads)
        std::fprintf(stderr, "preload: %lld cases, %.0f/s\n", i, double(i) / (bench::Now() - t0));
    }
  };
  std::vector<std::thread> pool_threads;
  for (int t = 0; t < threads; ++t) pool_threads.emplace_back(work, t);
  for (auto& t : pool_threads) t.join();
  const double elapsed = bench::Now() - t0;
  auto count = app.store().CountCases();

  std::string cats;
  for (size_t k = 0; k < leaves.size() && k < 40; ++k) cats += (k ? "," : "") + leaves[k];
  bench::Json out;
  out.Int("cases", total)
      .Int("store_cases", count.ok() ? *count : -1)
      .Int("failed", failed)
      .Num("seconds", elapsed)
      .Num("rate", double(total) / elapsed)
      .Int("threads", threads)
      .Int("grids", long(grids.size()))
      .Str("categories", cats);
  std::printf("%s\n", out.Dump().c_str());
  return failed > 0 ? 1 : 0;
}
