// The shared part of the SQLite store: the file opened and migrated (migrations.h), one writer thread that
// commits whatever jobs are queued in one transaction (group commit: one fsync for many commands), a pool of
// read connections (WAL: readers never wait for the writer), the writer's idle-time steps, and the store's
// metrics. The module stores (reference_store.h, case_store.h, routing_store.h, access_store.h) each take a
// Database& and keep no connection of their own.
// Thread-safe: Write and Read may be called from any worker thread and block; never from I/O threads.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/histogram.h"
#include "common/mutex.h"
#include "common/result.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace civicgrid::store::sqlite {

class Database {
 public:
  // One command's writes, run on the writer thread inside its own SAVEPOINT of a group commit: a job that
  // fails is undone alone and its neighbours still commit. A job must not begin, commit or roll back.
  using Job = std::function<Status(Connection&)>;
  // Work for the writer while no job waits, each run in a transaction of its own; returns whether there may
  // be more to do. Once every step says no (or fails), the writer sleeps until the next job.
  using IdleStep = std::function<Result<bool>(Connection&)>;

  // Opens (creating as needed) the file and migrates it to schema `migrate_to` (-1: the latest); opens the
  // read pool. The writer thread starts with Start().
  static Result<std::unique_ptr<Database>> Open(const SqliteOptions& options, int migrate_to);
  ~Database();  // Stop()

  // Before Start() only.
  void AddIdleStep(IdleStep step);
  // Starts the writer thread: Write works from then on.
  void Start();
  // Refuses new writes (kUnavailable), lets the writer finish those queued and joins it. Idempotent. Whoever
  // owns the module stores calls this before destroying them, so no job or idle step outlives its owner.
  void Stop();

  // Queues `job` for the next group commit and returns its outcome once that commit is durable (or failed:
  // then the job's own error, or the batch's when the whole transaction was lost, e.g. on a full disk).
  Status Write(Job job);

  // Runs `fn` on a read connection from the pool (waiting for one when all are busy).
  template <typename T>
  Result<T> Read(const std::function<Result<T>(Connection&)>& fn) {
    Lease reader(*this);
    return fn(reader.connection());
  }

  // The writer's lines for /metrics (Prometheus text format): how long writes wait, how long commits take.
  std::string MetricsText() const;

 private:
  struct Pending {
    Job job;
    std::promise<Status> done;
    std::chrono::steady_clock::time_point queued;
  };
  // A read connection taken from the pool for one Read, given back at the end of it.
  class Lease {
   public:
    explicit Lease(Database& db);
    ~Lease();
    Connection& connection() { return *conn_; }

   private:
    Database& db_;
    std::unique_ptr<Connection> conn_;
  };

  explicit Database(SqliteOptions options) : options_(std::move(options)) {}
  Status Migrate(int migrate_to);
  void WriterLoop();
  bool RunIdleSteps();
  void RunBatch(std::deque<Pending>& batch);

  SqliteOptions options_;
  std::unique_ptr<Connection> writer_;  // used only by the writer thread after Start
  std::vector<IdleStep> idle_steps_;    // set before Start, then read by the writer thread only

  common::Mutex queue_mu_;
  common::CondVar queue_cv_;
  std::deque<Pending> queue_ GUARDED_BY(queue_mu_);
  bool stopping_ GUARDED_BY(queue_mu_) = false;
  std::thread writer_thread_;
  // For /metrics.
  Histogram queue_seconds_;   // per write: from its call to the start of its group commit
  Histogram commit_seconds_;  // per group commit: BEGIN … COMMIT (the commands, the fsync, any checkpoint)
  std::atomic<std::uint64_t> commands_{0};

  common::Mutex pool_mu_;
  common::CondVar pool_cv_;
  std::vector<std::unique_ptr<Connection>> readers_ GUARDED_BY(pool_mu_);
};

}  // namespace civicgrid::store::sqlite
