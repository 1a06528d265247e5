// Cases in the SQLite store: versions, lists, the full-text index, the rows the domain derives for a write.
#include "store/sqlite/case_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <thread>

#include "domain/cases/lifecycle.h"
#include "store/sqlite/test_util.h"
#include "store/store.h"

namespace civicgrid::store {
namespace {

using cases::CaseId;
using cases::CaseQuery;
using cases::CaseWrite;
using cases::kVersionMismatch;
using cases::Visibility;
using testing::NewCase;
using testing::TempDb;

TEST(SqliteCaseStore, RefusesAStaleVersionAndWritesNothing) {
  auto s = OpenSqlite({TempDb("version")});
  ASSERT_TRUE(s.ok());
  cases::CaseStore& store = (*s)->cases();
  auto w = NewCase(store);
  ASSERT_TRUE(store.Commit({w}).ok());
  cases::Context ctx;
  ctx.now = w.after.created_at;
  auto events = cases::Decide(w.after, cases::Dispatch{"org"}, ctx);
  ASSERT_TRUE(events.ok());
  CaseWrite next{cases::Evolve(w.after, (*events)[0]), *events, 1, ""};
  ASSERT_TRUE(store.Commit({next}).ok());
  auto stale = store.Commit({next});  // same expected version again
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().field, kVersionMismatch);
  EXPECT_EQ(store.LoadEvents(w.after.id)->size(), 2u);
}

TEST(SqliteCaseStore, ListsWithKeysetPaginationAndFilters) {
  auto s = OpenSqlite({TempDb("list")});
  ASSERT_TRUE(s.ok());
  cases::CaseStore& store = (*s)->cases();
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(store.Commit({NewCase(store)}).ok());
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
  cat.categories = {"06"};
  EXPECT_EQ(store.ListCases(cat)->items.size(), 25u);
  cat.categories = {"07"};
  EXPECT_EQ(store.ListCases(cat)->items.size(), 0u);
}

// Repeated filters take every value (status IN, an OR of category prefixes, org IN) and page by keyset; a
// number matches exactly one case.
TEST(SqliteCaseStore, RepeatedFiltersTakeEveryValue) {
  auto s = OpenSqlite({TempDb("multi")});
  ASSERT_TRUE(s.ok());
  cases::CaseStore& store = (*s)->cases();
  std::vector<CaseWrite> made;
  for (int i = 0; i < 9; ++i) {
    made.push_back(NewCase(store));
    ASSERT_TRUE(store.Commit({made.back()}).ok());
  }
  for (int i = 0; i < 6; ++i) {  // three dispatched to "a", three to "b", three left received
    cases::Context ctx;
    ctx.now = made[size_t(i)].after.created_at;
    auto events = cases::Decide(made[size_t(i)].after, cases::Dispatch{i < 3 ? "a" : "b"}, ctx);
    ASSERT_TRUE(events.ok());
    CaseWrite next{cases::Evolve(made[size_t(i)].after, (*events)[0]), *events, 1, ""};
    ASSERT_TRUE(store.Commit({next}).ok());
  }
  CaseQuery q;
  q.statuses = {cases::CaseStatus::kReceived};
  EXPECT_EQ(store.ListCases(q)->items.size(), 3u);
  q.statuses = {cases::CaseStatus::kReceived, cases::CaseStatus::kDispatched};
  q.limit = 4;
  std::vector<CaseId> seen;
  for (;;) {
    auto page = store.ListCases(q);
    ASSERT_TRUE(page.ok());
    for (const auto& c : page->items) seen.push_back(c.id);
    if (!page->next_before) break;
    q.before = page->next_before;
  }
  EXPECT_EQ(seen.size(), 9u);
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend()));
  CaseQuery orgs;
  orgs.orgs = {"a"};
  EXPECT_EQ(store.ListCases(orgs)->items.size(), 3u);
  orgs.orgs = {"a", "b"};
  EXPECT_EQ(store.ListCases(orgs)->items.size(), 6u);
  CaseQuery cats;
  cats.categories = {"07", "06"};
  EXPECT_EQ(store.ListCases(cats)->items.size(), 9u);
  CaseQuery number;
  number.number = made[4].after.origin.number;
  auto one = store.ListCases(number);
  ASSERT_EQ(one->items.size(), 1u);
  EXPECT_EQ(one->items[0].id, made[4].after.id);
  number.number = "GD19990101-0000001";
  EXPECT_EQ(store.ListCases(number)->items.size(), 0u);
}

