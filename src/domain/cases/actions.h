// The case's actions, each declared once: its name (the API's sub-resource under /cases/{id}/), how its
// command is read from a request body, who may do it, in which states, and why not when refused. The
// lifecycle (Decide, AllowedActions), the policy (CanDo), the HTTP routes and `allowed_actions` all read
// this one table; a new action is one row. Immutable; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "common/result.h"
#include "domain/cases/case.h"
#include "domain/cases/lifecycle.h"

namespace civicgrid::access {
struct Subject;
}
namespace civicgrid::reference {
class Directory;
}

namespace civicgrid::cases {

// A request body's fields as the command parsers need them. The HTTP layer implements it over its JSON, so
// that this module needs no JSON library. Each getter: a wrong type or a missing required field is kInvalid
// naming the field; an absent optional field is nullopt.
class Fields {
 public:
  virtual ~Fields() = default;
  virtual Result<std::optional<std::string>> String(const char* key, bool required) const = 0;
  virtual Result<std::optional<double>> Number(const char* key, bool required) const = 0;
  virtual Result<std::optional<bool>> Bool(const char* key, bool required) const = 0;
  // An integer within [min, max]; `what` completes "… must be" in the message.
  virtual Result<std::optional<std::int64_t>> Integer(const char* key, bool required, std::int64_t min,
                                                      std::int64_t max, const char* what) const = 0;
  virtual Result<std::optional<std::vector<std::string>>> Strings(const char* key) const = 0;
};

struct Action {
  std::string_view name;    // "dispatch", "extension/decision" …
  std::size_t command = 0;  // its alternative in Command (kCommandOf<T>)
  // Reads the command from a request body; null for commands no request sends (the timers' "alerts", and
  // "join", whose reporter the join route checks and seals).
  Result<Command> (*parse)(const Fields& body) = nullptr;
  // Whether the case's state allows it now (the lifecycle refuses with 409 and the actions allowed).
  bool (*allowed)(const Case& state) = nullptr;
  // Why it is refused in this state, when there is more to say than the status (empty: nothing more).
  std::string (*why_not)(const Case& state) = nullptr;
  // Who may (domain/cases/case_access.cc): the caller's roles and scopes on this case.
  bool (*may)(const access::Subject& who, const Case& c, const reference::Directory& dir) = nullptr;
  // Completes the command with what only the caller knows (a check-in's organisation) and refuses what the
  // command's content does not allow this caller; null when there is nothing to add.
  Status (*complete)(Command& command, const access::Subject& who, const Case& c,
                     const reference::Directory& dir) = nullptr;
};

// The index of command type T in Command.
template <class T, class... Ts>
constexpr std::size_t IndexIn(const std::variant<Ts...>*) {
  std::size_t i = 0;
  bool found = false;
  ((found = found || std::is_same_v<T, Ts>, i += found ? 0 : 1), ...);
  return i;
}
template <class T>
inline constexpr std::size_t kCommandOf = IndexIn<T>(static_cast<const Command*>(nullptr));

// In the order `allowed_actions` lists them.
const std::vector<Action>& Actions();
const Action* FindAction(std::string_view name);
// The row of a command (every alternative of Command has one).
const Action& ActionOf(const Command& command);

}  // namespace civicgrid::cases
