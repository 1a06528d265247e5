// The persisted form of cases and events (JSON text), shared by every store backend.
#pragma once

#include <string>

#include "common/result.h"
#include "domain/cases/case.h"
#include "reference/types.h"

namespace civicgrid::store {

std::string EncodeEventPayload(const cases::CaseEvent& event);
// Fills the payload fields of `event`, whose body already holds the right type (EmptyBody of the stored
// type; ids, actor and time are columns of their own).
Status DecodeEventPayload(const std::string& json, cases::CaseEvent& event);

std::string EncodeCase(const cases::Case& c);
Result<cases::Case> DecodeCase(const std::string& json);

}  // namespace civicgrid::store
