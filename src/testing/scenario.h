// Scenario tests (tests/scenarios/README.md): a tiny line format, one file per behaviour, played against the
// real product in-process. ParseScenario reads a file's steps; RunScenario plays them against a Product and
// stops at the first step that fails, saying which line and what differed. A scenario is single-threaded:
// play one at a time on a Product.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "http/message.h"

namespace civicgrid::testing {

// One step: its first word and the rest of its text (continuation lines joined with a space).
struct Step {
  int line = 0;  // 1-based, in its file
  std::string verb;
  std::string text;
};

// Comments and blank lines dropped; a line that starts with white space continues the step above. Unknown
// verbs are refused here, so a typo fails before anything runs.
Result<std::vector<Step>> ParseScenario(std::string_view text);

// What a scenario drives. ScenarioWorld (scenario_world.h) is the real one; tests of the interpreter use a
// fake. Errors from the clock and restart steps fail the scenario at that step.
class Product {
 public:
  virtual ~Product() = default;
  // Sends one request through the API handler. `request.path` is decoded and without its query.
  virtual http::Response Call(http::Request& request) = 0;
  // The bearer token of a fixture user (null: no such user).
  virtual const std::string* TokenOf(const std::string& login) const = 0;
  virtual TimePoint Now() const = 0;
  // Moves the clock and returns once every deadline due by then has fired.
  virtual Status SetClock(TimePoint to) = 0;
  // Closes the product, moves the clock by `down` while nothing runs, and opens it again on the same store
  // (tokens stay valid); returns once what fell due meanwhile has fired.
  virtual Status Restart(milliseconds down) = 0;
  // Called after every request: returns once whatever that request made due has fired.
  virtual Status Settle() = 0;
};

struct Outcome {
  bool passed = true;
  int line = 0;         // the failing step's line
  std::string message;  // what differed
  std::string context;  // the last reply, shortened, for the reader
  int steps = 0;        // steps played
};

struct RunOptions {
  // Steps played before every scenario (tests/scenarios/fixtures/prelude.steps: the fixture's places);
  // a failure there is reported as "prelude line N".
  std::vector<Step> prelude;
  // Called with each step before it is played (the runner's -v).
  void (*trace)(const Step& step) = nullptr;
};

Outcome RunScenario(const std::vector<Step>& steps, Product& product, const RunOptions& options = {});

// "90m", "3h", "2d", "1d2h30m", "45s" (a day is 24 clock hours); nullopt when malformed.
std::optional<milliseconds> ParseDuration(std::string_view text);

}  // namespace civicgrid::testing