// The number of segments in cases_fts (FTS5's structure record, rowid 10 of cases_fts_data: a 4-byte
// cookie, then varints nLevel and nSegment).
int FullTextSegments(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT block FROM cases_fts_data WHERE id=10", -1, &s, nullptr);
  int segments = -1;
  if (sqlite3_step(s) == SQLITE_ROW) {
    const auto* b = static_cast<const unsigned char*>(sqlite3_column_blob(s, 0));
    const int n = sqlite3_column_bytes(s, 0);
    int i = 4;
    auto varint = [&] {
      std::uint64_t v = 0;
      while (i < n) {
        const unsigned char x = b[i++];
        v = (v << 7) | (x & 0x7f);
        if (!(x & 0x80)) break;
      }
      return v;
    };
    varint();  // levels
    segments = int(varint());
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return segments;
}

TEST(SqliteCaseStore, MergesTheFullTextIndexWhenIdle) {
  const auto path = TempDb("merge");
  auto opened = OpenSqlite({path});
  ASSERT_TRUE(opened.ok());
  cases::CaseStore& store = (*opened)->cases();
  {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT v FROM cases_fts_config WHERE k='automerge'", -1, &s, nullptr);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(s, 0), 0);  // migration 7: no merging inside the group commits
    sqlite3_finalize(s);
    sqlite3_close(db);
  }
  // Twelve commits, one full-text segment each: below FTS5's crisis merge (16).
  for (int i = 0; i < 12; ++i) {
    auto w = NewCase(store);
    w.after.origin.title = "路灯不亮 " + std::to_string(i);
    ASSERT_TRUE(store.Commit({w}));
  }
  // Idle now: the writer merges in small steps until no level has 4 segments (FTS5's usermerge).
  int segments = FullTextSegments(path);
  for (int tries = 0; tries < 200 && segments > 3; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    segments = FullTextSegments(path);
  }
  EXPECT_GE(segments, 1);
  EXPECT_LE(segments, 3);
  CaseQuery q;
  q.text = "路灯";
  q.limit = 50;
  auto found = store.ListCases(q);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->items.size(), 12u);
}

// The store derives nothing from the case's facts: it writes the county, the whistle's departments and the
// missed check-ins the domain put in the write (CaseService::CompleteWrite), even where the case says otherwise.
TEST(SqliteCaseStore, WritesTheRowsTheDomainDerivedAsGiven) {
  const auto path = TempDb("derived");
  auto opened = OpenSqlite({path});
  ASSERT_TRUE(opened.ok());
  cases::CaseStore& store = (*opened)->cases();
  auto w = NewCase(store);
  w.county = "c9";
  w.whistle_orgs = {"lead", "co"};
  w.missed_check_ins = {"co", "co", "lead"};
  ASSERT_TRUE(store.Commit({w}).ok());
  auto sees = [&](const std::string& org) {
    CaseQuery q;
    q.visibility = Visibility{false, {}, {org}, {}};
    return store.ListCases(q)->items.size();
  };
  EXPECT_EQ(sees("co"), 1u) << "a department of the whistle lists the case";
  EXPECT_EQ(sees("other"), 0u);
  EXPECT_EQ(*store.MissedCheckIns(), (std::map<std::string, std::int64_t>{{"co", 2}, {"lead", 1}}));
  {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT county FROM cases", -1, &s, nullptr);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "c9");
    sqlite3_finalize(s);
    sqlite3_close(db);
  }
  // The next write's departments replace the last (a reopen ends a whistle); missed check-ins add up.
  cases::Context ctx;
  ctx.now = w.after.created_at;
  auto events = cases::Decide(w.after, cases::Dispatch{"org"}, ctx);
  ASSERT_TRUE(events.ok());
  CaseWrite next{cases::Evolve(w.after, (*events)[0]), *events, 1, ""};
  next.missed_check_ins = {"lead"};
  ASSERT_TRUE(store.Commit({next}).ok());
  EXPECT_EQ(sees("co"), 0u);
  EXPECT_EQ(*store.MissedCheckIns(), (std::map<std::string, std::int64_t>{{"co", 2}, {"lead", 2}}));
}

}  // namespace
}  // namespace civicgrid::store
