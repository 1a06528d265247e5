// Reference data as a county edits it (regions, organisations, categories): every change is checked against
// the state it changes and written as one serialised step (check, write, reload under one lock; a region
// import is also checked inside its own store write, so an import from another process cannot come between),
// then the in-memory directory rebuilt from the store and swapped in, so readers keep the snapshot they hold.
// Every method is thread-safe and may block on the store.
//
// A store whose reference data is inconsistent (a cycle of parents, an unknown parent: written by hand or by
// an older release) still loads: the sound part is served, the rest left out, and the service is read-only
// for reference changes (409 naming the fault) until UndoLastImport (`civicgrid check --repair`, POST
// /api/v1/regions/import/undo) or a hand edit makes it consistent again.
#pragma once

#include <functional>
#include <optional>
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
  // Rebuilds the directory (regions, grid index, orgs, categories, calendar) from the store. Inconsistent
  // reference data does not fail it (see above): Fault() says what is wrong.
  Status Reload() EXCLUDES(reload_mu_, fault_mu_);
  // Reloads when another process (a CLI import) changed reference data since the last load.
  Status ReloadIfChanged() EXCLUDES(reload_mu_, fault_mu_);
  // What is wrong with the stored reference data, as the last reload found it ("" when nothing): the first
  // few faults, and how many in all.
  std::string Fault() const EXCLUDES(fault_mu_);

  // A FeatureCollection of regions (DESIGN.md "Region import"); the tree as it will be is checked first.
  Result<size_t> ImportRegionsGeoJson(const std::string& text, const std::string& actor = "cli") EXCLUDES(change_mu_);
  // CSV with header code,name,kind,region.
  Result<size_t> ImportOrgsCsv(const std::string& text) EXCLUDES(change_mu_);
  // A new category under an existing one (codes nest by prefix) or a new class.
  Result<Category> AddCategory(Category category) EXCLUDES(change_mu_);
  // The State Council's published holiday adjustments (CSV date,kind,name; see data/README.md): every year the
  // file names replaces that year's stored rows; the statutory days come from the rule either way. Checked
  // whole before anything is written.
  struct HolidayImport {
    size_t rows = 0;
    std::vector<int> years;
  };
  Result<HolidayImport> ImportHolidaysCsv(const std::string& text) EXCLUDES(change_mu_);
  // `init`: the shipped adjustments for the years the store does not hold yet (an import is never undone).
  Status SeedHolidays(std::string_view shipped) EXCLUDES(change_mu_);
  // Undoes the latest region import not undone yet (ReferenceStore::UndoLastImport) and reloads; allowed
  // while the data is inconsistent, which is what it is for.
  Result<ImportBatch> UndoLastImport() EXCLUDES(change_mu_);

 private:
  // A reference change is refused while the stored data is inconsistent.
  Status RefuseWhileFaulty() const;

  ReferenceStore& store_;
  DirectoryHolder directory_;
  std::vector<std::function<Status()>> on_reload_;
  common::Mutex change_mu_;  // one reference change at a time: check, write and reload together
  common::Mutex reload_mu_;  // one reload at a time
  std::int64_t loaded_version_ GUARDED_BY(reload_mu_) = -1;
  mutable common::Mutex fault_mu_;
  std::string fault_ GUARDED_BY(fault_mu_);
};

}  // namespace civicgrid::reference
