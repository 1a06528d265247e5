// `civicgrid check`: every case row equals the fold of its events; warns (from 1 October) when next year's
// holiday adjustments are not imported.
#include <CLI/CLI.hpp>

#include <iostream>

#include "calendar/calendar.h"
#include "cli/commands.h"

namespace civicgrid::cli {

Command AddCheck(CLI::App& cli) {
  auto data_dir = std::make_shared<std::string>();
  auto* check = cli.add_subcommand("check", "verify the store: every case row equals the fold of its events");
  check->add_option("--data", *data_dir, "data directory")->required();
  return {check, [o = data_dir]() -> int {
            const std::string& data_dir = *o;
            auto opened = OpenApp(data_dir);
            if (!opened.ok()) return Fail(opened.error());
            auto n = app::CheckProjection(*opened.value());
            if (!n.ok()) return Fail(n.error());
            std::cout << *n << " cases ok\n";
            // A warning, not a failure: the store is sound, the calendar only incomplete. On stderr, so that
            // scripts reading the result line are not disturbed.
            auto& store_app = *opened.value();
            const auto today = calendar::WorkCalendar::LocalDate(store_app.clock().Now());
            if (auto w = calendar::NextYearWarning(store_app.directory().Get()->calendar(), today))
              std::cerr << "warning: " << *w << "\n";
            return 0;
          }};
}

}  // namespace civicgrid::cli
