// Routing rules in the store (reference data: changes bump the reference version).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace civicgrid::dispatch {

// Routing (M11 unified command): cases of this category subtree in this region subtree go to this
// organisation. Empty category or region: any.
struct RoutingRule {
  std::int64_t id = 0;
  std::string category;
  std::string region;
  std::string org;
  std::string created_by;
  TimePoint created_at{};
  bool operator==(const RoutingRule&) const = default;
};

// Thread-safe; may block: call from worker threads, never from I/O threads.
class RoutingStore {
 public:
  virtual ~RoutingStore() = default;

  // Routing rules (reference data: changes bump ReferenceVersion).
  virtual Result<std::vector<RoutingRule>> ListRoutingRules() = 0;
  virtual Result<std::int64_t> AddRoutingRule(const RoutingRule& rule) = 0;
  virtual Status DeleteRoutingRule(std::int64_t id) = 0;  // kNotFound when there is none
};

}  // namespace civicgrid::dispatch
