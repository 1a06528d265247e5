#include "http/json_util.h"

namespace civicgrid::http {

Result<json> ParseObject(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return BadRequest("body", "the body is not valid JSON");
  if (!j.is_object()) return BadRequest("body", "the body must be a JSON object");
  return j;
}

namespace {
template <typename T, typename Check>
Result<std::optional<T>> Get(const json& obj, const std::string& key, const std::string& path, bool required,
                             Check check, const char* type_name) {
  auto it = obj.find(key);
  const std::string name = path.empty() ? key : path + "." + key;
  if (it == obj.end() || it->is_null()) {
    if (required) return Invalid(name, name + " is required");
    return std::optional<T>();
  }
  if (!check(*it)) return Invalid(name, name + " must be " + type_name);
  return std::optional<T>(it->get<T>());
}
}  // namespace

Result<std::optional<std::string>> GetString(const json& obj, const std::string& key, const std::string& path,
                                             bool required) {
  return Get<std::string>(
      obj, key, path, required, [](const json& v) { return v.is_string(); }, "a string");
}
Result<std::optional<double>> GetNumber(const json& obj, const std::string& key, const std::string& path,
                                        bool required) {
  return Get<double>(
      obj, key, path, required, [](const json& v) { return v.is_number(); }, "a number");
}
Result<std::optional<bool>> GetBool(const json& obj, const std::string& key, const std::string& path, bool required) {
  return Get<bool>(
      obj, key, path, required, [](const json& v) { return v.is_boolean(); }, "true or false");
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace civicgrid::http
