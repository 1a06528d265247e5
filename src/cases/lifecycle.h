// The case state machine (DESIGN.md "The flow of a change"): Decide turns a command into events or an
// error, Evolve folds an event into the state. Both are pure — time, the calendar and the category's limits
// come in as values — so every transition is tested without a database, a clock or a socket.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "calendar/calendar.h"
#include "common/result.h"
#include "model/model.h"

namespace civicgrid::cases {

using model::Case;
using model::CaseEvent;

struct Dispatch { std::string org; };
struct Accept {};
struct Contact { std::string note; };
struct Return { std::string reason; };
struct RequestExtension { double days = 0; std::string reason; };
struct DecideExtension { bool approve = false; std::string note; };
struct Resolve { std::string note; };
struct Review { bool approve = false; std::string note; };
struct Rate { model::Rating rating; bool solved = false; std::string comment; };
struct Close {};
struct Reopen { std::string reason; };
struct MarkInvalid { std::string reason; };
struct Merge { model::CaseId into = 0; };

using Command = std::variant<Dispatch, Accept, Contact, Return, RequestExtension, DecideExtension, Resolve,
                             Review, Rate, Close, Reopen, MarkInvalid, Merge>;

// The action's name as the API spells it (the sub-resource under /cases/{id}/).
std::string ActionName(const Command& command);

// County-wide rules (data/ defaults; later configurable).
struct Rules {
  double return_window_days = 2;    // a return is allowed within this many working days of dispatch
  double max_extension_days = 10;   // extensions add at most this many working days in all
  size_t max_text = 2000;           // reasons, notes and comments, in characters (UTF-8 code points)
  // Resolve limits of this many days or fewer are urgent matters (outages, hazards) and run on the clock,
  // 7×24, like the hotline; longer ones count working days only.
  double clock_days_up_to = 1.0;
};

// Everything Decide needs besides the state and the command, resolved by the service beforehand.
struct Context {
  TimePoint now{};
  std::string actor;
  const model::Category* category = nullptr;  // the case's category (time limits)
  const calendar::WorkCalendar* calendar = nullptr;
  Rules rules;
  const Case* merge_target = nullptr;  // for Merge: the case named by `into`, if it exists
};

// Intake: the first event of a new case. Deadlines start now.
CaseEvent Receive(model::CaseId id, model::CaseOrigin origin, const Context& ctx);

Result<std::vector<CaseEvent>> Decide(const Case& state, const Command& command, const Context& ctx);

Case Evolve(Case state, const CaseEvent& event);

// The actions allowed in this state, as the API names them; a 409 lists them.
std::vector<std::string> AllowedActions(const Case& state);

size_t Utf8Length(std::string_view s);

}  // namespace civicgrid::cases
