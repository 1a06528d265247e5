// `civicgrid check`: every case row equals the fold of its events.
#include <CLI/CLI.hpp>

#include <iostream>

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
            return 0;
          }};
}

}  // namespace civicgrid::cli
