#include "cli/app.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "common/csv.h"
#include "common/log.h"
#include "common/text.h"
#include "demo/demo.h"
#include "domain/access/policy.h"
#include "domain/access/totp.h"
#include "domain/dispatch/defaults.h"
#include "reference/geojson.h"
#include "reference/shipped_data.h"

namespace civicgrid::app {
namespace {

// The store's files hold reporters' names, password hashes and the audit log: owner only (0600), also in a
// store made before this rule (issue 17). A file we may not change (a read-only mounted key) is left, logged.
void KeepPrivate(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return;
  if (::chmod(file.c_str(), 0600) == 0) log::Info("made " + file.string() + " readable by its owner only (0600)");
  else log::Warn(file.string() + " is readable by others and cannot be changed: make it 0600");
}

}  // namespace

Result<std::unique_ptr<App>> App::Open(const AppOptions& options) {
  std::error_code ec;
  const std::filesystem::path data_dir(options.data_dir);
  if (!std::filesystem::exists(data_dir)) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return Invalid("data", "cannot create " + options.data_dir + ": " + ec.message());
    std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace,
                                 ec);  // 0700, whatever the umask
    if (ec) return Invalid("data", "cannot restrict " + options.data_dir + ": " + ec.message());
  } else if (struct stat st{}; ::stat(data_dir.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    log::Warn("the data directory " + options.data_dir + " is open to others; its files are kept 0600 (chmod 700 it)");
  }
  const std::filesystem::path db_file = data_dir / "civicgrid.db";
  const bool new_store = !std::filesystem::exists(db_file);
  std::unique_ptr<App> app(new App());
  app->clock_ = options.clock ? options.clock : &app->system_clock_;
  const std::filesystem::path key_file = options.key_file.empty()
                                             ? std::filesystem::path(options.data_dir) / "civicgrid.key"
                                             : std::filesystem::path(options.key_file);
  if (!std::filesystem::exists(key_file) && !new_store)
    return Invalid("key_file", "the personal-data key " + key_file.string() +
                                   " is missing; without it the store's phone and ID numbers cannot be read. "
                                   "Restore it (CIVICGRID_KEY_FILE names another place) rather than make a new one");
  if (!std::filesystem::exists(key_file)) {
    const int fd = ::open(key_file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    const std::string key = privacy::Vault::NewKeyHex() + "\n";
    const bool written = fd >= 0 && ::write(fd, key.data(), key.size()) == ssize_t(key.size()) && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    if (!written) return Invalid("key_file", "cannot write " + key_file.string());
  }
  KeepPrivate(key_file);
  std::ifstream in(key_file);
  std::stringstream key_text;
  key_text << in.rdbuf();
  auto vault = privacy::Vault::FromHex(key_text.str());
  if (!vault.ok()) return Invalid("key_file", key_file.string() + ": " + vault.error().message);
  app->vault_ = std::move(vault.value());
  store::SqliteOptions so;
  so.path = db_file.string();
  so.synchronous_full = options.durable;
  // The database file exists before SQLite opens it, 0600; SQLite gives its -wal and -shm the same mode.
  // Made only once the key is in place: an empty file would pass for an existing store.
  if (new_store) {
    const int fd = ::open(db_file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) return Invalid("data", "cannot create " + db_file.string());
    if (fd >= 0) ::close(fd);
  }
  KeepPrivate(db_file);
  auto store = store::OpenSqlite(so);
  if (!store.ok()) return store.error();
  app->store_ = std::move(store.value());
  for (const char* suffix : {"-wal", "-shm", "-journal"}) KeepPrivate(db_file.string() + suffix);
  app->reference_ = std::make_unique<reference::ReferenceService>(app->store_->reference());
  app->auth_ =
      std::make_unique<access::AuthService>(app->store_->access(), *app->clock_, *app->vault_, options.hash_limits);
  // Second factors kept in clear by a store older than schema 9 are sealed once, here: only code holds the key.
  auto sealed = app->auth_->SealStoredTotpSecrets();
  if (!sealed.ok()) return sealed.error();
  if (*sealed > 0) log::Info("sealed " + std::to_string(*sealed) + " one-time code secrets with the personal-data key");
  app->routing_ = std::make_unique<dispatch::RoutingService>(app->store_->routing(), app->reference_->directory(),
                                                             *app->auth_, *app->clock_);
  app->reference_->OnReload([routing = app->routing_.get()] { return routing->Reload(); });
  if (auto st = app->ReloadDirectory(); !st) return st.error();
  app->cases_ = std::make_unique<cases::CaseService>(app->store_->cases(), *app->clock_, app->directory(), *app->vault_,
                                                     options.rules);
  if (auto st = RefoldProjections(*app); !st) return st.error();
  app->cases_->SetRouting(&app->routing_->table());
  app->cases_->SetOpenCaseIndex(&app->open_cases_);
  return app;
}

Status LoadDigests(cases::CaseStore& store, const std::function<void(const cases::CaseDigest&)>& fn,
                   size_t batch_size) {
  // Batches go round between a free list and a full list: a few in flight bound the memory.
  constexpr size_t kBatches = 4;
  const size_t kBatch = std::max<size_t>(1, batch_size);
  struct Batch {
    std::vector<cases::CaseDigest> rows;
    size_t n = 0;
  };
  std::vector<Batch> batches(kBatches);
  for (auto& b : batches) b.rows.resize(kBatch);
  // What the two threads share (a struct, because locals cannot carry GUARDED_BY).
  struct Shared {
    common::Mutex mu;
    common::CondVar cv;
    std::deque<Batch*> free_list GUARDED_BY(mu);
    std::deque<Batch*> full GUARDED_BY(mu);
    bool done GUARDED_BY(mu) = false;
    Status result GUARDED_BY(mu) = OkStatus();
  } sh;
  {
    common::MutexLock lock(sh.mu);
    for (auto& b : batches) sh.free_list.push_back(&b);
  }

  std::thread reader([&] {
    Batch* current = nullptr;
    auto hand_over = [&] {
      {
        common::MutexLock lock(sh.mu);
        sh.full.push_back(current);
      }
      current = nullptr;
      sh.cv.NotifyAll();
    };
    Status st = store.ScanDigests([&](const cases::CaseDigest& d) {
      if (!current) {
        common::MutexLock lock(sh.mu);
        while (sh.free_list.empty()) sh.cv.Wait(sh.mu);
        current = sh.free_list.front();
        sh.free_list.pop_front();
        current->n = 0;
      }
      current->rows[current->n++] = d;  // assignment reuses the strings' buffers
      if (current->n == kBatch) hand_over();
    });
    if (current && current->n > 0) hand_over();
    common::MutexLock lock(sh.mu);
    if (!st) sh.result = st;
    sh.done = true;
    sh.cv.NotifyAll();
  });

  for (;;) {
    Batch* b = nullptr;
    {
      common::MutexLock lock(sh.mu);
      while (sh.full.empty() && !sh.done) sh.cv.Wait(sh.mu);
      if (sh.full.empty()) break;
      b = sh.full.front();
      sh.full.pop_front();
    }
    for (size_t i = 0; i < b->n; ++i) fn(b->rows[i]);
    {
      common::MutexLock lock(sh.mu);
      sh.free_list.push_back(b);
    }
    sh.cv.NotifyAll();
  }
  reader.join();
  common::MutexLock lock(sh.mu);
  return sh.result;
}

Status App::StartCommandCentre() {
  if (scheduler_) return OkStatus();
  const cases::CaseKind& kind = cases_->kind();
  auto next_of = [&kind](const cases::Case& c) { return kind.NextTimer(c); };
  scheduler_ = std::make_unique<ledger::TimerQueue>(*clock_, [this, next_of](cases::CaseId id) {
    auto c = cases_->FireAlerts(id);
    if (!c.ok()) {
      if (c.error().code == ErrorCode::kNotFound) scheduler_->Set(id, std::nullopt);
      else log::Error("alerts of case " + to_string(id) + ": " + c.error().message);  // retried
      return;
    }
    scheduler_->Set(id, next_of(*c));  // also when nothing was due
  });
  cases_->Subscribe(
      [this, next_of](const cases::Case* before, const cases::Case& after, const std::vector<cases::CaseEvent>&) {
        cockpit_.Apply(before, after);
        open_cases_.Apply(before, after);
        scheduler_->Set(after.id, next_of(after));
      });
  // Rebuilt from the digests (an index, no case decoded): what the store says each case contributes. The
  // scan (SQLite) and the folding run on two threads side by side, handing over batches of digests.
  size_t all = 0, open = 0;
  const auto started = std::chrono::steady_clock::now();
  auto st = LoadDigests(store_->cases(), [&](const cases::CaseDigest& d) {
    ++all;
    cockpit_.Load(d);
    if (d.next_alert) scheduler_->Set(d.id, d.next_alert);
    const bool handling = cases::IsHandling(d.status);
    open += handling;
    if (handling && d.location) open_cases_.Load(d.id, d.version, *d.location, d.created_at, d.category);
  });
  if (!st) return st;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  log::Info("command centre: " + std::to_string(all) + " cases (" + std::to_string(open) + " being handled, " +
            std::to_string(scheduler_->pending()) + " with alerts pending) loaded in " + std::to_string(ms.count()) +
            " ms");
  scheduler_->Start();
  return OkStatus();
}

Result<InitResult> Init(App& app, const std::string& admin_password) {
  auto rows =
      csv::Parse(shipped::kCategoriesCsv, {"code", "parent", "name_zh", "name_en", "accept_hours", "resolve_days"});
  if (!rows.ok()) return rows.error();
  std::vector<reference::Category> categories;
  for (auto& r : *rows)
    categories.push_back({r["code"], r["parent"], r["name_zh"], r["name_en"], std::stod(r["accept_hours"]),
                          std::stod(r["resolve_days"])});
  if (auto st = app.store().reference().UpsertCategories(categories); !st) return st.error();
  // The shipped adjustments fill only the years the store lacks: a re-run of init keeps what an admin imported.
  if (auto st = app.reference().SeedHolidays(shipped::kHolidaysCsv); !st) return st.error();
  InitResult result;
  auto admin = app.store().access().FindUser("admin");
  if (!admin.ok()) return admin.error();
  if (!*admin) {
    // A generated password meets the rules: 16 hex characters plus a fixed upper-case and symbol tail.
    result.admin_password = admin_password.empty() ? access::AuthService::RandomSecret(8) + "-Cg" : admin_password;
    auto user = AddUser(app, "admin", result.admin_password, {{"admin", "*"}}, "init");
    if (!user.ok()) return user.error();
    result.admin_totp_secret = user->totp_secret;
  }
  if (auto st = app.ReloadDirectory(); !st) return st.error();
  return result;
}

Result<NewUser> AddUser(App& app, const std::string& login_text, const std::string& password,
                        const std::vector<std::pair<std::string, std::string>>& roles, const std::string& by) {
  // A login is a person's text like any other: no control characters, no invisible edges (common/text.h).
  auto clean_login = text::Clean(login_text, "login", text::Lines::kOne);
  if (!clean_login.ok()) return clean_login.error();
  const std::string& login = *clean_login;
  if (login.empty() || text::CodePoints(login) > 64) return Invalid("login", "a login has 1 to 64 characters");
  const auto dir = app.directory().Get();
  for (const auto& [role_name, scope] : roles) {
    auto role = access::ParseRole(role_name);
    if (!role) return Invalid("role", "unknown role '" + role_name + "'");
    if (auto st = access::CheckScope(*role, scope, *dir); !st) return st.error();
  }
  auto hash = access::AuthService::HashPassword(password);
  if (!hash.ok()) return hash.error();
  access::User u;
  u.login = login;
  u.password_hash = *hash;
  u.roles = roles;
  u.password_changed_at = app.clock().Now();
  const std::string totp_secret = access::NeedsSecondFactor(roles) ? access::NewTotpSecret() : "";
  u.totp_secret = app.auth().SealTotpSecret(totp_secret);  // stored sealed; shown once, in clear, by the caller
  u.totp_sealed = !totp_secret.empty();
  auto id = app.store().access().AddUser(u);
  if (!id.ok()) return id.error();
  std::string granted;
  for (const auto& [r, sc] : roles) granted += r + "@" + sc + " ";
  app.auth().Audit(by, "user_added", login, granted, "cli");
  return NewUser{*id, totp_secret};
}

Result<std::string> AddKey(App& app, const std::string& name, const std::string& channel) {
  bool known = false;
  for (const auto& c : cases::KnownChannels()) known |= c == channel;
  if (!known) return Invalid("channel", "unknown channel '" + channel + "'");
  const std::string login = "key:" + name;
  access::User u;
  u.login = login;
  // Keys never log in with a password: store a hash of a random one nobody knows.
  auto hash = access::AuthService::HashPassword(access::AuthService::RandomSecret(24) + "Aa-");
  if (!hash.ok()) return hash.error();
  u.password_hash = *hash;
  u.roles = {{"channel", channel}};
  u.password_changed_at = app.clock().Now();
  auto id = app.store().access().AddUser(u);
  if (!id.ok()) return id.error();
  auto token = app.auth().IssueToken(login, std::chrono::hours(24 * 3650));
  if (!token.ok()) return token.error();
  app.auth().Audit("cli", "key_added", login, "channel " + channel, "cli");
  return token->token;
}

Result<std::vector<DemoUser>> AddDemoUsers(App& app) {
  // Scopes in Funing's 阜城街道 (320923001), 向阳社区 and its first grid; the county's 城管 department.
  const auto dir = app.directory().Get();
  std::string grid;
  for (const auto* child : dir->Children("320923001001"))
    if (child->kind == reference::RegionKind::kGrid) {
      grid = child->code;
      break;
    }
  std::vector<DemoUser> users = {
      {"dispatcher", "dispatcher", "320923", "Dispatch-2026!"},
      {"leader", "leader", "320923", "Leader-2026!x"},
      {"town", "town_staff", "320923001", "Town-2026!xyz"},
      {"community", "community_staff", "320923001001", "Community-2026!"},
      {"gridworker", "grid_worker", grid, "GridWorker-2026!"},
      {"cgj", "department_staff", "320923-cgj", "Department-2026!"},
      {"resident", "resident", "320923", "Resident-2026!"},
  };
  for (auto& u : users) {
    auto added = AddUser(app, u.login, u.password, {{u.role, u.scope}}, "init");
    if (!added.ok()) return added.error();
    u.totp_secret = added->totp_secret;
  }
  return users;
}

namespace {
// The format of the `cases` rows as the current Evolve folds them. 2: timers, level, whistle, supervision,
// joined reporters (issue 3). Rows written by an older civicgrid are refolded from their events once.
constexpr int kProjectionVersion = 2;

// Every case's stored row beside the fold of its events, newest first; stops at the first error `fn` returns.
Status ForEachFold(App& app, const std::function<Status(const cases::Case& row, const cases::Case& folded)>& fn) {
  cases::CaseQuery q;
  q.limit = 500;
  for (;;) {
    auto page = app.store().cases().ListCases(q);
    if (!page.ok()) return page.error();
    for (const auto& row : page->items) {
      auto events = app.store().cases().LoadEvents(row.id);
      if (!events.ok()) return events.error();
      cases::Case folded;
      for (const auto& e : *events) folded = cases::Evolve(folded, e);
      if (auto st = fn(row, folded); !st) return st;
    }
    if (!page->next_before) return OkStatus();
    q.before = page->next_before;
  }
}
}  // namespace

Status RefoldProjections(App& app) {
  auto current = app.store().GetSetting("projection_version");
  if (!current.ok()) return current.error();
  if (!current->empty() && std::stoi(*current) >= kProjectionVersion) return OkStatus();
  std::int64_t refolded = 0;
  std::vector<cases::CaseWrite> batch;  // 500 rows a transaction: one fsync each, not one per case
  auto flush = [&]() -> Status {
    if (batch.empty()) return OkStatus();
    auto st = app.store().cases().Commit(batch);
    batch.clear();
    return st;
  };
  auto st = ForEachFold(app, [&](const cases::Case& row, const cases::Case& folded) -> Status {
    // Same version, new row: no event is added; the row and its start-up columns catch up with its events.
    cases::CaseWrite w{folded, {}, row.version, ""};
    app.cases().CompleteWrite(w);
    refolded += !(folded == row);
    batch.push_back(std::move(w));
    return batch.size() >= 500 ? flush() : OkStatus();
  });
  if (st) st = flush();
  if (!st) return st;
  if (refolded)
    log::Info("store: " + std::to_string(refolded) + " case rows refolded to projection format " +
              std::to_string(kProjectionVersion));
  return app.store().PutSetting("projection_version", std::to_string(kProjectionVersion));
}

Result<std::int64_t> CheckProjection(App& app) {
  std::int64_t checked = 0;
  auto st = ForEachFold(app, [&](const cases::Case& row, const cases::Case& folded) -> Status {
    if (!(folded == row)) return Internal("case " + to_string(row.id) + ": its row differs from its events");
    ++checked;
    return OkStatus();
  });
  if (!st) return st.error();
  return checked;
}

Result<int> LoadDemo(App& app, std::uint64_t seed, int cases) {
  demo::DemoOptions options;
  options.seed = seed;
  options.cases = cases;
  options.now = app.clock().Now();
  auto reference = demo::BuildReference(options);
  if (!reference.ok()) return reference.error();
  if (auto st = app.store().reference().UpsertRegions(reference->regions); !st) return st.error();
  if (auto st = app.store().reference().UpsertOrgs(reference->orgs); !st) return st.error();
  if (auto st = app.ReloadDirectory(); !st) return st.error();
  log::Info("demo: " + std::to_string(reference->regions.size()) + " regions, " +
            std::to_string(app.directory().Get()->grid_count()) + " grids, " + std::to_string(reference->orgs.size()) +
            " organisations");
  // The county's routing rules come first, as in a real county: the history's cases are dispatched by them
  // at intake, like every new case after it.
  auto rules = app.routing().AddDefaults(shipped::kRoutingDefaultsCsv, "init");
  if (!rules.ok()) return rules.error();
  log::Info("demo: " + std::to_string(*rules) + " routing rules");
  // History runs on its own clock, set to each moment of the past year.
  ManualClock history_clock(options.now);
  cases::CaseService history(app.store().cases(), history_clock, app.directory(), app.vault());
  history.SetRouting(&app.routing().table());
  auto played = demo::PlayHistory(history, history_clock, *app.directory().Get(), options);
  if (!played.ok()) return played.error();
  return played;
}

}  // namespace civicgrid::app
