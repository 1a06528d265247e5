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

// One import as the store keeps it (ReferenceStore::ImportRegions).
struct ImportBatch {
  std::int64_t id = 0;
  std::string kind;  // "regions"
  std::string at;    // UTC, RFC 3339
  std::string actor;
  std::int64_t rows = 0;
};

// Thread-safe; may block: call from worker threads, never from I/O threads.
class ReferenceStore {
 public:
  virtual ~ReferenceStore() = default;

  // Reference data. Upserts run in one transaction each: all rows or none.
  virtual Status UpsertRegions(const std::vector<reference::Region>& regions) = 0;
  virtual Result<std::vector<reference::Region>> LoadRegions() = 0;
  // A region import as one write, serialised with every other write to the store (from any process):
  // `check` is given the stored regions as they are inside that write (without their geometry) and may
  // refuse, in which case nothing is written; otherwise the regions are upserted and a batch keeps the rows
  // they replaced, for UndoLastImport.
  virtual Result<ImportBatch> ImportRegions(
      const std::vector<reference::Region>& regions, const std::string& actor,
      const std::function<Status(const std::vector<reference::Region>& stored)>& check) = 0;
  // Undoes the latest import batch not undone yet, in one write: the rows it replaced come back and the
  // rows it added go. NotFound when there is none.
  virtual Result<ImportBatch> UndoLastImport() = 0;
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
