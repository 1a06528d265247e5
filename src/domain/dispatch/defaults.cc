#include "domain/dispatch/defaults.h"

#include <set>
#include <string>

#include "common/csv.h"
#include "domain/dispatch/routing.h"

namespace civicgrid::dispatch {
Result<std::vector<RoutingRule>> DefaultRules(std::string_view templates_csv, const reference::Directory& directory) {
  auto rows = csv::Parse(templates_csv, {"category", "org"});
  if (!rows.ok()) return Invalid("routing defaults", rows.error().message);
  struct Template {
    std::string category, org;
  };
  std::vector<Template> templates;
  std::set<std::string> seen;
  for (const auto& row : *rows) {
    const std::string where = "routing defaults line " + std::to_string(row.line);
    Template t{row.Get("category"), row.Get("org")};
    if (t.category.empty()) return Invalid(where, "the category is empty");
    if (t.org.empty()) return Invalid(where, "the org is empty");
    if (!seen.insert(t.category).second) return Invalid(where, "category " + t.category + " is listed twice");
    if (directory.FindCategory(t.category)) templates.push_back(std::move(t));
  }
  // One rule per template and county, all at the county: among them the longest category decides, as the file
  // reads. Rules an operator adds for a town or community are deeper, so they still win there.
  std::vector<RoutingRule> rules;
  for (const reference::Region* county : directory.Roots())
    for (const auto& t : templates) {
      std::string org = IsOwnLevel(t.org) ? t.org : county->code + "-" + t.org;
      if (!IsOwnLevel(org) && !directory.FindOrg(org)) continue;  // a department this county lacks
      rules.push_back({0, t.category, county->code, std::move(org), "", {}});
    }
  return rules;
}

}  // namespace civicgrid::dispatch
