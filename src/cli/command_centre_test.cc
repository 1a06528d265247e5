// The command centre's in-memory structures against the store: after thousands of random commands (the
// scheduler firing alerts among them), the incrementally kept cockpit aggregates and open-case index equal a
// full recomputation from the store, and every case folds to its row.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "cli/app.h"

namespace civicgrid::app {
namespace {

std::string Square(double x0, double y0, double d) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "[[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]]", x0, y0, x0 + d, y0,
                x0 + d, y0 + d, x0, y0 + d, x0, y0);
  return buf;
}

// A county with 2 towns × 2 communities × 2 grids of 0.01° squares, and organisations for each level.
struct Place {
  std::string regions, orgs;
  std::vector<std::pair<std::string, geo::LonLat>> grids;  // code, a point inside
};

Place MakePlace() {
  Place p;
  std::string f = R"({"type":"Feature","properties":{"code":"c","name":"县","kind":"county"},"geometry":null})";
  p.orgs = "code,name,kind,region\nd1,城管,department,c\nd2,住建,department,c\nd3,市场监管,department,c\n";
  for (int t = 0; t < 2; ++t) {
    const std::string town = "t" + std::to_string(t);
    f += R"(,{"type":"Feature","properties":{"code":")" + town + R"(","name":"镇)" + town +
         R"(","kind":"town","parent":"c"},"geometry":null})";
    p.orgs += town + ",镇政府" + town + ",town," + town + "\n";
    for (int m = 0; m < 2; ++m) {
      const std::string comm = town + "m" + std::to_string(m);
      f += R"(,{"type":"Feature","properties":{"code":")" + comm + R"(","name":"社区)" + comm +
           R"(","kind":"community","parent":")" + town + R"("},"geometry":null})";
      p.orgs += comm + ",居委会" + comm + ",community," + comm + "\n";
      for (int g = 0; g < 2; ++g) {
        const std::string grid = comm + "g" + std::to_string(g);
        const double x = 119.0 + 0.01 * (t * 4 + m * 2 + g), y = 33.0;
        f += R"(,{"type":"Feature","properties":{"code":")" + grid + R"(","name":"网格)" + grid +
             R"(","kind":"grid","parent":")" + comm + R"("},"geometry":{"type":"Polygon","coordinates":)" +
             Square(x, y, 0.01) + "}}";
        p.grids.push_back({grid, geo::LonLat{x + 0.005, y + 0.005}});
      }
    }
  }
  p.regions = R"({"type":"FeatureCollection","features":[)" + f + "]}";
  return p;
}

