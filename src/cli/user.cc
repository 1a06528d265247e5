// `civicgrid user add|disable|list`: accounts from the command line (passwords from stdin), audited.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "domain/access/totp.h"

namespace civicgrid::cli {

std::vector<Command> AddUser(CLI::App& cli) {
  struct Options {
    std::string data_dir, login, role, scope;
    bool password_stdin = false;
    bool json_out = false;
  };
  auto o = std::make_shared<Options>();
  auto* user = cli.add_subcommand("user", "manage users");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "add a user");
  user_add->add_option("--data", o->data_dir, "data directory")->required();
  user_add->add_option("--login", o->login, "login")->required();
  user_add->add_option("--role", o->role, "role")->required();
  user_add->add_option("--scope", o->scope, "region code the role applies to ('*' for all)")->required();
  user_add->add_flag("--password-stdin", o->password_stdin, "read the password from stdin")->required();
  auto* user_disable = user->add_subcommand("disable", "disable a user (their tokens stop working)");
  user_disable->add_option("--data", o->data_dir, "data directory")->required();
  user_disable->add_option("--login", o->login, "login")->required();
  auto* user_list = user->add_subcommand("list", "list users");
  user_list->add_option("--data", o->data_dir, "data directory")->required();
  user_list->add_flag("--json", o->json_out, "print JSON");
  std::vector<Command> out;
  out.push_back({user_add, [o]() -> int {
                   const auto& [data_dir, login, role, scope, password_stdin, json_out] = *o;
                   auto opened = OpenApp(data_dir);
                   if (!opened.ok()) return Fail(opened.error());
                   auto added = app::AddUser(*opened.value(), login, ReadStdin(), {{role, scope}}, "cli");
                   if (!added.ok()) return Fail(added.error());
                   std::cout << "user " << login << " added\n";
                   if (!added->totp_secret.empty())
                     std::cout << "one-time codes: " << access::TotpUri(login, added->totp_secret) << "\n";
                   return 0;
                 }});
  out.push_back({user_disable, [o]() -> int {
                   const auto& [data_dir, login, role, scope, password_stdin, json_out] = *o;
                   auto opened = OpenApp(data_dir);
                   if (!opened.ok()) return Fail(opened.error());
                   if (auto st = opened.value()->store().access().SetUserDisabled(login, true); !st)
                     return Fail(st.error());
                   opened.value()->auth().Audit("cli", "user_disabled", login, "", "cli");
                   std::cout << "user " << login << " disabled\n";
                   return 0;
                 }});
  out.push_back({user_list, [o]() -> int {
                   const auto& [data_dir, login, role, scope, password_stdin, json_out] = *o;
                   auto opened = OpenApp(data_dir);
                   if (!opened.ok()) return Fail(opened.error());
                   auto users = opened.value()->store().access().ListUsers();
                   if (!users.ok()) return Fail(users.error());
                   if (json_out) {
                     std::cout << "[";
                     for (size_t i = 0; i < users->size(); ++i) {
                       const auto& u = (*users)[i];
                       std::cout << (i ? "," : "") << "{\"login\":" << JsonString(u.login) << ",\"roles\":[";
                       for (size_t r = 0; r < u.roles.size(); ++r)
                         std::cout << (r ? "," : "") << "{\"role\":" << JsonString(u.roles[r].first)
                                   << ",\"scope\":" << JsonString(u.roles[r].second) << "}";
                       std::cout << "]}";
                     }
                     std::cout << "]\n";
                   } else {
                     for (const auto& u : *users) {
                       std::cout << u.login << (u.disabled ? " (disabled)" : "");
                       for (const auto& [r, s] : u.roles) std::cout << " " << r << "@" << s;
                       std::cout << "\n";
                     }
                   }
                   return 0;
                 }});
  return out;
}

}  // namespace civicgrid::cli
