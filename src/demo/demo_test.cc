#include "demo/demo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "calendar/calendar.h"
#include "common/csv.h"
#include "domain/cases/lifecycle.h"
#include "domain/dispatch/defaults.h"
#include "domain/dispatch/routing.h"
#include "geo/polygon.h"
#include "privacy/personal_data.h"
#include "reference/geojson.h"
#include "reference/shipped_data.h"
#include "store/store.h"

namespace civicgrid::demo {
namespace {

using reference::RegionKind;

// The county rectangles BuildReference tiles (see kCounties in geography.cc).
struct CountyBox {
  std::string code;
  geo::Box box;
};
const std::vector<CountyBox> kBoxes = {{"320923", {119.50, 33.55, 119.95, 33.92}},
                                       {"320922", {119.65, 33.92, 120.30, 34.18}},
                                       {"320921", {119.45, 34.18, 120.05, 34.45}}};

bool AllDigits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class DemoReferenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto built = BuildReference(DemoOptions{});
    ASSERT_TRUE(built.ok()) << built.error().message;
    reference_ = new DemoReference(std::move(built.value()));
  }
  static void TearDownTestSuite() {
    delete reference_;
    reference_ = nullptr;
  }
  static const reference::Region* Find(const std::string& code) {
    for (const auto& r : reference_->regions)
      if (r.code == code) return &r;
    return nullptr;
  }
  static const reference::Region* FindNamed(const std::string& parent, const std::string& name) {
    for (const auto& r : reference_->regions)
      if (r.parent == parent && r.name == name) return &r;
    return nullptr;
  }
  static DemoReference* reference_;
};
DemoReference* DemoReferenceTest::reference_ = nullptr;

TEST_F(DemoReferenceTest, SameSeedGivesTheSameReference) {
  auto again = BuildReference(DemoOptions{});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->regions == reference_->regions);
  EXPECT_TRUE(again->orgs == reference_->orgs);
  DemoOptions other;
  other.seed = 7;
  auto different = BuildReference(other);
  ASSERT_TRUE(different.ok());
  EXPECT_FALSE(different->regions == reference_->regions);
}

TEST_F(DemoReferenceTest, CodesAreWellFormedAndNestUnderTheirParents) {
  std::set<std::string> codes;
  for (const auto& r : reference_->regions) {
    EXPECT_TRUE(codes.insert(r.code).second) << "duplicate code " << r.code;
    EXPECT_TRUE(AllDigits(r.code)) << r.code;
    EXPECT_FALSE(r.name.empty()) << r.code;
    size_t length = 0;
    switch (r.kind) {
      case RegionKind::kCounty: length = 6; break;
      case RegionKind::kTown:
      case RegionKind::kStreet: length = 9; break;
      case RegionKind::kCommunity:
      case RegionKind::kVillage: length = 12; break;
      case RegionKind::kGrid: length = 15; break;
      case RegionKind::kEstate: length = 17; break;
      case RegionKind::kBuilding: ADD_FAILURE() << "no buildings expected: " << r.code; break;
    }
    EXPECT_EQ(r.code.size(), length) << r.code << " " << Name(r.kind);
    if (r.kind == RegionKind::kCounty) {
      EXPECT_TRUE(r.parent.empty());
    } else {
      EXPECT_EQ(r.code.substr(0, r.parent.size()), r.parent) << r.code;
      EXPECT_NE(Find(r.parent), nullptr) << r.code;
    }
    if (r.kind == RegionKind::kStreet) {
      EXPECT_NE(r.name.find("街道"), std::string::npos) << r.name;
    }
    if (r.kind == RegionKind::kGrid) {
      EXPECT_NE(r.name.find("网格"), std::string::npos) << r.name;
    }
  }
  // Every town of the shipped list is there.
  auto towns = csv::Parse(shipped::kTownsCsv, {"code", "name", "county_code"});
  ASSERT_TRUE(towns.ok());
  for (auto& t : *towns) {
    const reference::Region* r = Find(t["code"]);
    ASSERT_NE(r, nullptr) << t["code"];
    EXPECT_EQ(r->name, t["name"]);
    EXPECT_EQ(r->parent, t["county_code"]);
  }
}

