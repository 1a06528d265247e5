// The fields of each case event, named once for every codec: `stored` is the key in the store's JSON payload
// (kept as it was when events were one struct, so old stores read unchanged), `api` the key in the API's
// event payload (empty: not shown, e.g. a joined reporter's personal data). Included by codecs only.
#pragma once

#include <type_traits>

#include "domain/cases/case.h"

namespace civicgrid::cases {

// Calls v(stored, api, member) for each field of the event body `b` (const or not).
template <class B, class V>
void ForEachField(B& b, V&& v) {
  using T = std::remove_const_t<B>;
  if constexpr (std::is_same_v<T, events::Received>) {
    v("origin", "origin", b.origin);
    v("accept_by", "accept_by", b.accept_by);
    v("resolve_by", "resolve_by", b.resolve_by);
    v("duplicates", "duplicates", b.duplicates);
  } else if constexpr (std::is_same_v<T, events::Dispatched>) {
    v("org", "org", b.org);
    v("text", "reason", b.reason);
    v("accept_by", "accept_by", b.accept_by);
    v("rule", "rule", b.rule);
  } else if constexpr (std::is_same_v<T, events::Contacted> || std::is_same_v<T, events::Resolved>) {
    v("text", "note", b.note);
  } else if constexpr (std::is_same_v<T, events::Returned>) {
    v("org", "org", b.org);
    v("text", "reason", b.reason);
  } else if constexpr (std::is_same_v<T, events::ExtensionRequested>) {
    v("text", "reason", b.reason);
    v("days", "days", b.days);
  } else if constexpr (std::is_same_v<T, events::ExtensionDecided>) {
    v("text", "note", b.note);
    v("days", "days", b.days);
    v("approve", "approve", b.approve);
    v("resolve_by", "resolve_by", b.resolve_by);
  } else if constexpr (std::is_same_v<T, events::Reviewed>) {
    v("text", "note", b.note);
    v("approve", "approve", b.approve);
    v("due", "due", b.due);
  } else if constexpr (std::is_same_v<T, events::Rated>) {
    v("text", "comment", b.comment);
    v("rating", "rating", b.rating);
    v("solved", "solved", b.solved);
    v("reporter_index", "reporter", b.reporter);
  } else if constexpr (std::is_same_v<T, events::Reopened>) {
    v("org", "org", b.org);
    v("text", "reason", b.reason);
    v("accept_by", "accept_by", b.accept_by);
    v("resolve_by", "resolve_by", b.resolve_by);
  } else if constexpr (std::is_same_v<T, events::Invalidated>) {
    v("text", "reason", b.reason);
  } else if constexpr (std::is_same_v<T, events::Merged>) {
    v("into", "into", b.into);
  } else if constexpr (std::is_base_of_v<events::TimerFired, T>) {
    v("org", "org", b.org);
    v("due", "due", b.due);
    v("deadline", "deadline", b.deadline);
  } else if constexpr (std::is_same_v<T, events::Escalated>) {
    v("org", "org", b.org);
    v("text", "reason", b.reason);
    v("accept_by", "accept_by", b.accept_by);
    v("resolve_by", "resolve_by", b.resolve_by);
    v("level", "level", b.level);
    v("trigger", "trigger", b.trigger);
  } else if constexpr (std::is_same_v<T, events::Whistled>) {
    v("org", "org", b.lead);
    v("text", "note", b.note);
    v("due", "due", b.check_in_by);
    v("orgs", "co", b.co);
  } else if constexpr (std::is_same_v<T, events::CheckedIn>) {
    v("org", "org", b.org);
  } else if constexpr (std::is_same_v<T, events::PartReported>) {
    v("org", "org", b.org);
    v("text", "note", b.note);
  } else if constexpr (std::is_same_v<T, events::Supervised>) {
    v("text", "note", b.note);
    v("due", "due", b.due);
  } else if constexpr (std::is_same_v<T, events::ReturnDecided>) {
    v("org", "org", b.org);
    v("text", "note", b.note);
    v("approve", "approve", b.uphold);
    v("accept_by", "accept_by", b.accept_by);
  } else if constexpr (std::is_same_v<T, events::Joined>) {
    v("reporter", "", b.reporter);
    v("from", "from_case", b.from);
  } else {
    static_assert(std::is_same_v<T, events::Accepted> || std::is_same_v<T, events::Closed>, "an event without fields");
  }
}

}  // namespace civicgrid::cases
