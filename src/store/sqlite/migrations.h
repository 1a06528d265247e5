// The schema, as numbered steps: src/store/sqlite/migrations/NNNN_name.sql, compiled into the binary at build
// time (src/store/CMakeLists.txt lists them; src/reference/embed.cmake embeds them). Step i takes a store from
// schema i to i + 1 (PRAGMA user_version counts the steps applied; Database::Open applies the missing ones).
// Append only: never edit a step that has shipped, since stores out there already ran it.
#pragma once

#include <span>
#include <string_view>

namespace civicgrid::store::sqlite {

extern const std::span<const std::string_view> kMigrations;

}  // namespace civicgrid::store::sqlite
