// `civicgrid`: one binary, its subcommands in files of their own (cli/commands.h).
#include <CLI/CLI.hpp>

#include <sys/stat.h>

#include "cli/commands.h"

// What escapes main cannot go on (STYLE: exceptions only for that): std::terminate reports it.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  using namespace civicgrid::cli;
  // Whatever a subcommand creates (the data directory, the store and its -wal/-shm, the key, the lock) is its
  // owner's alone; App::Open sets the modes explicitly too, for callers with another umask.
  ::umask(077);
  CLI::App cli{"civicgrid: grid governance for a county — one intake, one grid network, one command"};
  cli.require_subcommand(1);
  std::vector<Command> commands = {AddInit(cli), AddServe(cli), AddToken(cli), AddKey(cli), AddCheck(cli)};
  for (auto* more : {&AddUser, &AddImport})
    for (auto& c : (*more)(cli)) commands.push_back(std::move(c));
  CLI11_PARSE(cli, argc, argv);
  for (const auto& c : commands)
    if (c.subcommand->parsed()) return c.run();
  return 0;
}
