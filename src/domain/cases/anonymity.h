// Anonymity belongs to the reporter (issue 17 item 1): wherever the reporter ends up — the first reporter of
// its case, a joined reporter of another case after a merge, a resident who joined anonymously — their name,
// phone and ID number are never revealed through the API, not even by the audited reveal. The flag travels
// in the Reporter itself (events::Joined and JoinedReporter carry the whole Reporter, and the store has
// always kept `anonymous` with it), so every case that holds the reporter knows. The HTTP layer asks here.
#pragma once

#include "common/result.h"
#include "domain/access/policy.h"
#include "domain/cases/case.h"

namespace civicgrid::cases {

// What of a reporter the subject may see in a case reply.
enum class ReporterView {
  kFlagOnly,  // {"anonymous": true}: nothing that names or reaches the reporter
  kMasked,    // the masked name, phone and ID number (full values only through reveal)
};
ReporterView ViewOf(const Reporter& r, const access::Subject* who);

// The reporter at `index`: 0 the first reporter, n the n-th joined reporter; 422 naming the range otherwise.
Result<const Reporter*> ReporterAt(const Case& c, int index);

// Whether the reporter's full identity may be revealed: never for an anonymous reporter (403, saying so).
Status MayReveal(const Reporter& r, int index);

// Whether the event's actor is an anonymous reporter acting as themselves (their intake on the residents'
// channel, their own join, their own rating): their login names them, so the audit trail and the live stream
// leave it out.
bool HidesActor(const Case& c, const CaseEvent& e);

}  // namespace civicgrid::cases
