#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <thread>

#include "domain/cases/lifecycle.h"
#include "store/store.h"

namespace civicgrid::store {

using cases::Case;
using cases::CaseDigest;
using cases::CaseEvent;
using cases::CaseId;
using cases::CasePage;
using cases::CaseQuery;
using cases::CaseWrite;
using cases::Visibility;
using cases::kDuplicateExternalId;
using cases::kDuplicateIdempotencyKey;
using cases::kVersionMismatch;
using access::AuditRecord;
using access::Token;
using access::User;
using dispatch::RoutingRule;

namespace {

std::string TempDb(const char* name) {
  auto p = std::filesystem::temp_directory_path() / (std::string("cg-store-") + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return (p / "civicgrid.db").string();
}

CaseWrite NewCase(Store& s, const std::string& external_id = "") {
  cases::CaseOrigin o;
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
  ASSERT_TRUE(OpenSqliteAt({path}, 1).ok());  // a schema-1 store, as the first release left it
  {
    // A case written by that release: no taken_by column, no taken_by in the document.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* sql = R"(
      INSERT INTO cases(id,county,number,channel,category,region_path,status,created_at,updated_at,version,doc)
      VALUES(7,'320923','GD20260101-0000007','12345','06001','/320923/','received',1,1,1,
        '{"id":7,"origin":{"channel":"12345","category":"06001","title":"t","region_path":"/320923/"},
          "status":"received","created_at":1,"updated_at":1,"version":1}');
      INSERT INTO case_events(case_id,seq,type,actor,at,payload) VALUES(7,1,'received','hotline',1,'{}');)";
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto latest = OpenSqlite({path});
  ASSERT_TRUE(latest.ok()) << latest.error().message;
  auto c = (*latest)->GetCase(7);
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->taken_by, "hotline");  // backfilled from the intake event
  Visibility own{false, {}, {}, {"hotline"}};
  CaseQuery q;
  q.visibility = own;
  EXPECT_EQ((*latest)->ListCases(q)->items.size(), 1u);
  // Accounts (schema 2) and the audit log (schema 3) arrived with the data intact.
  ASSERT_TRUE((*latest)->AddUser({0, "u", "hash", false, {{"admin", "*"}}}).ok());
  ASSERT_TRUE((*latest)->AppendAudit({0, FromMillis(1), "u", "login", "u", "", "cli"}).ok());
}

TEST(SqliteStore, AuditLogIsAppendOnly) {
  const auto path = TempDb("audit");
  auto s = OpenSqlite({path});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->AppendAudit({0, FromMillis(1790000000000), "a", "login", "a", "", "cli"}).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  EXPECT_NE(sqlite3_exec(db, "UPDATE security_audit SET actor='x'", nullptr, nullptr, nullptr), SQLITE_OK);
  // 2026 is within six months of now for years to come only if now is near; use a record from "now".
  const std::string now_ms = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch()).count());
  ASSERT_EQ(sqlite3_exec(db, ("INSERT INTO security_audit(at,actor,action,target,detail,remote) VALUES(" + now_ms +
                              ",'b','login','b','','cli')").c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM security_audit WHERE actor='b'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ((*s)->ListAudit(std::nullopt, 10)->size(), 2u);
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

TEST(SqliteStore, MergesTheFullTextIndexWhenIdle) {
  const auto path = TempDb("merge");
  auto opened = OpenSqlite({path});
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
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
    ASSERT_TRUE(store.CommitCase(w));
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

}  // namespace
}  // namespace civicgrid::store
