// `civicgrid key add`: an API key for a channel system (intake on its channel, its own cases).
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"

namespace civicgrid::cli {

Command AddKey(CLI::App& cli) {
  struct Options {
    std::string data_dir, name, channel;
  };
  auto o = std::make_shared<Options>();
  auto* key = cli.add_subcommand("key", "API keys for channel systems");
  key->require_subcommand(1);
  auto* key_add = key->add_subcommand("add", "print a new API key, limited to intake on one channel and its own cases");
  key_add->add_option("--data", o->data_dir, "data directory")->required();
  key_add->add_option("--name", o->name, "name of the system, e.g. hotline")->required();
  key_add->add_option("--channel", o->channel, "the channel it takes cases in on")->required();
  return {key_add, [o]() -> int {
            const auto& [data_dir, name, channel] = *o;
            auto opened = OpenApp(data_dir);
            if (!opened.ok()) return Fail(opened.error());
            auto k = app::AddKey(*opened.value(), name, channel);
            if (!k.ok()) return Fail(k.error());
            std::cout << *k << "\n";
            return 0;
          }};
}

}  // namespace civicgrid::cli
