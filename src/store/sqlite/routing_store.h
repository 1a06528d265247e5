// Routing rules in SQLite (table routing_rules). Reference data: every change bumps the reference version
// in the same transaction. Thread-safe, blocking (see database.h).
#pragma once

#include "domain/dispatch/routing_store.h"
#include "store/sqlite/database.h"

namespace civicgrid::store::sqlite {

class RoutingStore final : public dispatch::RoutingStore {
 public:
  explicit RoutingStore(Database& db) : db_(db) {}

  Result<std::vector<dispatch::RoutingRule>> ListRoutingRules() override;
  Result<std::int64_t> AddRoutingRule(const dispatch::RoutingRule& rule) override;
  Status DeleteRoutingRule(std::int64_t id) override;

 private:
  Database& db_;
};

}  // namespace civicgrid::store::sqlite
