// `civicgrid token`: a fresh bearer token for a user (operators and scripts), audited.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"

namespace civicgrid::cli {

Command AddToken(CLI::App& cli) {
  struct Options {
    std::string data_dir, login;
  };
  auto o = std::make_shared<Options>();
  auto* token = cli.add_subcommand("token", "print a fresh bearer token for a user");
  token->add_option("--data", o->data_dir, "data directory")->required();
  token->add_option("--user", o->login, "login")->required();
  return {token, [o]() -> int {
            const auto& [data_dir, login] = *o;
            auto opened = OpenApp(data_dir);
            if (!opened.ok()) return Fail(opened.error());
            auto t = opened.value()->auth().IssueToken(login, access::kCliTokenLifetime);
            if (!t.ok()) return Fail(t.error());
            opened.value()->auth().Audit("cli", "token_issued", login, "", "cli");
            std::cout << t->token << "\n";
            return 0;
          }};
}

}  // namespace civicgrid::cli
