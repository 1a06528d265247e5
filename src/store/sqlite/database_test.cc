// The shared part of the SQLite store: migrations (stores from every earlier schema open and migrate), the
// group commit, the writer's idle steps.
#include "store/sqlite/database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>

#include "store/sqlite/migrations.h"
#include "store/sqlite/test_util.h"
#include "store/store.h"

namespace civicgrid::store {
namespace {

using cases::CaseQuery;
using cases::kDuplicateExternalId;
using cases::Visibility;
using sqlite::Connection;
using sqlite::Database;
using sqlite::kMigrations;
using testing::NewCase;
using testing::TempDb;

int UserVersion(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr);
  const int v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

// Every table, index, trigger and view, as SQLite keeps their definitions.
std::string Schema(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT type, name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name", -1, &s,
                     nullptr);
  std::string out;
  while (sqlite3_step(s) == SQLITE_ROW)
    for (int i = 0; i < 3; ++i) out += std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, i))) + "\n";
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

TEST(SqliteDatabase, EmbedsTheMigrationFilesInOrder) {
  ASSERT_GE(kMigrations.size(), 7u);
  for (size_t i = 0; i < kMigrations.size(); ++i) {
    // Each file opens with a comment that names its step: the build lists them in this order.
    const std::string head = "-- " + std::to_string(i + 1) + ": ";
    EXPECT_EQ(kMigrations[i].substr(0, head.size()), head) << "step " << i + 1;
  }
  EXPECT_NE(kMigrations[0].find("CREATE TABLE cases("), std::string_view::npos);
}

TEST(SqliteDatabase, MigratesAnOlderStoreInPlace) {
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
  auto c = (*latest)->cases().Load(7);
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->taken_by, "hotline");  // backfilled from the intake event
  Visibility own{false, {}, {}, {"hotline"}};
  CaseQuery q;
  q.visibility = own;
  EXPECT_EQ((*latest)->cases().ListCases(q)->items.size(), 1u);
  // Accounts (schema 2) and the audit log (schema 3) arrived with the data intact.
  ASSERT_TRUE((*latest)->access().AddUser({0, "u", "hash", false, {{"admin", "*"}}}).ok());
  ASSERT_TRUE((*latest)->access().AppendAudit({0, FromMillis(1), "u", "login", "u", "", "cli"}).ok());
  // The next case takes the id after the highest one the store holds.
  EXPECT_EQ((*latest)->cases().NextId(), 8);
}

TEST(SqliteDatabase, MigratesAStoreFromEverySchemaVersion) {
  const int latest = int(kMigrations.size());
  const auto fresh = TempDb("fresh");
  ASSERT_TRUE(OpenSqlite({fresh}).ok());
  EXPECT_EQ(UserVersion(fresh), latest);
  for (int v = 1; v < latest; ++v) {
    const auto path = TempDb(("from-" + std::to_string(v)).c_str());
    ASSERT_TRUE(OpenSqliteAt({path}, v).ok());
    ASSERT_EQ(UserVersion(path), v);
    {
      auto s = OpenSqlite({path});
      ASSERT_TRUE(s.ok()) << "from schema " << v << ": " << s.error().message;
      ASSERT_TRUE((*s)->cases().Commit({NewCase((*s)->cases())}).ok()) << "from schema " << v;
    }
    EXPECT_EQ(UserVersion(path), latest);
    EXPECT_EQ(Schema(path), Schema(fresh)) << "from schema " << v;
  }
}

TEST(SqliteDatabase, RefusesAStoreFromANewerRelease) {
  const auto path = TempDb("newer");
  ASSERT_TRUE(OpenSqlite({path}).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string bump = "PRAGMA user_version=" + std::to_string(kMigrations.size() + 1);
  ASSERT_EQ(sqlite3_exec(db, bump.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = OpenSqlite({path});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("newer civicgrid"), std::string::npos) << s.error().message;
}

TEST(SqliteDatabase, GroupCommitKeepsEachCommandAtomic) {
  auto s = OpenSqlite({TempDb("group")});
  ASSERT_TRUE(s.ok());
  cases::CaseStore& store = (*s)->cases();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, dup{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        // Every thread also repeats one shared external id: exactly one of those wins.
        auto st = store.Commit({NewCase(store, i == 0 ? "shared" : "x" + std::to_string(t * 100 + i))});
        if (st.ok()) ++ok;
        else if (st.error().field == kDuplicateExternalId) ++dup;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8 * 49 + 1);
  EXPECT_EQ(dup.load(), 7);
  EXPECT_EQ(*store.CountCases(), 8 * 49 + 1);
}

// Waits up to two seconds for `done`.
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 200 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

TEST(SqliteDatabase, RunsIdleStepsUntilTheySayDoneThenSleepsUntilTheNextWrite) {
  auto db = Database::Open({TempDb("idle")}, -1);
  ASSERT_TRUE(db.ok()) << db.error().message;
  std::atomic<int> calls{0}, more{3};  // the next `more` calls say there is more to do
  (*db)->AddIdleStep([&](Connection& c) -> Result<bool> {
    ++calls;
    EXPECT_EQ(sqlite3_get_autocommit(c.db()), 0) << "in a transaction of its own";
    return more.fetch_sub(1) > 0;
  });
  (*db)->Start();
  ASSERT_TRUE(Eventually([&] { return calls == 4; })) << calls;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(calls.load(), 4) << "asleep once every step said done";
  more = 1;
  ASSERT_TRUE((*db)->Write([](Connection& c) { return c.Exec("INSERT INTO settings(key,value) VALUES('k','v')"); }));
  ASSERT_TRUE(Eventually([&] { return calls == 6; })) << calls;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(calls.load(), 6);
}

TEST(SqliteDatabase, AFailedIdleStepIsUndoneAndWritesGoOn) {
  auto db = Database::Open({TempDb("idle-fails")}, -1);
  ASSERT_TRUE(db.ok()) << db.error().message;
  std::atomic<int> calls{0};
  (*db)->AddIdleStep([&](Connection& c) -> Result<bool> {
    if (auto st = c.Exec("INSERT INTO settings(key,value) VALUES('idle'," + std::to_string(++calls) + ")"); !st)
      return st.error();
    return Internal("the step fails after writing");
  });
  (*db)->Start();
  ASSERT_TRUE(Eventually([&] { return calls >= 1; }));
  ASSERT_TRUE((*db)->Write([](Connection& c) { return c.Exec("INSERT INTO settings(key,value) VALUES('k','v')"); }));
  ASSERT_TRUE(Eventually([&] { return calls >= 2; }));
  auto rows = (*db)->Read<std::int64_t>([](Connection& c) -> Result<std::int64_t> {
    auto s = c.Prepare("SELECT COUNT(*) FROM settings WHERE key IN ('idle','k')");
    s.Step();
    return s.Int(0);
  });
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 1) << "the write, not the steps";
}

}  // namespace
}  // namespace civicgrid::store