TEST_F(DemoReferenceTest, EachCountyHasAtLeastAThousandValidGrids) {
  std::map<std::string, int> grids;
  for (const auto& r : reference_->regions) {
    if (r.kind != RegionKind::kGrid) {
      if (r.kind != RegionKind::kCounty) {
        EXPECT_TRUE(r.geometry.empty()) << r.code;
      }
      continue;
    }
    ++grids[r.code.substr(0, 6)];
    auto shape = reference::ParseGeometry(r.geometry);
    ASSERT_TRUE(shape.ok()) << r.code << ": " << shape.error().message;
    ASSERT_EQ(shape->size(), 1u) << r.code;
    const auto& ring = shape->front().outer;
    EXPECT_EQ(geo::CheckRing(ring), std::nullopt) << r.code;
    EXPECT_GE(ring.size(), 13u) << r.code;  // 12–16 vertices, closed
    EXPECT_LE(ring.size(), 17u) << r.code;
  }
  for (const auto& c : kBoxes) EXPECT_GE(grids[c.code], 1000) << c.code;
  EXPECT_EQ(grids.size(), 3u);
  std::printf("grids: 320923 %d, 320922 %d, 320921 %d\n", grids["320923"], grids["320922"], grids["320921"]);
}

TEST_F(DemoReferenceTest, GridsTileEachCountyWithoutGapsOrOverlaps) {
  struct Shape {
    geo::Polygon polygon;
    geo::Box box;
  };
  std::map<std::string, std::vector<Shape>> by_county;
  for (const auto& r : reference_->regions) {
    if (r.kind != RegionKind::kGrid) continue;
    auto shape = reference::ParseGeometry(r.geometry);
    ASSERT_TRUE(shape.ok());
    by_county[r.code.substr(0, 6)].push_back({shape->front(), geo::Bounds(*shape)});
  }
  std::uint64_t state = 12345;
  auto next = [&] {  // a small LCG: the test needs spread, not quality
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return double(state >> 11) * 0x1.0p-53;
  };
  for (const auto& c : kBoxes) {
    int boundary = 0;
    for (int k = 0; k < 20000; ++k) {
      const geo::LonLat p{c.box.min_lon + next() * (c.box.max_lon - c.box.min_lon),
                          c.box.min_lat + next() * (c.box.max_lat - c.box.min_lat)};
      int inside = 0, on_edge = 0;
      // Grids of every county: a point must not be covered by a neighbouring county's grid either.
      for (const auto& [county, shapes] : by_county)
        for (const auto& s : shapes) {
          if (!s.box.Contains(p)) continue;
          switch (geo::Locate(s.polygon, p)) {
            case geo::Where::kInside: ++inside; break;
            case geo::Where::kBoundary: ++on_edge; break;
            case geo::Where::kOutside: break;
          }
        }
      if (on_edge > 0) {
        ++boundary;
        EXPECT_EQ(inside, 0) << "point on an edge is also inside a grid: " << p.lon << "," << p.lat;
      } else {
        ASSERT_EQ(inside, 1) << c.code << " point " << p.lon << "," << p.lat;
      }
    }
    EXPECT_LT(boundary, 5) << c.code;
  }
}

TEST_F(DemoReferenceTest, NamedPlacesOfTheSourceExist) {
  for (const char* name : {"向阳社区", "光明社区", "南苑社区", "兴阜社区", "新盛社区", "孙桥社区"}) {
    const reference::Region* r = FindNamed("320923001", name);
    ASSERT_NE(r, nullptr) << name;
    EXPECT_EQ(r->kind, RegionKind::kCommunity);
  }
  const reference::Region* xiyuan = FindNamed("320921100", "西园社区");
  ASSERT_NE(xiyuan, nullptr);
  const std::map<std::string, std::string> estates = {{"天鹅丽都", "孙桥社区"},
                                                      {"德惠尚书府", "南苑社区"},
                                                      {"四季花苑", "向阳社区"},
                                                      {"中奥华府", "西园社区"},
                                                      {"丰华家园", "西园社区"}};
  for (const auto& [estate, community] : estates) {
    const reference::Region* e = nullptr;
    for (const auto& r : reference_->regions)
      if (r.name == estate) e = &r;
    ASSERT_NE(e, nullptr) << estate;
    EXPECT_EQ(e->kind, RegionKind::kEstate);
    const reference::Region* grid = Find(e->parent);
    ASSERT_NE(grid, nullptr);
    EXPECT_EQ(grid->kind, RegionKind::kGrid);
    const reference::Region* unit = Find(grid->parent);
    ASSERT_NE(unit, nullptr);
    EXPECT_EQ(unit->name, community) << estate;
  }
  // The first grid of 向阳社区 is a real lattice cell like any other.
  const reference::Region* xiangyang = FindNamed("320923001", "向阳社区");
  const reference::Region* first = Find(xiangyang->code + "001");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->name, "向阳社区第1网格");
  EXPECT_FALSE(first->geometry.empty());
}

