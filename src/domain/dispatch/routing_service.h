// Routing rules as the centre edits them (M11): each checked against the directory (category, region and
// organisation exist; `town` and `community` mean the case's own), stored, written to the security audit log,
// and live at once in the routing table intake reads. Thread-safe; blocks on the store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/access/auth.h"
#include "domain/dispatch/routing.h"
#include "domain/dispatch/routing_store.h"
#include "reference/directory.h"

namespace civicgrid::dispatch {

class RoutingService {
 public:
  RoutingService(RoutingStore& store, const reference::DirectoryHolder& directory, access::AuthService& audit,
                 const Clock& clock)
      : store_(store), directory_(directory), audit_(audit), clock_(clock) {}

  const RoutingHolder& table() const { return table_; }
  // Rebuilds the table from the store (after a reference reload; see reference::ReferenceService::OnReload).
  Status Reload();

  // `rule.created_by` is the actor; `remote` the client's address for the audit log.
  Result<RoutingRule> Add(RoutingRule rule, const std::string& remote);
  Status Delete(std::int64_t id, const std::string& actor, const std::string& remote);
  // Rules from CSV (header category,region,org; empty category or region: any), all checked before any is
  // stored. Returns the number added.
  Result<size_t> ImportCsv(const std::string& text, const std::string& actor);
  // The shipped templates (defaults.h) for every county of the directory. Returns the number added.
  Result<size_t> AddDefaults(std::string_view templates_csv, const std::string& actor);

 private:
  Status Check(const RoutingRule& rule, const reference::Directory& dir, const std::string& where) const;
  Result<RoutingRule> Store(RoutingRule rule, const std::string& remote);

  RoutingStore& store_;
  const reference::DirectoryHolder& directory_;
  access::AuthService& audit_;
  const Clock& clock_;
  RoutingHolder table_;
};

}  // namespace civicgrid::dispatch
