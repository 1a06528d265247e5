// The one place where errors become HTTP (RFC 9457 problem documents): the status for each ErrorCode, the
// title, the body, and the headers that go with some statuses (WWW-Authenticate, Retry-After). Everything
// that answers an error — the server before a request is parsed, the router, every handler — comes here.
// Cheap to include (the JSON library stays in problem.cc).
#pragma once

#include "common/result.h"
#include "http/message.h"

namespace civicgrid::http {

int StatusOf(ErrorCode code);
Response ProblemResponse(const Error& error);

}  // namespace civicgrid::http
