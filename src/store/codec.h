// The persisted form of cases and events (JSON text), shared by every store backend.
#pragma once

#include <string>

#include "common/result.h"
#include "model/model.h"

namespace civicgrid::store {

std::string EncodeEventPayload(const model::CaseEvent& event);
// Fills the payload fields of `event` (type, ids, actor and time are columns of their own).
Status DecodeEventPayload(const std::string& json, model::CaseEvent& event);

std::string EncodeCase(const model::Case& c);
Result<model::Case> DecodeCase(const std::string& json);

}  // namespace civicgrid::store
