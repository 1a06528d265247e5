// Cases in SQLite: the `cases` rows (the projection: the whole case as JSON in `doc`, its indexed part in
// columns), `case_events`, `idempotency`, the full-text index `cases_fts`, and the rows a write brings with
// it as the domain derived them (whistle_parts, missed_check_ins). Gives the database an idle step that
// merges the full-text index. Thread-safe, blocking (see database.h).
#pragma once

#include <atomic>
#include <memory>

#include "domain/cases/case_store.h"
#include "store/sqlite/database.h"

namespace civicgrid::store::sqlite {

class CaseStore final : public cases::CaseStore {
 public:
  // Reads the next case id and adds the idle merge to `db`: call before db.Start().
  static Result<std::unique_ptr<CaseStore>> Open(Database& db);

  ledger::ItemId NextId() override { return next_id_.fetch_add(1); }
  Status Commit(const std::vector<cases::CaseWrite>& writes) override;
  Status ScanCases(bool open_only, const std::function<void(cases::Case&&)>& fn) override;
  Status ScanDigests(const std::function<void(const cases::CaseDigest&)>& fn) override;
  Result<std::optional<cases::Case>> Load(ledger::ItemId id) override;
  Result<std::optional<cases::CaseId>> FindByExternalId(const std::string& channel,
                                                        const std::string& external_id) override;
  Result<std::optional<cases::CaseId>> FindByIdempotencyKey(const std::string& key) override;
  Result<std::vector<cases::CaseEvent>> LoadEvents(cases::CaseId id) override;
  Result<cases::CasePage> ListCases(const cases::CaseQuery& query) override;
  Result<std::int64_t> CountCases() override;
  Result<std::map<std::string, std::int64_t>> MissedCheckIns() override;

 private:
  explicit CaseStore(Database& db) : db_(db) {}

  Database& db_;
  std::atomic<cases::CaseId> next_id_{1};
};

}  // namespace civicgrid::store::sqlite
