// Reference data as a county edits it (regions, organisations, categories): every change checked whole before
// anything is written, then the in-memory directory rebuilt from the store and swapped in, so readers keep
// the snapshot they hold. Reloads are serialised; every method is thread-safe and may block on the store.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "reference/directory.h"
#include "reference/reference_store.h"
#include "reference/types.h"

namespace civicgrid::reference {

class ReferenceService {
 public:
  explicit ReferenceService(ReferenceStore& store) : store_(store) {}

  DirectoryHolder& directory() { return directory_; }
  const DirectoryHolder& directory() const { return directory_; }

  // Called after each reload, under the reload's lock: what else is built from reference data (the routing
  // table) rebuilds with it. Register before the first reload.
  void OnReload(std::function<Status()> fn) { on_reload_.push_back(std::move(fn)); }
  // Rebuilds the directory (regions, grid index, orgs, categories, calendar) from the store.
  Status Reload() EXCLUDES(reload_mu_);
  // Reloads when another process (a CLI import) changed reference data since the last load.
  Status ReloadIfChanged() EXCLUDES(reload_mu_);

  // A FeatureCollection of regions (DESIGN.md "Region import"); the tree as it will be is checked first.
  Result<size_t> ImportRegionsGeoJson(const std::string& text);
  // CSV with header code,name,kind,region.
  Result<size_t> ImportOrgsCsv(const std::string& text);
  // A new category under an existing one (codes nest by prefix) or a new class.
  Result<Category> AddCategory(Category category);
  // The State Council's published holiday adjustments (CSV date,kind,name; see data/README.md): every year the
  // file names replaces that year's stored rows; the statutory days come from the rule either way. Checked
  // whole before anything is written.
  struct HolidayImport {
    size_t rows = 0;
    std::vector<int> years;
  };
  Result<HolidayImport> ImportHolidaysCsv(const std::string& text);
  // `init`: the shipped adjustments for the years the store does not hold yet (an import is never undone).
  Status SeedHolidays(std::string_view shipped);

 private:
  ReferenceStore& store_;
  DirectoryHolder directory_;
  std::vector<std::function<Status()>> on_reload_;
  common::Mutex reload_mu_;  // one reload at a time
  std::int64_t loaded_version_ GUARDED_BY(reload_mu_) = -1;
};

}  // namespace civicgrid::reference
