// Small helpers for the handler files that read JSON bodies. Includes the JSON library: include it only
// from http/api/*.cc.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace civicgrid::http {

using nlohmann::json;

// The body as a JSON object, or an error naming what is wrong (malformed JSON is a 400).
Result<json> ParseObject(const std::string& body);

// Typed field access: absent → nullopt (or an error when required); present with the wrong type → error.
Result<std::optional<std::string>> GetString(const json& obj, const std::string& key, const std::string& path,
                                             bool required);
Result<std::optional<double>> GetNumber(const json& obj, const std::string& key, const std::string& path,
                                        bool required);
Result<std::optional<bool>> GetBool(const json& obj, const std::string& key, const std::string& path, bool required);

std::string Dump(const json& j);

// In a handler: evaluate a Result, return its error, or bind its value to `var`.
// NOLINTBEGIN(bugprone-macro-parentheses): `var` names the variable declared, which cannot be parenthesized.
#define TRY_ASSIGN(var, expr)                \
  auto var##_r = (expr);                     \
  if (!var##_r.ok()) return var##_r.error(); \
  auto var = std::move(var##_r.value())
// NOLINTEND(bugprone-macro-parentheses)

}  // namespace civicgrid::http
