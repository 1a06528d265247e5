// For the SQLite store's tests: a fresh database path, a new case's write.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "domain/cases/lifecycle.h"
#include "store/store.h"

namespace civicgrid::store::testing {

// A path in a fresh, empty directory of its own (removed and made again).
inline std::string TempDb(const char* name) {
  auto p =
      std::filesystem::temp_directory_path() / (std::string("cg-store-") + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return (p / "civicgrid.db").string();
}

// The write of a case just received by the 12345 hotline in county 320923 (county as the domain derives it).
inline cases::CaseWrite NewCase(cases::CaseStore& s, const std::string& external_id = "") {
  cases::CaseOrigin o;
  o.channel = "12345";
  o.external_id = external_id;
  o.category = "06001";
  o.title = "t";
  o.region_path = "/320923/320923001/";
  cases::Context ctx;
  ctx.now = *ParseTime("2026-11-24T09:00:00+08:00");
  ctx.actor = "t";
  const auto id = s.NextId();
  o.number = "N" + std::to_string(id);
  auto e = cases::Receive(id, o, ctx);
  cases::CaseWrite w{cases::Evolve({}, e), {e}, 0, ""};
  w.county = "320923";
  return w;
}

}  // namespace civicgrid::store::testing
