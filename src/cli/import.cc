// `civicgrid import regions|orgs|routing|holidays`: reference data from files, each checked whole before anything is
// written; a running server picks it up within two seconds.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "reference/shipped_data.h"

namespace civicgrid::cli {

std::vector<Command> AddImport(CLI::App& cli) {
  struct Options {
    std::string data_dir, file;
    bool routing_defaults = false;
  };
  auto o = std::make_shared<Options>();
  auto* import = cli.add_subcommand("import", "import reference data");
  import->require_subcommand(1);
  auto* import_regions = import->add_subcommand("regions", "regions from a GeoJSON FeatureCollection");
  import_regions->add_option("--data", o->data_dir, "data directory")->required();
  import_regions->add_option("file", o->file, "GeoJSON file")->required();
  auto* import_orgs = import->add_subcommand("orgs", "organisations from CSV (code,name,kind,region)");
  import_orgs->add_option("--data", o->data_dir, "data directory")->required();
  import_orgs->add_option("file", o->file, "CSV file")->required();
  auto* import_routing = import->add_subcommand(
      "routing", "routing rules from CSV (category,region,org), or --defaults: data/routing-defaults.csv per county");
  import_routing->add_option("--data", o->data_dir, "data directory")->required();
  import_routing->add_option("file", o->file, "CSV file");
  import_routing->add_flag("--defaults", o->routing_defaults, "the shipped per-county templates");
  auto* import_holidays = import->add_subcommand(
      "holidays", "the State Council's holiday adjustments from CSV (date,kind,name); each year named is replaced");
  import_holidays->add_option("--data", o->data_dir, "data directory")->required();
  import_holidays->add_option("file", o->file, "CSV file")->required();
  std::vector<Command> out;
  out.push_back({import_holidays, [o]() -> int {
                   auto text = ReadFile(o->file);
                   if (!text.ok()) return Fail(text.error());
                   auto opened = OpenApp(o->data_dir);
                   if (!opened.ok()) return Fail(opened.error());
                   auto n = opened.value()->reference().ImportHolidaysCsv(*text);
                   if (!n.ok()) return Fail(n.error());
                   std::cout << "imported " << n->rows << " holiday rows for";
                   for (int y : n->years) std::cout << " " << y;
                   std::cout << "\n";
                   return 0;
                 }});
  out.push_back({import_routing, [o]() -> int {
                   const auto& [data_dir, file, routing_defaults] = *o;
                   if (routing_defaults == !file.empty())
                     return Fail(Invalid("file", "give a CSV file of rules or --defaults (one of them)"));
                   auto opened = OpenApp(data_dir);
                   if (!opened.ok()) return Fail(opened.error());
                   Result<size_t> n = size_t{0};
                   if (routing_defaults) {
                     n = opened.value()->routing().AddDefaults(shipped::kRoutingDefaultsCsv, "cli");
                   } else {
                     auto text = ReadFile(file);
                     if (!text.ok()) return Fail(text.error());
                     n = opened.value()->routing().ImportCsv(*text, "cli");
                   }
                   if (!n.ok()) return Fail(n.error());
                   std::cout << "imported " << *n << " routing rules\n";
                   return 0;
                 }});
  for (auto* sub : {import_regions, import_orgs})
    out.push_back({sub, [o, regions = sub == import_regions]() -> int {
                     const auto& [data_dir, file, routing_defaults] = *o;
                     auto text = ReadFile(file);
                     if (!text.ok()) return Fail(text.error());
                     auto opened = OpenApp(data_dir);
                     if (!opened.ok()) return Fail(opened.error());
                     auto n = regions ? opened.value()->reference().ImportRegionsGeoJson(*text)
                                      : opened.value()->reference().ImportOrgsCsv(*text);
                     if (!n.ok()) return Fail(n.error());
                     std::cout << "imported " << *n << (regions ? " regions\n" : " organisations\n");
                     return 0;
                   }});
  return out;
}

}  // namespace civicgrid::cli