TEST_F(DemoReferenceTest, OrganisationsCoverCountiesTownsAndCommunities) {
  std::map<std::string, const reference::Org*> orgs;
  for (const auto& o : reference_->orgs) {
    EXPECT_TRUE(orgs.emplace(o.code, &o).second) << "duplicate org " << o.code;
    EXPECT_NE(Find(o.region), nullptr) << o.code;
  }
  ASSERT_TRUE(orgs.count("320923-centre"));
  EXPECT_EQ(orgs["320923-centre"]->name, "阜宁县网格化社会治理服务中心");
  EXPECT_EQ(orgs["320923-centre"]->kind, "centre");
  ASSERT_TRUE(orgs.count("320923-zjj"));
  EXPECT_EQ(orgs["320923-zjj"]->name, "阜宁县住房和城乡建设局");
  EXPECT_EQ(orgs["320923-zjj"]->region, "320923");
  ASSERT_TRUE(orgs.count("320921-twx"));
  EXPECT_EQ(orgs["320921-twx"]->name, "共青团响水县委");
  ASSERT_TRUE(orgs.count("320922-gdgs"));
  EXPECT_EQ(orgs["320922-gdgs"]->kind, "enterprise");
  ASSERT_TRUE(orgs.count("320923001"));
  EXPECT_EQ(orgs["320923001"]->name, "阜城街道办事处");
  ASSERT_TRUE(orgs.count("320923100"));
  EXPECT_EQ(orgs["320923100"]->name, "沟墩镇人民政府");
  for (const auto& r : reference_->regions) {
    if (r.kind == RegionKind::kGrid || r.kind == RegionKind::kEstate || r.kind == RegionKind::kCounty) continue;
    ASSERT_TRUE(orgs.count(r.code)) << r.code;
    EXPECT_EQ(orgs[r.code]->region, r.code);
  }
}

// --- history ---------------------------------------------------------------------------------------------

std::vector<reference::Category> ShippedCategories() {
  std::vector<reference::Category> out;
  auto rows =
      csv::Parse(shipped::kCategoriesCsv, {"code", "parent", "name_zh", "name_en", "accept_hours", "resolve_days"});
  EXPECT_TRUE(rows.ok());
  if (!rows.ok()) return out;
  for (auto& r : *rows)
    out.push_back({r["code"], r["parent"], r["name_zh"], r["name_en"], std::stod(r["accept_hours"]),
                   std::stod(r["resolve_days"])});
  return out;
}

