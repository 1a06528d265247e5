// The subcommands of `civicgrid`, one file each (init.cc, serve.cc, token.cc, user.cc, key.cc, import.cc,
// check.cc): each declares its options on the command line and returns what runs it. main.cc only parses and
// runs the one given. The helpers below are what they share.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/app.h"
#include "common/result.h"

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's own namespace
class App;
}

namespace civicgrid::cli {

struct Command {
  CLI::App* subcommand = nullptr;  // parsed() says whether it was given
  std::function<int()> run;        // the exit status
};

Command AddInit(CLI::App& cli);
Command AddServe(CLI::App& cli);
Command AddToken(CLI::App& cli);
std::vector<Command> AddUser(CLI::App& cli);
Command AddKey(CLI::App& cli);
std::vector<Command> AddImport(CLI::App& cli);
Command AddCheck(CLI::App& cli);

// Prints the error; exit status 1 for a bug or store failure, 2 for anything the operator can mend.
int Fail(const Error& e);
// The store of `data_dir`, with the personal-data key from CIVICGRID_KEY_FILE when set.
Result<std::unique_ptr<app::App>> OpenApp(const std::string& data_dir, bool durable = true,
                                          const cases::Rules& rules = {}, const access::HashLimits& hash_limits = {});
Result<std::string> ReadFile(const std::string& path);
std::string JsonString(const std::string& s);
std::string ReadStdin();

}  // namespace civicgrid::cli
