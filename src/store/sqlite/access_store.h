// Accounts, tokens and the security audit log in SQLite (tables users, user_roles, tokens, security_audit;
// the schema's triggers keep the audit log append-only). Thread-safe, blocking (see database.h).
#pragma once

#include "domain/access/access_store.h"
#include "store/sqlite/database.h"

namespace civicgrid::store::sqlite {

class AccessStore final : public access::AccessStore {
 public:
  explicit AccessStore(Database& db) : db_(db) {}

  Result<std::int64_t> AddUser(const access::User& user) override;
  Result<std::optional<access::User>> FindUser(const std::string& login) override;
  Result<std::optional<access::User>> FindUserById(std::int64_t id) override;
  Result<std::vector<access::User>> ListUsers() override;
  Status SetUserDisabled(const std::string& login, bool disabled) override;
  Status SetPassword(std::int64_t user_id, const std::string& hash, TimePoint at) override;
  Result<std::optional<int>> CountLoginAttempt(std::int64_t user_id, TimePoint now, int max_failures,
                                               TimePoint lock_until) override;
  Status RecordLoginSuccess(std::int64_t user_id) override;
  Result<bool> ClaimTotpStep(std::int64_t user_id, std::int64_t step) override;
  Status SealTotpSecret(std::int64_t user_id, const std::string& plain, const std::string& sealed) override;
  Status AddToken(const access::Token& token) override;
  Result<std::optional<access::Token>> FindToken(const std::string& hash) override;
  Status DeleteToken(const std::string& hash) override;
  Status AppendAudit(const access::AuditRecord& record) override;
  Result<std::vector<access::AuditRecord>> ListAudit(std::optional<std::int64_t> before, int limit) override;

 private:
  Database& db_;
};

}  // namespace civicgrid::store::sqlite
