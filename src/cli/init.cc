// `civicgrid init`: creates or migrates the store, loads the shipped taxonomy and calendar, adds the admin;
// --demo adds the demo counties, people and a year of history.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "domain/access/totp.h"

namespace civicgrid::cli {

Command AddInit(CLI::App& cli) {
  struct Options {
    std::string data_dir;
    bool demo = false;
    std::uint64_t seed = 20261124;
    int demo_cases = 24000;
    bool admin_password_stdin = false;
  };
  auto o = std::make_shared<Options>();
  auto* init = cli.add_subcommand("init", "create or migrate the store; load the taxonomy and calendar; add admin");
  init->add_option("--data", o->data_dir, "data directory")->required();
  init->add_flag("--demo", o->demo, "add the demo counties, people and a year of history");
  init->add_option("--seed", o->seed, "demo random seed");
  init->add_option("--demo-cases", o->demo_cases, "demo historical cases");
  init->add_flag("--admin-password-stdin", o->admin_password_stdin, "read the admin password from stdin");
  return {
      init, [o]() -> int {
        const auto& [data_dir, demo, seed, demo_cases, admin_password_stdin] = *o;
        // The demo's bulk load runs without fsync; it is one step that is redone from scratch if interrupted.
        auto opened = OpenApp(data_dir, !demo);
        if (!opened.ok()) return Fail(opened.error());
        auto& app = *opened.value();
        const std::string password = admin_password_stdin ? ReadStdin() : "";
        if (admin_password_stdin && password.empty())
          return Fail(Invalid("password", "--admin-password-stdin read an empty line"));
        auto result = app::Init(app, password);
        if (!result.ok()) return Fail(result.error());
        if (!result->admin_password.empty() && !admin_password_stdin)
          std::cout << "admin password: " << result->admin_password << "\n";
        if (!result->admin_totp_secret.empty())
          std::cout << "admin one-time codes: " << access::TotpUri("admin", result->admin_totp_secret) << "\n";
        if (demo) {
          auto existing = app.store().cases().CountCases();
          if (!existing.ok()) return Fail(existing.error());
          if (*existing > 0) {
            std::cout << "demo: the store already holds " << *existing << " cases; nothing added\n";
          } else {
            auto n = app::LoadDemo(app, seed, demo_cases);
            if (!n.ok()) return Fail(n.error());
            std::cout << "demo: " << *n << " cases of history\n";
            auto users = app::AddDemoUsers(app);
            if (!users.ok()) return Fail(users.error());
            for (const auto& u : *users)
              std::cout << "demo user: " << u.login << " password " << u.password << " role " << u.role << " scope "
                        << u.scope
                        << (u.totp_secret.empty() ? "" : " one-time codes " + access::TotpUri(u.login, u.totp_secret))
                        << "\n";
          }
        }
        std::cout << "store ready in " << data_dir << "\n";
        return 0;
      }};
}

}  // namespace civicgrid::cli
