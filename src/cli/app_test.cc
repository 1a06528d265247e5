// Store-level tests through the composition root: migrations, the projection, restarts.
#include "cli/app.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace civicgrid::app {
namespace {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("civicgrid-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

constexpr const char* kRegions = R"({"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"code":"g1","name":"一网格","kind":"grid","parent":"c1"},
  "geometry":{"type":"Polygon","coordinates":[[[119.0,33.0],[119.1,33.0],[119.1,33.1],[119.0,33.1],[119.0,33.0]]]}},
 {"type":"Feature","properties":{"code":"c1","name":"县","kind":"county"},"geometry":null}]})";

TEST(App, CasesSurviveReopenAndFoldToTheirRow) {
  TempDir dir;
  ManualClock clock(*ParseTime("2026-11-24T09:00:00+08:00"));
  cases::CaseId id = 0;
  {
    auto app = App::Open({.data_dir = dir.str(), .durable = true, .clock = &clock});
    ASSERT_TRUE(app.ok()) << app.error().message;
    ASSERT_TRUE(Init(**app, "Secret-Password-1").ok());
    ASSERT_TRUE((*app)->reference().ImportRegionsGeoJson(kRegions).ok());
    ASSERT_TRUE((*app)->reference().ImportOrgsCsv("code,name,kind,region\norg1,城管,department,c1\n").ok());
    cases::IntakeRequest req;
    req.channel = "12345";
    req.category = "06001";
    req.title = "路面破损";
    req.location = geo::LonLat{119.05, 33.05};
    auto r = (*app)->cases().Intake(req, "tester");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->c.origin.grid, "g1");
    EXPECT_EQ(r->c.origin.region_path, "/c1/g1/");
    id = r->c.id;
    clock.Advance(hours{1});
    ASSERT_TRUE((*app)->cases().Act(id, cases::Dispatch{"org1"}, "tester").ok());
    ASSERT_TRUE((*app)->cases().Act(id, cases::Accept{}, "tester").ok());
    auto bad = (*app)->cases().Act(id, cases::Dispatch{"nope"}, "tester");
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalid);
  }
  auto app = App::Open({.data_dir = dir.str(), .durable = true, .clock = &clock});
  ASSERT_TRUE(app.ok());
  auto c = (*app)->cases().Get(id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->status, cases::CaseStatus::kAccepted);
  auto events = (*app)->store().cases().LoadEvents(id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  cases::Case folded;
  for (const auto& e : *events) folded = cases::Evolve(folded, e);
  EXPECT_EQ(folded, *c);
  // A new id never reuses an old one after restart.
  EXPECT_GT((*app)->store().cases().NextId(), id);
}

TEST(App, IntakeIsIdempotent) {
  TempDir dir;
  ManualClock clock(*ParseTime("2026-11-24T09:00:00+08:00"));
  auto app = App::Open({.data_dir = dir.str(), .durable = true, .clock = &clock});
  ASSERT_TRUE(app.ok());
  ASSERT_TRUE(Init(**app, "Secret-Password-1").ok());
  cases::IntakeRequest req;
  req.channel = "12345";
  req.external_id = "HX-1";
  req.category = "06001";
  req.title = "路面破损";
  auto a = (*app)->cases().Intake(req, "t");
  auto b = (*app)->cases().Intake(req, "t");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->created);
  EXPECT_FALSE(b->created);
  EXPECT_EQ(a->c.id, b->c.id);
  req.external_id = "";
  req.idempotency_key = "k1";
  auto c = (*app)->cases().Intake(req, "t");
  auto d = (*app)->cases().Intake(req, "t");
  ASSERT_TRUE(c.ok() && d.ok());
  EXPECT_NE(c->c.id, a->c.id);
  EXPECT_EQ(c->c.id, d->c.id);
  EXPECT_EQ(*(*app)->store().cases().CountCases(), 2);
}

}  // namespace
}  // namespace civicgrid::app

