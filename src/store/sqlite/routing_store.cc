#include "store/sqlite/routing_store.h"

#include "store/sqlite/reference_store.h"

namespace civicgrid::store::sqlite {

using dispatch::RoutingRule;

Result<std::vector<RoutingRule>> RoutingStore::ListRoutingRules() {
  return db_.Read<std::vector<RoutingRule>>([](Connection& c) -> Result<std::vector<RoutingRule>> {
    std::vector<RoutingRule> out;
    auto s = c.Prepare("SELECT id,category,region,org,created_by,created_at FROM routing_rules ORDER BY id");
    while (s.Step() == SQLITE_ROW)
      out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), FromMillis(s.Int(5))});
    return out;
  });
}

Result<std::int64_t> RoutingStore::AddRoutingRule(const RoutingRule& r) {
  std::int64_t id = 0;
  auto st = db_.Write([&](Connection& c) -> Status {
    if (auto st = BumpReferenceVersion(c); !st) return st;
    auto s = c.Prepare("INSERT INTO routing_rules(category,region,org,created_by,created_at) VALUES(?,?,?,?,?)");
    s.Bind(1, r.category).Bind(2, r.region).Bind(3, r.org).Bind(4, r.created_by).Bind(5, ToMillis(r.created_at));
    if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "add routing rule");
    id = sqlite3_last_insert_rowid(c.db());
    return OkStatus();
  });
  if (!st) return st.error();
  return id;
}

Status RoutingStore::DeleteRoutingRule(std::int64_t id) {
  return db_.Write([&](Connection& c) -> Status {
    auto s = c.Prepare("DELETE FROM routing_rules WHERE id=?");
    s.Bind(1, id);
    if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "delete routing rule");
    if (sqlite3_changes(c.db()) != 1) return NotFound("routing rule " + std::to_string(id) + " does not exist");
    return BumpReferenceVersion(c);
  });
}

}  // namespace civicgrid::store::sqlite
