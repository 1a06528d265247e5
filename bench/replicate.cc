// Grows a store to many times a preloaded store's size by copying its cases, for the figures the issue asks at
// 10 million cases (cockpit, start-up). The preload plays every case's lifecycle through the case service, one
// writer thread at ~700 cases/s here: 10 M would take four hours. This tool takes the cases a preload made
// (already validated, located, dispatched, closed or left open by the server's own code) and writes `copies`
// of each through the store's own CommitCases (row, events, full-text row, digest, tally), in the
// non-durable bulk mode preload uses. Copy k of case i gets id i + k·N (N = the source's highest id), its own
// number and external id (suffix "~k"), and every case id inside it (events, duplicates, merges, joins) moved
// by the same k·N, so each copy is a whole, consistent case that `civicgrid check` folds. Times, places, text
// and states are the source's: the store holds `copies` cases wherever the source held one.
//
// The target must hold the same reference data and personal-data key as the source: copy civicgrid.key into
// the new data directory, then `civicgrid init --demo --demo-cases 0` there, then:
//
//   replicate --from SRC_DATA_DIR --data DST_DATA_DIR --copies 10 [--max-id N] [--batch 200]
//
// --max-id: copy only the cases up to that id (a benchmark store's preload, not what later runs took in).
//
// Prints one JSON object (source cases, cases written, seconds, rate).
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include "cli/app.h"
#include "common.h"

namespace {

using namespace civicgrid;

struct Source {
  cases::Case c;
  std::vector<cases::CaseEvent> events;
};

cases::CaseId Shift(cases::CaseId id, std::int64_t by) { return id ? cases::CaseId(id.value() + by) : id; }

void ShiftOrigin(cases::CaseOrigin& o, cases::CaseId id, int k) {
  // "GD20260601-0500000" → the same date, the new id.
  const auto dash = o.number.rfind('-');
  char buf[32];
  std::snprintf(buf, sizeof buf, "%07lld", static_cast<long long>(id.value()));
  o.number = (dash == std::string::npos ? o.number + "-" : o.number.substr(0, dash + 1)) + buf;
  if (k > 0 && !o.external_id.empty()) o.external_id += "~" + std::to_string(k);
}

cases::CaseWrite Copy(const Source& s, std::int64_t by, int k, const cases::CaseService& service) {
  cases::CaseWrite w;
  w.after = s.c;
  cases::Case& c = w.after;
  c.id = Shift(c.id, by);
  ShiftOrigin(c.origin, c.id, k);
  if (c.merged_into) c.merged_into = Shift(*c.merged_into, by);
  for (auto& d : c.duplicates) d = Shift(d, by);
  for (auto& j : c.joined) j.from = Shift(j.from, by);
  w.events = s.events;
  for (auto& e : w.events) {
    e.item = c.id;
    if (auto* r = std::get_if<cases::events::Received>(&e.body)) {
      ShiftOrigin(r->origin, c.id, k);
      for (auto& d : r->duplicates) d = Shift(d, by);
    }
    if (auto* m = std::get_if<cases::events::Merged>(&e.body)) m->into = Shift(m->into, by);
    if (auto* j = std::get_if<cases::events::Joined>(&e.body); j && j->from) j->from = Shift(*j->from, by);
  }
  service.CompleteWrite(w);
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args args(argc, argv);
  const std::string from = args.Str("from"), data = args.Str("data");
  const int copies = int(args.Int("copies", 10));
  const size_t batch = size_t(args.Int("batch", 200));
  const std::int64_t max_id = args.Int("max-id", 0);
  if (from.empty() || data.empty() || copies < 1) {
    std::fprintf(stderr, "usage: replicate --from SRC_DATA_DIR --data DST_DATA_DIR --copies N\n");
    return 2;
  }
  store::SqliteOptions so;
  so.path = from + "/civicgrid.db";
  auto src = store::OpenSqlite(so);
  if (!src.ok()) {
    std::fprintf(stderr, "replicate: %s: %s\n", so.path.c_str(), src.error().message.c_str());
    return 1;
  }
  app::AppOptions options;
  options.data_dir = data;
  options.durable = false;
  auto opened = app::App::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "replicate: %s\n", opened.error().message.c_str());
    return 1;
  }
  app::App& app = *opened.value();
  if (auto n = app.store().cases().CountCases(); !n.ok() || *n != 0) {
    std::fprintf(stderr, "replicate: the target store must hold no cases yet\n");
    return 1;
  }

  // N: the source's highest id, so that the copies' id ranges never meet.
  std::int64_t top = 0;
  auto highest = [&](const cases::CaseDigest& d) {
    if (max_id == 0 || d.id.value() <= max_id) top = std::max(top, d.id.value());
  };
  if (auto st = (*src)->cases().ScanDigests(highest); !st) {
    std::fprintf(stderr, "replicate: %s\n", st.error().message.c_str());
    return 1;
  }

  // One thread reads (cases in id order, each with its events), this one writes: the store's writer thread
  // is the bottleneck either way, and the reads stay out of its way.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<Source>> ready;
  bool done = false;
  std::string read_error;
  std::thread reader([&] {
    std::vector<Source> chunk;
    auto hand_over = [&] {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return ready.size() < 8; });
      ready.push_back(std::move(chunk));
      chunk.clear();
      cv.notify_all();
    };
    auto st = (*src)->cases().ScanCases(false, [&](cases::Case&& c) {
      if (!read_error.empty() || (max_id != 0 && c.id.value() > max_id)) return;
      auto events = (*src)->cases().LoadEvents(c.id);
      if (!events.ok()) {
        read_error = events.error().message;
        return;
      }
      chunk.push_back(Source{std::move(c), std::move(events.value())});
      if (chunk.size() == batch) hand_over();
    });
    if (!st && read_error.empty()) read_error = st.error().message;
    if (!chunk.empty()) hand_over();
    std::lock_guard lock(mu);
    done = true;
    cv.notify_all();
  });

  const double t0 = bench::Now();
  long long read = 0, written = 0;
  std::string write_error;
  for (;;) {
    std::vector<Source> chunk;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return done || !ready.empty(); });
      if (ready.empty()) break;
      chunk = std::move(ready.front());
      ready.pop_front();
      cv.notify_all();
    }
    if (!write_error.empty()) continue;  // drain the reader
    for (int k = 0; k < copies && write_error.empty(); ++k) {
      std::vector<cases::CaseWrite> writes;
      writes.reserve(chunk.size());
      for (const auto& s : chunk) writes.push_back(Copy(s, top * k, k, app.cases()));
      if (auto st = app.store().cases().Commit(writes); !st) write_error = st.error().message;
      else written += long(writes.size());
    }
    const long long before = read;
    read += long(chunk.size());
    if (read / 100000 != before / 100000)
      std::fprintf(stderr, "replicate: %lld source cases, %lld written, %.0f/s\n", read, written,
                   double(written) / (bench::Now() - t0));
  }
  reader.join();
  const double elapsed = bench::Now() - t0;
  if (!read_error.empty() || !write_error.empty()) {
    std::fprintf(stderr, "replicate: %s\n", (read_error.empty() ? write_error : read_error).c_str());
    return 1;
  }
  auto count = app.store().cases().CountCases();
  bench::Json out;
  out.Int("source_cases", read)
      .Int("copies", copies)
      .Int("written", written)
      .Int("store_cases", count.ok() ? *count : -1)
      .Int("id_stride", top)
      .Num("seconds", elapsed)
      .Num("rate", double(written) / elapsed);
  std::printf("%s\n", out.Dump().c_str());
  return count.ok() && *count == written ? 0 : 1;
}
