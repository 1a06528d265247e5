#include "store/sqlite/access_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "domain/access/auth.h"
#include "domain/access/totp.h"
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

access::User NewUser(const std::string& login, const std::string& password) {
  access::User u;
  u.login = login;
  u.password_hash = *access::AuthService::HashPassword(password);
  u.roles = {{"resident", "320923"}};
  u.password_changed_at = FromMillis(1790000000000);
  return u;
}

// Issue 17, item 4: parallel attempts each get their own number; the fifth locks, and no more are counted.
TEST(SqliteAccessStore, LoginAttemptsAreCountedOneByOneAndLock) {
  auto s = OpenSqlite({TempDb("attempts")});
  ASSERT_TRUE(s.ok());
  auto id = (*s)->access().AddUser(NewUser("u", "Some-Password-123"));
  ASSERT_TRUE(id.ok());
  const TimePoint now = FromMillis(1790000000000), until = now + std::chrono::minutes(15);
  std::vector<std::optional<int>> got(20);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] {
      auto r = (*s)->access().CountLoginAttempt(*id, now, 5, until);
      ASSERT_TRUE(r.ok());
      got[i] = *r;
    });
  for (auto& t : threads) t.join();
  std::vector<int> numbers;
  for (const auto& g : got)
    if (g) numbers.push_back(*g);
  std::sort(numbers.begin(), numbers.end());
  EXPECT_EQ(numbers, (std::vector<int>{1, 2, 3, 4, 5}));
  auto u = (*s)->access().FindUserById(*id);
  EXPECT_EQ((*u)->locked_until, until);
  // Locked: nothing counted. After the lock: counting starts again.
  EXPECT_FALSE((*s)->access().CountLoginAttempt(*id, until - std::chrono::seconds(1), 5, until)->has_value());
  EXPECT_EQ((*s)->access().CountLoginAttempt(*id, until, 5, until + std::chrono::minutes(15))->value_or(-1), 1);
  ASSERT_TRUE((*s)->access().RecordLoginSuccess(*id).ok());
  EXPECT_EQ((*s)->access().CountLoginAttempt(*id, until, 5, until)->value_or(-1), 1);
}

// The same race through the login itself: 20 parallel wrong passwords lock the account (before: counted as 1).
TEST(SqliteAccessStore, ParallelWrongPasswordsLockTheAccount) {
  auto s = OpenSqlite({TempDb("race")});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->access().AddUser(NewUser("victim", "Some-Password-123")).ok());
  auto vault = privacy::Vault::FromHex(privacy::Vault::NewKeyHex());
  ManualClock clock(FromMillis(1790000000000));
  access::AuthService auth((*s)->access(), clock, **vault, {20, 32, std::chrono::milliseconds(60000)});
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i)
    threads.emplace_back([&] { EXPECT_FALSE(auth.Login("victim", "Wrong-Password-999", "", "test").ok()); });
  for (auto& t : threads) t.join();
  auto u = (*s)->access().FindUser("victim");
  EXPECT_GT((*u)->locked_until, clock.Now());
  auto right = auth.Login("victim", "Some-Password-123", "", "test");
  ASSERT_FALSE(right.ok());  // locked: answered like a wrong password
  EXPECT_EQ(right.error().code, ErrorCode::kUnauthorized);
  int locked_out = 0;
  auto audit = (*s)->access().ListAudit(std::nullopt, 100);
  ASSERT_TRUE(audit.ok());
  for (const auto& r : *audit) locked_out += r.action == "locked_out";
  EXPECT_EQ(locked_out, 1);
  clock.Advance(access::kLockout);
  EXPECT_TRUE(auth.Login("victim", "Some-Password-123", "", "test").ok());
}

// Issue 17, item 9: a secret kept in clear by an older store is sealed at open, and its owner still logs in.
TEST(SqliteAccessStore, TotpSecretsAreSealedAndStillWork) {
  const auto path = TempDb("totp");
  auto s = OpenSqlite({path});
  ASSERT_TRUE(s.ok());
  auto user = NewUser("admin", "Some-Password-123");
  user.roles = {{"admin", "*"}};
  const std::string secret = access::NewTotpSecret();
  user.totp_secret = secret;  // as schema 8 kept it
  ASSERT_TRUE((*s)->access().AddUser(user).ok());
  auto vault = privacy::Vault::FromHex(privacy::Vault::NewKeyHex());
  ManualClock clock(FromMillis(1790000000000));
  access::AuthService auth((*s)->access(), clock, **vault);
  EXPECT_EQ(*auth.SealStoredTotpSecrets(), 1);
  EXPECT_EQ(*auth.SealStoredTotpSecrets(), 0);  // once
  auto stored = (*s)->access().FindUser("admin");
  EXPECT_TRUE((*stored)->totp_sealed);
  EXPECT_EQ((*stored)->totp_secret.find(secret), std::string::npos);
  EXPECT_EQ(*auth.OpenTotpSecret(**stored), secret);
  const auto key = access::Base32Decode(secret);
  EXPECT_TRUE(auth.Login("admin", "Some-Password-123", access::TotpCode(*key, clock.Now()), "test").ok());
}

}  // namespace
}  // namespace civicgrid::store