TEST(CommandCentre, IncrementalStructuresEqualARecomputationFromTheStore) {
  const auto dir = std::filesystem::temp_directory_path() / ("civicgrid-cc-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ManualClock clock(*ParseTime("2026-10-01T09:00:00+08:00"));
  const Place place = MakePlace();
  {
    auto opened = App::Open({.data_dir = dir.string(), .durable = false, .clock = &clock});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    App& app = **opened;
    ASSERT_TRUE(Init(app, "Secret-Password-1").ok());
    ASSERT_TRUE(app.reference().ImportRegionsGeoJson(place.regions).ok());
    auto orgs = app.reference().ImportOrgsCsv(place.orgs);
    ASSERT_TRUE(orgs.ok()) << orgs.error().message;
    ASSERT_TRUE(app.routing().Add({0, "03", "t1", "d1", "test", {}}, "test").ok());
    ASSERT_TRUE(app.StartCommandCentre().ok());
    auto& svc = app.cases();

    std::mt19937_64 rng(20261130);
    auto pick = [&](size_t n) { return size_t(rng() % n); };
    const std::vector<std::string> categories = {"06001", "03001", "01001", "12001", "13001"};
    const std::vector<std::string> channels = {"12345", "city_management", "grid_patrol", "resident", "window"};
    const std::vector<std::string> departments = {"d1", "d2", "d3"};
    const std::vector<std::string> titles = {"井盖破损", "路面积水", "噪音扰民", "垃圾满溢", "占道经营"};
    std::vector<cases::CaseId> ids;
    int ok = 0, refused = 0;
    for (int step = 0; step < 6000; ++step) {
      clock.Advance(minutes{int(1 + pick(90))});
      if (ids.empty() || pick(100) < 22) {
        cases::IntakeRequest req;
        req.channel = channels[pick(channels.size())];
        req.category = categories[pick(categories.size())];
        req.title = titles[pick(titles.size())];
        req.description = req.title + "，请尽快处理";
        const auto& g = place.grids[pick(place.grids.size())];
        req.location = geo::LonLat{g.second.lon + (double(pick(100)) - 50) * 1e-5, g.second.lat};
        if (pick(4) == 0) req.reporter_phone = "1381234" + std::to_string(1000 + pick(8999));
        auto r = svc.Intake(req, "tester");
        ASSERT_TRUE(r.ok()) << r.error().message;
        ids.push_back(r->c.id);
        continue;
      }
      const auto id = ids[pick(ids.size())];
      auto current = svc.Get(id);
      ASSERT_TRUE(current.ok());
      const auto& c = *current;
      std::optional<cases::Command> cmd;
      switch (pick(16)) {
        case 0: cmd = cases::Dispatch{pick(2) ? departments[pick(3)] : c.origin.region_path.substr(1, 4)}; break;
        case 1: cmd = cases::Accept{}; break;
        case 2: cmd = cases::Return{"不属于本单位"}; break;
        case 3: cmd = cases::Resolve{"已处理"}; break;
        case 4: cmd = cases::Review{pick(5) != 0, "复核"}; break;
        case 5: cmd = cases::Rate{cases::Rating(pick(3)), pick(4) != 0, "", int(pick(1 + c.joined.size()))}; break;
        case 6: cmd = cases::Close{}; break;
        case 7: cmd = cases::BlowWhistle{departments[pick(3)], {departments[(pick(2) + 1) % 3]}, 0.5, ""}; break;
        case 8:
          if (c.whistle) cmd = cases::CheckIn{c.whistle->parts[pick(c.whistle->parts.size())].org};
          break;
        case 9:
          if (c.whistle) cmd = cases::ReportPart{c.whistle->parts[pick(c.whistle->parts.size())].org, "完成"};
          break;
        case 10: cmd = cases::Supervise{"督办", clock.Now() + hours{int(2 + pick(48))}, pick(3) == 0}; break;
        case 11: cmd = cases::Escalate{"上报"}; break;
        case 12: cmd = cases::Merge{ids[pick(ids.size())]}; break;
        case 13: cmd = cases::DecideReturn{pick(2) == 0, departments[pick(3)], "决定"}; break;
        case 14: cmd = cases::Reopen{"不满意"}; break;
        case 15: cmd = cases::FireAlerts{}; break;
      }
      if (!cmd) continue;
      auto r = svc.Act(id, *cmd, "tester");
      (r.ok() ? ok : refused)++;
      if (!r.ok()) {
        ASSERT_TRUE(r.error().code == ErrorCode::kConflict || r.error().code == ErrorCode::kInvalid)
            << r.error().message;
      }
      if (step % 500 == 0) app.scheduler()->Poke();
    }
    // Let the scheduler fire what is due now, then stop it so nothing moves while comparing.
    app.scheduler()->Poke();
    std::this_thread::sleep_for(milliseconds{500});
    app.scheduler()->Stop();
    EXPECT_GT(ok, 1000);
    EXPECT_GT(refused, 100);

    // A full recomputation from the store.
    cockpit::Aggregates fresh;
    cases::OpenCaseIndex fresh_open;
    size_t alarms = 0;
    ASSERT_TRUE(
        app.store()
            .cases()
            .ScanCases(
                false,
                [&](cases::Case&& c) {
                  fresh.Apply(nullptr, c);
                  fresh_open.Apply(nullptr, c);
                  alarms += cases::NextAlert(c, svc.rules()).has_value();
                  EXPECT_EQ(app.scheduler()->NextOf(c.id).has_value(), cases::NextAlert(c, svc.rules()).has_value())
                      << c.id;
                })
            .ok());
    EXPECT_GT(alarms, 0u);
    // And from the digests start-up reads (columns only): the same again.
    cockpit::Aggregates from_digests;
    cases::OpenCaseIndex open_from_digests;
    ASSERT_TRUE(app.store()
                    .cases()
                    .ScanDigests([&](const cases::CaseDigest& d) {
                      from_digests.Load(d);
                      if (d.location &&
                          (d.status == cases::CaseStatus::kReceived || d.status == cases::CaseStatus::kDispatched ||
                           d.status == cases::CaseStatus::kAccepted))
                        open_from_digests.Load(d.id, d.version, *d.location, d.created_at, d.category);
                      EXPECT_EQ(d.next_alert.has_value(), app.scheduler()->NextOf(d.id).has_value()) << d.id;
                    })
                    .ok());
    const TimePoint start = *ParseTime("2026-10-01T00:00:00+08:00");
    int compared = 0;
    for (const std::string region : {"", "c", "t0", "t1", "t0m1", "t1m0g1"})
      for (const auto& [from, to] : std::vector<std::pair<TimePoint, TimePoint>>{
               {start, clock.Now() + hours{48}}, {start + hours{24 * 20}, start + hours{24 * 60}}}) {
        const auto a = app.cockpit().Summarize({region, from, to});
        const auto b = fresh.Summarize({region, from, to});
        EXPECT_EQ(a, b) << "region '" << region << "'";
        EXPECT_EQ(a, from_digests.Summarize({region, from, to})) << "digests, region '" << region << "'";
        compared += a.counts.intake > 0;
      }
    EXPECT_GE(compared, 8);
    const auto total = app.cockpit().Summarize({"", start, clock.Now() + hours{48}});
    EXPECT_EQ(total.counts.intake, std::int64_t(ids.size()));
    EXPECT_GT(total.overdue + total.yellow, 0) << "alerts fired and show as lights";
    for (const auto& [code, at] : place.grids) {
      const cases::GeoPoint p{at.lat, at.lon};
      const auto a = app.open_cases().Near(p, 2000, "", TimePoint{}, 10000);
      const auto b = fresh_open.Near(p, 2000, "", TimePoint{}, 10000);
      ASSERT_EQ(a.size(), b.size()) << code;
      ASSERT_EQ(a.size(), open_from_digests.Near(p, 2000, "", TimePoint{}, 10000).size()) << code;
      for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id);
    }
    // Start-up's pipelined load hands over every digest once, in the store's order, across many batches.
    std::vector<std::pair<cases::CaseId, std::int64_t>> scanned, loaded;
    ASSERT_TRUE(app.store()
                    .cases()
                    .ScanDigests([&](const cases::CaseDigest& d) { scanned.emplace_back(d.id, d.version); })
                    .ok());
    ASSERT_TRUE(LoadDigests(
                    app.store().cases(), [&](const cases::CaseDigest& d) { loaded.emplace_back(d.id, d.version); }, 7)
                    .ok());
    EXPECT_EQ(loaded, scanned);
    EXPECT_EQ(scanned.size(), ids.size());
    auto checked = CheckProjection(app);
    ASSERT_TRUE(checked.ok()) << checked.error().message;
    EXPECT_EQ(*checked, std::int64_t(ids.size()));
    // What the domain derives for the store beside each row (CaseWrite::whistle_orgs, missed_check_ins) equals
    // a recomputation from the cases and their events: a department lists the cases it handles or is whistled
    // into, and its missed check-ins are its check_in_missed events.
    std::vector<cases::Case> all;
    ASSERT_TRUE(app.store().cases().ScanCases(false, [&](cases::Case&& c) { all.push_back(std::move(c)); }).ok());
    std::map<std::string, std::int64_t> missed;
    std::map<std::string, std::set<cases::CaseId>> concerned;
    for (const auto& c : all) {
      for (const auto& d : departments) {
        bool whistled = false;
        if (c.whistle)
          for (const auto& p : c.whistle->parts) whistled |= p.org == d;
        if (c.org == d || whistled) concerned[d].insert(c.id);
      }
      auto events = app.store().cases().LoadEvents(c.id);
      ASSERT_TRUE(events.ok());
      for (const auto& e : *events)
        if (const auto* m = std::get_if<cases::events::CheckInMissed>(&e.body)) ++missed[m->org];
    }
    EXPECT_FALSE(missed.empty()) << "whistles with missed check-ins were exercised";
    EXPECT_EQ(*app.store().cases().MissedCheckIns(), missed);
    for (const auto& d : departments) {
      std::set<cases::CaseId> listed;
      cases::CaseQuery q;
      q.visibility = cases::Visibility{false, {}, {d}, {}};
      q.limit = 500;
      for (;;) {
        auto page = app.store().cases().ListCases(q);
        ASSERT_TRUE(page.ok()) << page.error().message;
        for (const auto& c : page->items) listed.insert(c.id);
        if (!page->next_before) break;
        q.before = page->next_before;
      }
      EXPECT_EQ(listed, concerned[d]) << d;
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace civicgrid::app
