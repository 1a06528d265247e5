// `civicgrid check`: every case row equals the fold of its events, and the reference data is consistent
// (`--repair` undoes the last region import when it is not); warns (from 1 October) when next year's holiday
// adjustments are not imported.
#include <CLI/CLI.hpp>

#include <iostream>

#include "calendar/calendar.h"
#include "cli/commands.h"

namespace civicgrid::cli {

Command AddCheck(CLI::App& cli) {
  struct Options {
    std::string data_dir;
    bool repair = false;
  };
  auto o = std::make_shared<Options>();
  auto* check = cli.add_subcommand("check", "verify the store: every case row equals the fold of its events");
  check->add_option("--data", o->data_dir, "data directory")->required();
  check->add_flag("--repair", o->repair, "when the reference data is inconsistent, undo the last region import");
  return {check, [o]() -> int {
            auto opened = OpenApp(o->data_dir);
            if (!opened.ok()) return Fail(opened.error());
            auto& reference = opened.value()->reference();
            int status = 0;
            if (const std::string fault = reference.Fault(); !fault.empty()) {
              std::cerr << "reference data is inconsistent: " << fault << "\n";
              if (o->repair) {
                auto undone = reference.UndoLastImport();
                if (!undone.ok()) return Fail(undone.error());
                std::cout << "undid region import " << undone->id << " of " << undone->at << " by " << undone->actor
                          << " (" << undone->rows << " regions)\n";
              }
              if (const std::string left = reference.Fault(); !left.empty()) {
                std::cerr << (o->repair ? "still inconsistent: " + left + "\n"
                                        : "civicgrid check --repair undoes the last region import\n");
                status = 1;
              } else {
                std::cout << "reference data consistent\n";
              }
            }
            auto n = app::CheckProjection(*opened.value());
            if (!n.ok()) return Fail(n.error());
            std::cout << *n << " cases ok\n";
            // A warning, not a failure: the store is sound, the calendar only incomplete. On stderr, so that
            // scripts reading the result line are not disturbed.
            auto& store_app = *opened.value();
            const auto today = calendar::WorkCalendar::LocalDate(store_app.clock().Now());
            if (auto w = calendar::NextYearWarning(store_app.directory().Get()->calendar(), today))
              std::cerr << "warning: " << *w << "\n";
            return status;
          }};
}

}  // namespace civicgrid::cli
