// The body of POST /api/v1/cases (case intake) decoded into a cases::IntakeRequest. Split from
// http/api/cases.cc so it is unit-tested and fuzzed without the server (tests/fuzz/); pure, any thread.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/result.h"
#include "domain/cases/case_service.h"

namespace civicgrid::http {

// `body` is a JSON object (http::ParseObject's result). Checks types and the crs name only; the case
// service validates the values. Errors are kInvalid naming the field, never an exception.
Result<cases::IntakeRequest> ParseIntake(const nlohmann::json& body);

}  // namespace civicgrid::http
