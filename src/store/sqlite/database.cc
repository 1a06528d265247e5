// The writer: WAL, synchronous=FULL, one thread that commits whatever commands are queued in one transaction
// (group commit). Each command in a batch runs inside its own SAVEPOINT, so one refused command (version
// mismatch, duplicate) does not undo its neighbours. When nothing is queued, the writer runs the idle steps
// the module stores gave it (the case store's full-text merge); WAL checkpoints run inside its commits.
#include "store/sqlite/database.h"

#include <utility>

#include "common/log.h"
#include "store/sqlite/migrations.h"

namespace civicgrid::store::sqlite {

Result<std::unique_ptr<Database>> Database::Open(const SqliteOptions& options, int migrate_to) {
  auto db = std::unique_ptr<Database>(new Database(options));
  auto w = Connection::Open(options.path, true, options.synchronous_full);
  if (!w.ok()) return w.error();
  db->writer_ = std::move(w.value());
  if (auto st = db->Migrate(migrate_to); !st) return st.error();
  for (int i = 0; i < options.readers; ++i) {
    auto r = Connection::Open(options.path, false, false);
    if (!r.ok()) return r.error();
    common::MutexLock lock(db->pool_mu_);  // no other thread yet; says so to the analysis
    db->readers_.push_back(std::move(r.value()));
  }
  return db;
}

Database::~Database() { Stop(); }

void Database::AddIdleStep(IdleStep step) { idle_steps_.push_back(std::move(step)); }

void Database::Start() {
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

void Database::Stop() {
  {
    common::MutexLock lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.NotifyAll();
  if (writer_thread_.joinable()) writer_thread_.join();
}

// Versioned migrations: user_version is the number of steps applied; each step commits with its number.
Status Database::Migrate(int migrate_to) {
  auto s = writer_->Prepare("PRAGMA user_version");
  s.Step();
  const int current = int(s.Int(0));
  const int latest = int(kMigrations.size());
  const int target = migrate_to < 0 ? latest : migrate_to;
  if (current > latest)
    return Internal("the store was written by a newer civicgrid (schema " + std::to_string(current) + ")");
  for (int v = current; v < target; ++v) {
    // Newlines around the step: a file may end in a comment without one.
    const std::string sql = "BEGIN IMMEDIATE;\n" + std::string(kMigrations[size_t(v)]) +
                            "\nPRAGMA user_version=" + std::to_string(v + 1) + ";COMMIT;";
    if (auto st = writer_->Exec(sql); !st) {
      (void)writer_->Exec("ROLLBACK");
      return Internal("migration " + std::to_string(v + 1) + " failed: " + st.error().message);
    }
    log::Info("store migrated to schema " + std::to_string(v + 1));
  }
  return OkStatus();
}

Status Database::Write(Job job) {
  std::future<Status> done;
  {
    common::MutexLock lock(queue_mu_);
    if (stopping_) return Error{ErrorCode::kUnavailable, "the store is shutting down", {}, {}};
    queue_.push_back(Pending{std::move(job), {}, std::chrono::steady_clock::now()});
    done = queue_.back().done.get_future();
  }
  queue_cv_.NotifyOne();
  return done.get();
}

void Database::WriterLoop() {
  bool idle_done = false;  // the idle steps have nothing left to do (since the last batch)
  for (;;) {
    std::deque<Pending> batch;
    {
      common::MutexLock lock(queue_mu_);
      if (idle_done || stopping_)
        while (!stopping_ && queue_.empty()) queue_cv_.Wait(queue_mu_);
      if (queue_.empty() && stopping_) return;
      batch.swap(queue_);
    }
    if (batch.empty()) {
      idle_done = !RunIdleSteps();
      continue;
    }
    RunBatch(batch);
    idle_done = false;
  }
}

// Each step is taken only while no write waits, and a write arriving meanwhile waits for at most one step
// (keep them small: the full-text merge writes ~64 pages, ~2 ms here).
bool Database::RunIdleSteps() {
  bool more = false;
  for (const auto& step : idle_steps_) {
    if (!writer_->Exec("BEGIN IMMEDIATE")) return more;
    auto r = step(*writer_);
    if (!r.ok() || !writer_->Exec("COMMIT")) {
      (void)writer_->Exec("ROLLBACK");
      continue;  // e.g. a full disk: tried again after the next batch
    }
    more = more || *r;
  }
  return more;
}

void Database::RunBatch(std::deque<Pending>& batch) {
  const auto begin = std::chrono::steady_clock::now();
  for (const auto& p : batch) queue_seconds_.Observe(std::chrono::duration<double>(begin - p.queued).count());
  commands_.fetch_add(batch.size(), std::memory_order_relaxed);
  // Observed however the batch ends (committed, refused, rolled back), and before any waiter is answered: a
  // client that reads /metrics after its reply sees its commit counted.
  struct Timing {
    Histogram& h;
    std::chrono::steady_clock::time_point begin;
    bool observed = false;
    void Observe() {
      if (std::exchange(observed, true)) return;
      h.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
    }
    ~Timing() { Observe(); }
  } timing{commit_seconds_, begin};
  std::vector<Status> results;
  results.reserve(batch.size());
  Status begun = writer_->Exec("BEGIN IMMEDIATE");
  if (!begun) {
    timing.Observe();
    for (auto& p : batch) p.done.set_value(begun.error());
    return;
  }
  for (auto& p : batch) {
    (void)writer_->Exec("SAVEPOINT cmd");
    Status st = p.job(*writer_);
    if (!st && sqlite3_get_autocommit(writer_->db())) {
      // SQLite rolled the whole transaction back: it may on SQLITE_FULL or an I/O error inside a statement
      // (a cache spill that cannot grow the WAL). The commands before this one are undone too, and those
      // after it would each run and commit on their own, outside the batch (the savepoint then opens a
      // transaction of its own). Fail the whole batch, which is what happened.
      log::Error("batch rolled back: " + st.error().message);
      timing.Observe();
      for (auto& q : batch) q.done.set_value(st.error());
      return;
    }
    if (!st) (void)writer_->Exec("ROLLBACK TO cmd");
    (void)writer_->Exec("RELEASE cmd");
    results.push_back(std::move(st));
  }
  if (Status committed = writer_->Exec("COMMIT"); !committed) {
    (void)writer_->Exec("ROLLBACK");
    Error e = committed.error();
    if (e.code == ErrorCode::kInternal && e.message.find("full") != std::string::npos) e.code = ErrorCode::kUnavailable;
    log::Error("commit failed: " + e.message);
    timing.Observe();
    for (auto& p : batch) p.done.set_value(e);
    // Ids handed out for this batch are simply skipped: gaps are harmless, reuse would not be.
    return;
  }
  timing.Observe();
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(std::move(results[i]));
}

Database::Lease::Lease(Database& db) : db_(db) {
  common::MutexLock lock(db_.pool_mu_);
  while (db_.readers_.empty()) db_.pool_cv_.Wait(db_.pool_mu_);
  conn_ = std::move(db_.readers_.back());
  db_.readers_.pop_back();
}

Database::Lease::~Lease() {
  {
    common::MutexLock lock(db_.pool_mu_);
    db_.readers_.push_back(std::move(conn_));
  }
  db_.pool_cv_.NotifyOne();
}

std::string Database::MetricsText() const {
  return "# HELP civicgrid_store_write_wait_seconds How long a write waited for the writer to begin its group "
         "commit.\n# TYPE civicgrid_store_write_wait_seconds histogram\n" +
         queue_seconds_.Render("civicgrid_store_write_wait_seconds", "") +
         "# HELP civicgrid_store_commit_seconds Group commits, from BEGIN to the end of COMMIT (the writes, the "
         "fsync and any WAL checkpoint).\n# TYPE civicgrid_store_commit_seconds histogram\n" +
         commit_seconds_.Render("civicgrid_store_commit_seconds", "") +
         "# HELP civicgrid_store_writes_total Writes (commands) committed or refused in group commits.\n"
         "# TYPE civicgrid_store_writes_total counter\ncivicgrid_store_writes_total " +
         std::to_string(commands_.load(std::memory_order_relaxed)) + "\n";
}

}  // namespace civicgrid::store::sqlite
