#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "cases/lifecycle.h"
#include "store/store.h"

namespace civicgrid::store {
namespace {

std::string TempDb(const char* name) {
  auto p = std::filesystem::temp_directory_path() / (std::string("cg-store-") + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return (p / "civicgrid.db").string();
}

CaseWrite NewCase(Store& s, const std::string& external_id = "") {
  model::CaseOrigin o;
  o.channel = "12345";
  o.external_id = external_id;
  o.category = "06001";
  o.title = "t";
  o.region_path = "/320923/320923001/";
  cases::Context ctx;
  ctx.now = *ParseTime("2026-11-24T09:00:00+08:00");
  ctx.actor = "t";
  const auto id = s.NextCaseId();
  o.number = "N" + std::to_string(id);
  auto e = cases::Receive(id, o, ctx);
  return CaseWrite{cases::Evolve({}, e), {e}, 0, ""};
}

TEST(SqliteStore, MigratesAnOlderStoreInPlace) {
  const auto path = TempDb("migrate");
  CaseId id;
  {
    auto v1 = OpenSqliteAt({path}, 1);
    ASSERT_TRUE(v1.ok()) << v1.error().message;
    auto w = NewCase(**v1);
    id = w.after.id;
    ASSERT_TRUE((*v1)->CommitCase(w).ok());
  }
  auto latest = OpenSqlite({path});
  ASSERT_TRUE(latest.ok()) << latest.error().message;
  auto c = (*latest)->GetCase(id);
  ASSERT_TRUE(c.ok() && c->has_value());
  // Schema 2 (accounts) arrived with the data intact.
  ASSERT_TRUE((*latest)->AddUser({0, "u", "hash", false, {{"admin", "*"}}}).ok());
}

TEST(SqliteStore, GroupCommitKeepsEachCommandAtomic) {
  auto s = OpenSqlite({TempDb("group")});
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, dup{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        // Every thread also repeats one shared external id: exactly one of those wins.
        auto st = store.CommitCase(NewCase(store, i == 0 ? "shared" : "x" + std::to_string(t * 100 + i)));
        if (st.ok()) ++ok;
        else if (st.error().field == kDuplicateExternalId) ++dup;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8 * 49 + 1);
  EXPECT_EQ(dup.load(), 7);
  EXPECT_EQ(*store.CountCases(), 8 * 49 + 1);
}

TEST(SqliteStore, RefusesAStaleVersionAndWritesNothing) {
  auto s = OpenSqlite({TempDb("version")});
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  auto w = NewCase(store);
  ASSERT_TRUE(store.CommitCase(w).ok());
  cases::Context ctx;
  ctx.now = w.after.created_at;
  auto events = cases::Decide(w.after, cases::Dispatch{"org"}, ctx);
  ASSERT_TRUE(events.ok());
  CaseWrite next{cases::Evolve(w.after, (*events)[0]), *events, 1, ""};
  ASSERT_TRUE(store.CommitCase(next).ok());
  auto stale = store.CommitCase(next);  // same expected version again
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().field, kVersionMismatch);
  EXPECT_EQ(store.LoadEvents(w.after.id)->size(), 2u);
}

TEST(SqliteStore, ListsWithKeysetPaginationAndFilters) {
  auto s = OpenSqlite({TempDb("list")});
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(store.CommitCase(NewCase(store)).ok());
  CaseQuery q;
  q.limit = 10;
  std::vector<CaseId> seen;
  for (;;) {
    auto page = store.ListCases(q);
    ASSERT_TRUE(page.ok());
    for (const auto& c : page->items) seen.push_back(c.id);
    if (!page->next_before) break;
    q.before = page->next_before;
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend()));
  CaseQuery region;
  region.region_path = "/320923/";
  EXPECT_EQ(store.ListCases(region)->items.size(), 25u);
  region.region_path = "/320922/";
  EXPECT_EQ(store.ListCases(region)->items.size(), 0u);
  CaseQuery cat;
  cat.category = "06";
  EXPECT_EQ(store.ListCases(cat)->items.size(), 25u);
  cat.category = "07";
  EXPECT_EQ(store.ListCases(cat)->items.size(), 0u);
}

}  // namespace
}  // namespace civicgrid::store
