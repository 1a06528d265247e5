#include "store/sqlite/access_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>

#include "store/sqlite/test_util.h"
#include "store/store.h"

namespace civicgrid::store {
namespace {

using testing::TempDb;

TEST(SqliteAccessStore, AuditLogIsAppendOnly) {
  const auto path = TempDb("audit");
  auto s = OpenSqlite({path});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->access().AppendAudit({0, FromMillis(1790000000000), "a", "login", "a", "", "cli"}).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  EXPECT_NE(sqlite3_exec(db, "UPDATE security_audit SET actor='x'", nullptr, nullptr, nullptr), SQLITE_OK);
  // 2026 is within six months of now for years to come only if now is near; use a record from "now".
  const std::string now_ms = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  ASSERT_EQ(sqlite3_exec(db,
                         ("INSERT INTO security_audit(at,actor,action,target,detail,remote) VALUES(" + now_ms +
                          ",'b','login','b','','cli')")
                             .c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM security_audit WHERE actor='b'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ((*s)->access().ListAudit(std::nullopt, 10)->size(), 2u);
}

}  // namespace
}  // namespace civicgrid::store
