// civicgrid_scenarios: plays tests/scenarios/**/*.test against the product in-process (ctest's `scenarios`).
//   civicgrid_scenarios [-v] [--keep] [--fixtures DIR] PATH...
// PATH is a .test file or a folder searched for them (folders named `fixtures` are skipped). Each file is
// reported as passed or failed (with its failing line and what differed); the last line reads
// "N passed, M failed". Exit status 1 when anything failed, 2 on bad arguments or a broken fixture.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "common/log.h"
#include "testing/scenario.h"
#include "testing/scenario_world.h"

namespace {

namespace fs = std::filesystem;
using civicgrid::testing::Step;

struct Scenario {
  fs::path path;
  std::string name;  // as reported: relative to the folder it was found in
};

bool ReadFile(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

void Trace(const Step& step) { std::cout << "    " << step.line << ": " << step.verb << " " << step.text << "\n"; }

int Usage() {
  std::cerr << "usage: civicgrid_scenarios [-v] [--keep] [--fixtures DIR] PATH...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace civicgrid;
  bool verbose = false, keep = false;
  fs::path fixtures;
  std::vector<fs::path> roots;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-v") verbose = true;
    else if (a == "--keep") keep = true;
    else if (a == "--fixtures" && i + 1 < argc) fixtures = argv[++i];
    else if (!a.empty() && a[0] == '-') return Usage();
    else roots.emplace_back(a);
  }
  if (roots.empty()) return Usage();
  log::SetLevel(verbose ? log::Level::kInfo : log::Level::kWarn);

  std::vector<Scenario> scenarios;
  for (const auto& root : roots) {
    std::error_code ec;
    if (fs::is_regular_file(root, ec)) {
      scenarios.push_back({root, root.string()});
      continue;
    }
    if (!fs::is_directory(root, ec)) {
      std::cerr << "no such file or folder: " << root << "\n";
      return 2;
    }
    if (fixtures.empty() && fs::is_directory(root / "fixtures")) fixtures = root / "fixtures";
    std::vector<Scenario> found;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
      if (it->is_directory() && it->path().filename() == "fixtures") {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && it->path().extension() == ".test")
        found.push_back({it->path(), fs::relative(it->path(), root).string()});
    }
    std::sort(found.begin(), found.end(), [](const Scenario& a, const Scenario& b) { return a.name < b.name; });
    scenarios.insert(scenarios.end(), found.begin(), found.end());
  }
  if (fixtures.empty()) {
    // A file given alone: the fixtures beside the nearest folder above it that has them.
    for (fs::path p = fs::absolute(roots[0]).parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path())
      if (fs::is_directory(p / "fixtures")) {
        fixtures = p / "fixtures";
        break;
      }
  }
  if (fixtures.empty()) {
    std::cerr << "no fixtures folder found: give --fixtures DIR\n";
    return 2;
  }

  testing::RunOptions options;
  if (verbose) options.trace = Trace;
  if (std::string text; ReadFile(fixtures / "prelude.steps", text)) {
    auto prelude = testing::ParseScenario(text);
    if (!prelude.ok()) {
      std::cerr << (fixtures / "prelude.steps").string() << ": " << prelude.error().message << "\n";
      return 2;
    }
    options.prelude = std::move(prelude.value());
  }

  const fs::path work = fs::temp_directory_path() / ("civicgrid-scenarios-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(work, ec);
  fs::create_directories(work);
  auto fixture = testing::FixtureTemplate::Build(fixtures.string(), (work / "template").string());
  if (!fixture.ok()) {
    std::cerr << "fixture " << fixtures.string() << ": " << fixture.error().message << "\n";
    if (!keep) fs::remove_all(work, ec);
    return 2;
  }

  int passed = 0, failed = 0;
  const auto started = std::chrono::steady_clock::now();
  for (size_t n = 0; n < scenarios.size(); ++n) {
    const auto& s = scenarios[n];
    const auto t0 = std::chrono::steady_clock::now();
    testing::Outcome outcome;
    std::string text;
    if (!ReadFile(s.path, text)) {
      outcome = {false, 0, "cannot read the file", "", 0};
    } else if (auto steps = testing::ParseScenario(text); !steps.ok()) {
      outcome = {false, 0, steps.error().message, "", 0};
    } else {
      if (verbose) std::cout << "  " << s.name << "\n";
      auto world = testing::ScenarioWorld::Open(**fixture, (work / std::to_string(n)).string(), keep);
      if (!world.ok()) outcome = {false, 0, "cannot open the product: " + world.error().message, "", 0};
      else outcome = testing::RunScenario(*steps, **world, options);
      if (world.ok() && outcome.passed)
        if (auto st = (*world)->CheckConsistency(); !st)
          outcome = {false, 0, "after the last step: " + st.error().message, "", outcome.steps};
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    if (outcome.passed) {
      ++passed;
      std::cout << "passed  " << s.name << "  (" << outcome.steps << " steps, " << ms.count() << " ms)\n";
    } else {
      ++failed;
      std::cout << "FAILED  " << s.name << (outcome.line ? ":" + std::to_string(outcome.line) : "") << ": "
                << outcome.message << "\n";
      if (!outcome.context.empty()) std::cout << "        " << outcome.context << "\n";
    }
  }
  const auto total = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (!keep) fs::remove_all(work, ec);
  else std::cout << "stores kept in " << work.string() << "\n";
  std::cout << "(" << total.count() << " ms)\n";
  std::cout << passed << " passed, " << failed << " failed" << std::endl;
  return failed == 0 && passed > 0 ? 0 : 1;
}
