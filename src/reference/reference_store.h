// What the reference data (regions, organisations, categories, the calendar) keeps in the store.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "reference/types.h"

namespace civicgrid::reference {

// Thread-safe; may block: call from worker threads, never from I/O threads.
class ReferenceStore {
 public:
  virtual ~ReferenceStore() = default;

  // Reference data. Upserts run in one transaction each: all rows or none.
  virtual Status UpsertRegions(const std::vector<reference::Region>& regions) = 0;
  virtual Result<std::vector<reference::Region>> LoadRegions() = 0;
  virtual Status UpsertOrgs(const std::vector<reference::Org>& orgs) = 0;
  virtual Result<std::vector<reference::Org>> LoadOrgs() = 0;
  virtual Status UpsertCategories(const std::vector<reference::Category>& categories) = 0;
  virtual Result<std::vector<reference::Category>> LoadCategories() = 0;
  // Holidays as CSV text (the shipped format), so the calendar module owns its parsing.
  virtual Status SaveHolidays(const std::string& csv) = 0;
  virtual Result<std::string> LoadHolidays() = 0;
  // Grows with every change to reference data, so a server notices imports made by another process.
  virtual Result<std::int64_t> ReferenceVersion() = 0;
};

}  // namespace civicgrid::reference