// A real SQLite store in a temporary file, with the demo reference loaded.
class History {
 public:
  explicit History(const std::string& tag) {
    path_ = (std::filesystem::temp_directory_path() /
             ("civicgrid_demo_" + tag + "_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".db"))
                .string();
    auto store = store::OpenSqlite({path_, 2, false});
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    if (!store.ok()) return;
    store_ = std::move(store.value());
    // One fixed key, so that two histories seal to the same masks and lookups.
    auto vault = privacy::Vault::FromHex(std::string(160, '7'));
    EXPECT_TRUE(vault.ok());
    if (vault.ok()) vault_ = std::move(vault.value());
  }
  ~History() {
    service_.reset();
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  Result<int> Play(const DemoOptions& options) {
    auto reference = BuildReference(options);
    if (!reference.ok()) return reference.error();
    auto calendar = calendar::ParseHolidayCsv(shipped::kHolidaysCsv);
    if (!calendar.ok()) return calendar.error();
    auto dir = reference::Directory::Build(reference->regions, reference->orgs, ShippedCategories(), *calendar);
    if (!dir.ok()) return dir.error();
    directory_.Set(dir.value());
    // The store's routing rules, as dispatch::RoutingService::AddDefaults adds them from the shipped templates.
    auto rules = dispatch::DefaultRules(shipped::kRoutingDefaultsCsv, *dir.value());
    if (!rules.ok()) return rules.error();
    for (const auto& rule : *rules)
      if (auto id = store_->routing().AddRoutingRule(rule); !id.ok()) return id.error();
    auto stored = store_->routing().ListRoutingRules();
    if (!stored.ok()) return stored.error();
    routing_.Set(std::make_shared<dispatch::RoutingTable>(std::move(stored.value())));
    clock_ = std::make_unique<ManualClock>(options.now);
    service_ = std::make_unique<cases::CaseService>(store_->cases(), *clock_, directory_, *vault_);
    service_->SetRouting(&routing_);
    return PlayHistory(*service_, *clock_, *dir.value(), options);
  }

  store::Store& store() { return *store_; }
  std::shared_ptr<const reference::Directory> directory() const { return directory_.Get(); }

 private:
  std::string path_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<privacy::Vault> vault_;
  reference::DirectoryHolder directory_;
  dispatch::RoutingHolder routing_;
  std::unique_ptr<ManualClock> clock_;
  std::unique_ptr<cases::CaseService> service_;
};

DemoOptions SmallHistory(int cases) {
  DemoOptions options;
  options.cases = cases;
  options.now = *ParseTime("2026-11-24T10:00:00+08:00");
  return options;
}

TEST(DemoHistoryTest, CasesComeThroughTheCommandsAndFoldToTheirRows) {
  History history("fold");
  const DemoOptions options = SmallHistory(300);
  auto played = history.Play(options);
  ASSERT_TRUE(played.ok()) << played.error().message;
  EXPECT_EQ(*played, 300);
  auto count = history.store().cases().CountCases();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 300);

  std::map<cases::CaseStatus, int> by_status;
  std::set<std::string> channels, majors;
  const TimePoint year_ago = options.now - days{366};
  for (std::int64_t n = 1; n <= *count; ++n) {
    const cases::CaseId id(n);
    auto row = history.store().cases().Load(id);
    ASSERT_TRUE(row.ok());
    ASSERT_TRUE(row->has_value()) << id;
    const cases::Case& c = **row;
    auto events = history.store().cases().LoadEvents(id);
    ASSERT_TRUE(events.ok());
    ASSERT_FALSE(events->empty());
    cases::Case folded;
    TimePoint previous = events->front().at;
    for (const auto& e : *events) {
      EXPECT_GE(e.at, previous) << "case " << id;
      EXPECT_LE(e.at, options.now) << "case " << id;
      previous = e.at;
      folded = cases::Evolve(folded, e);
    }
    EXPECT_TRUE(folded == c) << "case " << id << " does not fold to its row";
    EXPECT_GE(c.created_at, year_ago);
    EXPECT_FALSE(c.origin.grid.empty());
    EXPECT_TRUE(c.origin.location.has_value());
    if (c.origin.channel == "12345" || c.origin.channel == "city_management") {
      EXPECT_FALSE(c.origin.external_id.empty()) << id;
    }
    const auto& reporter = c.origin.reporter;
    EXPECT_FALSE(reporter.phone.empty()) << id;                             // every demo reporter leaves a number
    EXPECT_EQ(reporter.phone.masked.size(), 11u) << reporter.phone.masked;  // 138****5678
    EXPECT_EQ(reporter.phone.masked[0], '1');
    EXPECT_GE(reporter.phone.masked[1], '3');
    EXPECT_EQ(reporter.anonymous, reporter.name.empty()) << id;
    // A reporter merged into this case keeps their anonymity here (issue 17 item 1).
    for (const auto& j : c.joined) EXPECT_EQ(j.reporter.anonymous, j.reporter.name.empty()) << id;
    if (c.origin.channel == "window" || c.origin.channel == "visit") {
      EXPECT_FALSE(reporter.id_number.empty()) << id;
    }
    ++by_status[c.status];
    channels.insert(c.origin.channel);
    majors.insert(c.origin.category.substr(0, 2));
  }
  for (const auto& [status, n] : by_status) std::printf("%s %d\n", std::string(Name(status)).c_str(), n);
  EXPECT_GE(by_status.size(), 4u);
  EXPECT_GT(by_status[cases::CaseStatus::kClosed], 150);
  EXPECT_GT(by_status[cases::CaseStatus::kInvalid] + by_status[cases::CaseStatus::kMerged], 0);
  EXPECT_GT(by_status[cases::CaseStatus::kAccepted] + by_status[cases::CaseStatus::kResolved] +
                by_status[cases::CaseStatus::kDispatched] + by_status[cases::CaseStatus::kReceived],
            0);
  EXPECT_GE(channels.size(), 5u);
  EXPECT_GE(majors.size(), 15u);
}

// The shipped templates, made into rules for the demo counties, send every matter in every place where the
// longest matching template says: the demo's dispatches need no table of their own.
TEST_F(DemoReferenceTest, ShippedRoutingRulesSendEveryMatterWhereTheLongestTemplateSays) {
  auto dir = reference::Directory::Build(reference_->regions, reference_->orgs, ShippedCategories(), {});
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  auto rules = dispatch::DefaultRules(shipped::kRoutingDefaultsCsv, **dir);
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  std::int64_t id = 0;
  for (auto& r : *rules) r.id = ++id;
  const dispatch::RoutingTable table(*rules);
  auto templates = csv::Parse(shipped::kRoutingDefaultsCsv, {"category", "org"});
  ASSERT_TRUE(templates.ok());
  // The org the longest template names, seen from a grid (county, town, community, grid): the demo's town
  // and community organisations carry their region's code.
  auto expected = [&](const std::string& category, const std::vector<const reference::Region*>& lineage) {
    std::string best, org;
    for (auto& t : *templates)
      if (category.starts_with(t["category"]) && t["category"].size() > best.size())
        best = t["category"], org = t["org"];
    if (org == "town") return lineage[1]->code;
    if (org == "community") return lineage[2]->code;
    return lineage[0]->code + "-" + org;
  };
  int grids = 0, checked = 0;
  for (const auto& r : reference_->regions) {
    if (r.kind != RegionKind::kGrid || grids++ % 7 != 0) continue;  // every seventh grid: all towns, most communities
    const auto lineage = (*dir)->Lineage(r.code);
    ASSERT_EQ(lineage.size(), 4u) << r.code;
    const std::string path = (*dir)->PathOf(r.code);
    for (const auto& c : (*dir)->categories()) {
      if (c.parent.empty()) continue;
      const auto choice = table.Route(c.code, path);
      ASSERT_TRUE(choice.has_value()) << "no rule routes " << c.code << " in grid " << r.code;
      const reference::Org* target = dispatch::TargetOf(*choice->rule, path, **dir);
      ASSERT_NE(target, nullptr) << c.code << " in grid " << r.code;
      ASSERT_EQ(target->code, expected(c.code, lineage)) << c.code << " in grid " << r.code;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100000);
  std::printf("%zu rules; %d routes checked\n", rules->size(), checked);
}

TEST(DemoHistoryTest, DispatchesAgreeWithTheRoutingRulesTheStoreHolds) {
  History history("routing");
  const DemoOptions options = SmallHistory(400);
  auto played = history.Play(options);
  ASSERT_TRUE(played.ok()) << played.error().message;
  auto rules = history.store().routing().ListRoutingRules();
  ASSERT_TRUE(rules.ok());
  const dispatch::RoutingTable table(std::move(rules.value()));
  std::map<std::string, int> handled_by;  // department, town, community → cases
  int returned = 0;
  for (std::int64_t n = 1; n <= *played; ++n) {
    const cases::CaseId id(n);
    auto row = history.store().cases().Load(id);
    ASSERT_TRUE(row.ok() && row->has_value()) << id;
    const cases::Case& c = **row;
    const auto choice = table.Route(c.origin.category, c.origin.region_path);
    ASSERT_TRUE(choice.has_value()) << "case " << id;
    const dispatch::RoutingRule& rule = *choice->rule;
    const reference::Org* target = dispatch::TargetOf(rule, c.origin.region_path, *history.directory());
    ASSERT_NE(target, nullptr) << "case " << id;
    ASSERT_TRUE(c.routing.has_value()) << "case " << id << " was not routed at intake";
    EXPECT_EQ(c.routing->rule, rule.id) << "case " << id;
    auto events = history.store().cases().LoadEvents(id);
    ASSERT_TRUE(events.ok());
    ASSERT_GE(events->size(), 2u);
    // Intake dispatched it by the rule, in the same commit; every later dispatch by hand (a refused return)
    // sends it back to the rule's organisation. Only the escalation ladder moves it elsewhere (to the town).
    const cases::CaseEvent& first = (*events)[1];
    const auto* dispatched = std::get_if<cases::events::Dispatched>(&first.body);
    ASSERT_NE(dispatched, nullptr) << "case " << id;
    EXPECT_EQ(first.at, (*events)[0].at) << "case " << id;
    EXPECT_EQ(dispatched->rule, std::optional<std::int64_t>(rule.id)) << "case " << id;
    for (const auto& e : *events) {
      if (const auto* d = std::get_if<cases::events::Dispatched>(&e.body)) {
        EXPECT_EQ(d->org, target->code) << "case " << id << " dispatched";
      }
      if (const auto* r = std::get_if<cases::events::ReturnDecided>(&e.body)) {
        EXPECT_EQ(r->org, target->code) << "case " << id << " return decided";
      }
      returned += std::holds_alternative<cases::events::Returned>(e.body);
    }
    const std::string kind = rule.org == dispatch::kOwnTown        ? "town"
                             : rule.org == dispatch::kOwnCommunity ? "community"
                                                                   : "department";
    ++handled_by[kind];
  }
  for (const auto& [kind, n] : handled_by) std::printf("%s %d\n", kind.c_str(), n);
  EXPECT_GT(handled_by["department"], 0);
  EXPECT_GT(handled_by["town"], 0);
  EXPECT_GT(handled_by["community"], 0);
  EXPECT_GT(returned, 0) << "some handlers dispute the rule's choice";
}

TEST(DemoHistoryTest, SameSeedPlaysTheSameHistory) {
  History a("det_a"), b("det_b");
  const DemoOptions options = SmallHistory(120);
  ASSERT_TRUE(a.Play(options).ok());
  ASSERT_TRUE(b.Play(options).ok());
  for (std::int64_t n = 1; n <= 120; ++n) {
    const cases::CaseId id(n);
    auto ea = a.store().cases().LoadEvents(id);
    auto eb = b.store().cases().LoadEvents(id);
    ASSERT_TRUE(ea.ok() && eb.ok());
    // Sealing draws a fresh IV each time: compare everything but the ciphertexts.
    for (auto* trail : {&*ea, &*eb})
      for (auto& e : *trail) {
        cases::Reporter* r = nullptr;
        if (auto* received = std::get_if<cases::events::Received>(&e.body)) r = &received->origin.reporter;
        if (auto* joined = std::get_if<cases::events::Joined>(&e.body)) r = &joined->reporter;
        if (r) r->phone.cipher.clear(), r->id_number.cipher.clear();
      }
    EXPECT_TRUE(*ea == *eb) << "case " << id;
  }
}

// The full demo: run with --gtest_also_run_disabled_tests to measure it.
TEST(DemoHistoryTest, DISABLED_FullYearTiming) {
  History history("full");
  DemoOptions options = SmallHistory(24000);
  const auto start = std::chrono::steady_clock::now();
  auto played = history.Play(options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(played.ok()) << played.error().message;
  // What the year looks like: statuses, channels, ratings and the less common turns.
  std::map<std::string, int> by_status, by_channel, by_rating, by_event;
  std::int64_t events = 0;
  int late_accept = 0, late_resolve = 0;
  for (std::int64_t n = 1; n <= *played; ++n) {
    const cases::CaseId id(n);
    auto row = history.store().cases().Load(id);
    ASSERT_TRUE(row.ok() && row->has_value());
    const cases::Case& c = **row;
    ++by_status[std::string(Name(c.status))];
    ++by_channel[c.origin.channel];
    if (c.rating) ++by_rating[std::string(Name(*c.rating))];
    auto trail = history.store().cases().LoadEvents(id);
    ASSERT_TRUE(trail.ok());
    events += std::int64_t(trail->size());
    std::set<std::string> kinds;
    for (const auto& e : *trail) kinds.insert(std::string(Name(cases::TypeOf(e))));
    for (const auto& k : kinds) ++by_event[k];
    if (c.accepted_at && c.accept_by && *c.accepted_at > *c.accept_by) ++late_accept;
    if (c.resolved_at && c.resolve_by && *c.resolved_at > *c.resolve_by) ++late_resolve;
  }
  std::printf("%d cases, %lld events in %.1f s\n", *played, static_cast<long long>(events), seconds);
  for (const auto* table : {&by_status, &by_channel, &by_rating, &by_event}) {
    for (const auto& [key, n] : *table) std::printf("  %s %d", key.c_str(), n);
    std::printf("\n");
  }
  std::printf("  accepted late %d, resolved late %d\n", late_accept, late_resolve);
}

}  // namespace
}  // namespace civicgrid::demo