namespace civicgrid::app {
namespace {

TEST(App, StaffPasswordsExpireAndCanBeChanged) {
  TempDir dir;
  ManualClock clock(*ParseTime("2026-11-24T09:00:00+08:00"));
  auto app = App::Open({.data_dir = dir.str(), .durable = true, .clock = &clock});
  ASSERT_TRUE(app.ok());
  ASSERT_TRUE(Init(**app, "Secret-Password-1").ok());
  ASSERT_TRUE((*app)->reference().ImportRegionsGeoJson(kRegions).ok());
  ASSERT_TRUE(AddUser(**app, "staff", "Staff-Password-1", {{"community_staff", "c1"}}, "t").ok() == false)
      << "c1 is a county, not a community";
  ASSERT_TRUE(AddUser(**app, "staff", "Staff-Password-1", {{"leader", "c1"}}, "t").ok());
  ASSERT_TRUE(AddUser(**app, "res", "Resident-Pass-1", {{"resident", "c1"}}, "t").ok());
  EXPECT_FALSE(AddUser(**app, "weak", "password", {{"resident", "c1"}}, "t").ok());
  EXPECT_TRUE((*app)->auth().Login("staff", "Staff-Password-1", "", "test").ok());
  clock.Advance(std::chrono::hours(24 * 91));
  auto expired = (*app)->auth().Login("staff", "Staff-Password-1", "", "test");
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kForbidden);
  EXPECT_TRUE((*app)->auth().Login("res", "Resident-Pass-1", "", "test").ok());  // residents' do not expire
  EXPECT_FALSE((*app)->auth().ChangePassword("staff", "Staff-Password-1", "", "short", "test").ok());
  ASSERT_TRUE((*app)->auth().ChangePassword("staff", "Staff-Password-1", "", "Staff-Password-2", "test").ok());
  EXPECT_TRUE((*app)->auth().Login("staff", "Staff-Password-2", "", "test").ok());
  // Admins need the one-time code.
  EXPECT_EQ((*app)->auth().Login("admin", "Secret-Password-1", "", "test").error().code, ErrorCode::kUnauthorized);
}

}  // namespace
}  // namespace civicgrid::app

namespace civicgrid::app {
namespace {

// A store from before issue 3 holds rows without timers or levels: the first open refolds them from their
// events, so their deadlines fire and `check` agrees.
TEST(App, RowsInAnOlderProjectionAreRefoldedOnce) {
  const auto dir = std::filesystem::temp_directory_path() / ("civicgrid-refold-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ManualClock clock(*ParseTime("2026-11-24T09:00:00+08:00"));
  cases::CaseId id = 0;
  {
    auto app = App::Open({.data_dir = dir.string(), .durable = true, .clock = &clock});
    ASSERT_TRUE(app.ok()) << app.error().message;
    ASSERT_TRUE(Init(**app, "Secret-Password-1").ok());
    cases::IntakeRequest req;
    req.channel = "12345";
    req.category = "06001";
    req.title = "路面破损";
    auto r = (*app)->cases().Intake(req, "tester");
    ASSERT_TRUE(r.ok()) << r.error().message;
    id = r->c.id;
    // What an older civicgrid wrote: the same case without the fields it did not know.
    cases::Case old = r->c;
    old.timers.clear();
    ASSERT_TRUE((*app)->store().cases().Commit({{old, {}, old.version, ""}}).ok());
    ASSERT_TRUE((*app)->store().PutSetting("projection_version", "1").ok());
    EXPECT_FALSE(CheckProjection(**app).ok());
  }
  auto app = App::Open({.data_dir = dir.string(), .durable = true, .clock = &clock});
  ASSERT_TRUE(app.ok()) << app.error().message;
  auto c = (*app)->cases().Get(id);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->timers.count("resolve"));
  auto checked = CheckProjection(**app);
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  EXPECT_EQ(*(*app)->store().GetSetting("projection_version"), "2");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace civicgrid::app
