// Reference data in SQLite: regions, organisations, categories (tables of their own) and the holiday
// calendar and reference version (rows of `settings`). Thread-safe, blocking (see database.h).
#pragma once

#include "reference/reference_store.h"
#include "store/sqlite/database.h"

namespace civicgrid::store::sqlite {

class ReferenceStore final : public reference::ReferenceStore {
 public:
  explicit ReferenceStore(Database& db) : db_(db) {}

  Status UpsertRegions(const std::vector<reference::Region>& regions) override;
  Result<std::vector<reference::Region>> LoadRegions() override;
  Result<reference::ImportBatch> ImportRegions(
      const std::vector<reference::Region>& regions, const std::string& actor,
      const std::function<Status(const std::vector<reference::Region>& stored)>& check) override;
  Result<reference::ImportBatch> UndoLastImport() override;
  Status UpsertOrgs(const std::vector<reference::Org>& orgs) override;
  Result<std::vector<reference::Org>> LoadOrgs() override;
  Status UpsertCategories(const std::vector<reference::Category>& categories) override;
  Result<std::vector<reference::Category>> LoadCategories() override;
  Status SaveHolidays(const std::string& csv) override;
  Result<std::string> LoadHolidays() override;
  Result<std::int64_t> ReferenceVersion() override;

 private:
  Database& db_;
};

// Inside a write that changes reference data (routing rules are reference data too): counts one change,
// so that servers notice it (ReferenceVersion).
Status BumpReferenceVersion(Connection& c);

}  // namespace civicgrid::store::sqlite
