// civicgrid: one binary. Subcommands: init, serve, token, user add|list, import regions|orgs.
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "domain/access/totp.h"
#include "cli/app.h"
#include "common/log.h"
#include "http/api.h"
#include "http/server.h"
#include "http/stream.h"

namespace civicgrid {
namespace {

int Fail(const Error& e) {
  std::cerr << "error: " << (e.field.empty() ? "" : e.field + ": ") << e.message << "\n";
  return e.code == ErrorCode::kInternal ? 1 : 2;
}

Result<std::unique_ptr<app::App>> OpenApp(const std::string& data_dir, bool durable = true,
                                          const cases::Rules& rules = {}) {
  app::AppOptions options;
  options.rules = rules;
  options.data_dir = data_dir;
  options.durable = durable;
  // The personal-data key may live outside the data directory (another disk, a mounted secret).
  if (const char* key = std::getenv("CIVICGRID_KEY_FILE"); key && *key) options.key_file = key;
  return app::App::Open(options);
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid("file", "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += char(c);
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

std::string ReadStdin() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace
}  // namespace civicgrid

// What escapes main cannot go on (STYLE: exceptions only for that): std::terminate reports it.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  using namespace civicgrid;
  CLI::App cli{"civicgrid: grid governance for a county — one intake, one grid network, one command"};
  cli.require_subcommand(1);
  std::string data_dir;

  auto* init = cli.add_subcommand("init", "create or migrate the store; load the taxonomy and calendar; add admin");
  bool demo = false;
  std::uint64_t seed = 20261124;
  int demo_cases = 24000;
  bool admin_password_stdin = false;
  init->add_option("--data", data_dir, "data directory")->required();
  init->add_flag("--demo", demo, "add the demo counties, people and a year of history");
  init->add_option("--seed", seed, "demo random seed");
  init->add_option("--demo-cases", demo_cases, "demo historical cases");
  init->add_flag("--admin-password-stdin", admin_password_stdin, "read the admin password from stdin");

  auto* serve = cli.add_subcommand("serve", "serve the HTTP API");
  std::string listen = "127.0.0.1:8080";
  int workers = 64;
  serve->add_option("--data", data_dir, "data directory")->required();
  serve->add_option("--listen", listen, "HOST:PORT (port 0 picks a free one, printed on stdout)");
  serve->add_option("--workers", workers, "handler threads");
  double intake_rate = 50, login_rate = 0.5;
  serve->add_option("--intake-rate", intake_rate, "intakes per second per caller and per address (0: no limit)");
  serve->add_option("--login-rate", login_rate, "login attempts per second per address (0: no limit)");
  // Limits against slow or greedy clients (docs/operator-guide.md, "Limits and slow clients").
  http::ServerOptions limits;
  int header_timeout = int(limits.header_timeout.count()), idle_timeout = int(limits.idle_timeout.count()),
      body_timeout = int(limits.body_timeout.count());
  size_t max_body_memory_mib = limits.max_body_memory >> 20;
  serve->add_option("--header-timeout", header_timeout, "seconds to send a complete request header")
      ->check(CLI::Range(1, 3600));
  serve->add_option("--idle-timeout", idle_timeout, "seconds a kept-alive connection may wait for its next request")
      ->check(CLI::Range(1, 3600));
  serve->add_option("--body-timeout", body_timeout, "seconds to send a whole request body (and to read a response)")
      ->check(CLI::Range(1, 3600));
  serve->add_option("--max-connections", limits.max_connections, "open connections, streams included")
      ->check(CLI::Range(1, 1 << 20));
  serve->add_option("--max-body-memory", max_body_memory_mib, "MiB of request bodies held at once")
      ->check(CLI::Range(1, 1 << 20));
  std::string trusted_proxies;
  serve->add_option("--trusted-proxy", trusted_proxies,
                    "reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the client");
  cases::Rules rules;
  std::string escalate_on = "overdue,returned_twice,dissatisfied,supervisor_flag,check_in_missed";
  serve->add_option("--warn-share", rules.warn_share, "a deadline's reminder fires at this share of its time")
      ->check(CLI::Range(0.05, 0.99));
  serve->add_option("--escalate-on", escalate_on,
                    "escalation triggers, comma-separated (overdue, returned_twice, dissatisfied, supervisor_flag, "
                    "check_in_missed), or 'none'");
  serve->add_option("--follow-up-days", rules.follow_up_days, "working days to ask every reporter")
      ->check(CLI::Range(0.1, 30.0));
  serve->add_option("--check-in-hours", rules.check_in_hours, "default whistle check-in limit (hours)")
      ->check(CLI::Range(0.01, 720.0));
  serve->add_option("--duplicate-radius", rules.duplicate_radius_m, "metres within which duplicates are proposed")
      ->check(CLI::Range(1.0, 2000.0));
  serve->add_option("--duplicate-days", rules.duplicate_window_days, "days back duplicates are looked for")
      ->check(CLI::Range(0.01, 90.0));

  auto* token = cli.add_subcommand("token", "print a fresh bearer token for a user");
  std::string login;
  token->add_option("--data", data_dir, "data directory")->required();
  token->add_option("--user", login, "login")->required();

  auto* user = cli.add_subcommand("user", "manage users");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "add a user");
  std::string role, scope;
  bool password_stdin = false;
  user_add->add_option("--data", data_dir, "data directory")->required();
  user_add->add_option("--login", login, "login")->required();
  user_add->add_option("--role", role, "role")->required();
  user_add->add_option("--scope", scope, "region code the role applies to ('*' for all)")->required();
  user_add->add_flag("--password-stdin", password_stdin, "read the password from stdin")->required();
  auto* user_disable = user->add_subcommand("disable", "disable a user (their tokens stop working)");
  user_disable->add_option("--data", data_dir, "data directory")->required();
  user_disable->add_option("--login", login, "login")->required();
  auto* user_list = user->add_subcommand("list", "list users");
  bool json_out = false;
  user_list->add_option("--data", data_dir, "data directory")->required();
  user_list->add_flag("--json", json_out, "print JSON");

  auto* key = cli.add_subcommand("key", "API keys for channel systems");
  key->require_subcommand(1);
  auto* key_add = key->add_subcommand("add", "print a new API key, limited to intake on one channel and its own cases");
  std::string key_name, channel;
  key_add->add_option("--data", data_dir, "data directory")->required();
  key_add->add_option("--name", key_name, "name of the system, e.g. hotline")->required();
  key_add->add_option("--channel", channel, "the channel it takes cases in on")->required();

  auto* import = cli.add_subcommand("import", "import reference data");
  import->require_subcommand(1);
  std::string file;
  auto* import_regions = import->add_subcommand("regions", "regions from a GeoJSON FeatureCollection");
  import_regions->add_option("--data", data_dir, "data directory")->required();
  import_regions->add_option("file", file, "GeoJSON file")->required();
  auto* import_orgs = import->add_subcommand("orgs", "organisations from CSV (code,name,kind,region)");
  import_orgs->add_option("--data", data_dir, "data directory")->required();
  import_orgs->add_option("file", file, "CSV file")->required();
  auto* import_routing = import->add_subcommand(
      "routing", "routing rules from CSV (category,region,org), or --defaults: data/routing-defaults.csv per county");
  bool routing_defaults = false;
  import_routing->add_option("--data", data_dir, "data directory")->required();
  import_routing->add_option("file", file, "CSV file");
  import_routing->add_flag("--defaults", routing_defaults, "the shipped per-county templates");

  auto* check = cli.add_subcommand("check", "verify the store: every case row equals the fold of its events");
  check->add_option("--data", data_dir, "data directory")->required();

  CLI11_PARSE(cli, argc, argv);

  if (init->parsed()) {
    // The demo's bulk load runs without fsync; it is one step that is redone from scratch if interrupted.
    auto opened = OpenApp(data_dir, !demo);
    if (!opened.ok()) return Fail(opened.error());
    auto& app = *opened.value();
    const std::string password = admin_password_stdin ? ReadStdin() : "";
    if (admin_password_stdin && password.empty())
      return Fail(Invalid("password", "--admin-password-stdin read an empty line"));
    auto result = app::Init(app, password);
    if (!result.ok()) return Fail(result.error());
    if (!result->admin_password.empty() && !admin_password_stdin)
      std::cout << "admin password: " << result->admin_password << "\n";
    if (!result->admin_totp_secret.empty())
      std::cout << "admin one-time codes: " << access::TotpUri("admin", result->admin_totp_secret) << "\n";
    if (demo) {
      auto existing = app.store().CountCases();
      if (!existing.ok()) return Fail(existing.error());
      if (*existing > 0) {
        std::cout << "demo: the store already holds " << *existing << " cases; nothing added\n";
      } else {
        auto n = app::LoadDemo(app, seed, demo_cases);
        if (!n.ok()) return Fail(n.error());
        std::cout << "demo: " << *n << " cases of history\n";
        auto users = app::AddDemoUsers(app);
        if (!users.ok()) return Fail(users.error());
        for (const auto& u : *users)
          std::cout << "demo user: " << u.login << " password " << u.password << " role " << u.role << " scope "
                    << u.scope
                    << (u.totp_secret.empty() ? "" : " one-time codes " + access::TotpUri(u.login, u.totp_secret))
                    << "\n";
      }
    }
    std::cout << "store ready in " << data_dir << "\n";
    return 0;
  }
  if (serve->parsed()) {
    rules.escalate_on.clear();
    for (size_t start = 0; escalate_on != "none" && start <= escalate_on.size();) {
      const size_t comma = std::min(escalate_on.find(',', start), escalate_on.size());
      const std::string t = escalate_on.substr(start, comma - start);
      static const std::set<std::string> kTriggers = {"overdue", "returned_twice", "dissatisfied", "supervisor_flag",
                                                      "check_in_missed"};
      if (!kTriggers.count(t)) return Fail(Invalid("escalate-on", "unknown escalation trigger '" + t + "'"));
      rules.escalate_on.insert(t);
      start = comma + 1;
    }
    const auto colon = listen.rfind(':');
    int port = -1;
    if (colon != std::string::npos) {
      const char* b = listen.c_str() + colon + 1;
      auto [p, ec] = std::from_chars(b, listen.c_str() + listen.size(), port);
      if (ec != std::errc() || *p != '\0') port = -1;
    }
    if (port < 0 || port > 65535) return Fail(Invalid("listen", "expected HOST:PORT with a port from 0 to 65535"));
    std::string proxy_error;
    auto proxies = http::ParseTrustedProxies(trusted_proxies, proxy_error);
    if (!proxies) return Fail(Invalid("trusted-proxy", proxy_error));
    // Under a file-size limit (ulimit -f, RLIMIT_FSIZE), a write past it raises SIGXFSZ, which kills the
    // process by default. Ignored, the write fails with EFBIG instead: the store answers 503, like a full disk.
    std::signal(SIGXFSZ, SIG_IGN);
    // One server per store: a second would hand out the same case ids.
    const std::string lock_path = data_dir + "/serve.lock";
    const int lock_fd = ::open(lock_path.c_str(), O_CREAT | O_RDWR, 0600);
    if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0)
      return Fail(Error{ErrorCode::kUnavailable, "another civicgrid serve is using " + data_dir, "data", {}});
    auto opened = OpenApp(data_dir, true, rules);
    if (!opened.ok()) return Fail(opened.error());
    auto& app = *opened.value();
    http::ServerOptions options = limits;
    options.header_timeout = std::chrono::seconds(header_timeout);
    options.idle_timeout = std::chrono::seconds(idle_timeout);
    options.body_timeout = std::chrono::seconds(body_timeout);
    options.max_body_memory = max_body_memory_mib << 20;
    options.trusted_proxies = std::move(*proxies);
    options.host = listen.substr(0, colon) == "localhost" ? "127.0.0.1" : listen.substr(0, colon);
    options.port = port;
    options.workers = workers;
    http::ApiDeps deps{app.store(), app.cases(), app.auth(), app.directory(), [&app] { return app.ReloadDirectory(); },
                       [&app](const std::string& text) { return app::ImportRegionsGeoJson(app, text); },
                       app.clock(), login_rate, intake_rate};
    // Live stream (/api/v1/stream): every committed case event goes to the open streams that may see it.
    // Subscribed before the command centre starts its scheduler thread (Subscribe is not synchronised);
    // the listener owns the hub, which thus outlives the server and the scheduler.
    auto stream_hub = std::make_shared<http::StreamHub>();
    app.cases().Subscribe([stream_hub](const cases::Case* before, const cases::Case& after,
                                       const std::vector<cases::CaseEvent>& events) {
      stream_hub->Publish(before, after, events);
    });
    // The command centre: routing, the duplicate index and the deadline scheduler, rebuilt from the store.
    if (auto st = app.StartCommandCentre(); !st) return Fail(st.error());
    deps.open_cases = &app.open_cases();
    deps.vault = &app.vault();
    deps.routing = &app.routing();
    deps.cockpit = &app.cockpit();
    deps.add_routing_rule = [&app](dispatch::RoutingRule rule, const std::string& remote) {
      return app::AddRoutingRule(app, std::move(rule), remote);
    };
    deps.delete_routing_rule = [&app](std::int64_t id, const std::string& actor, const std::string& remote) {
      return app::DeleteRoutingRule(app, id, actor, remote);
    };
    http::Server server(options, http::MakeApi(deps));
    server.SetUpgradeHandler(http::MakeStreamUpgrade(*stream_hub, app.auth(), app.directory()));  // live stream
    if (auto st = server.Start(); !st) return Fail(st.error());
    std::cout << "listening on http://" << options.host << ":" << server.port() << std::endl;
    log::Info("serving " + data_dir + " on " + options.host + ":" + std::to_string(server.port()));
    // Imports made with the CLI while the server runs reach it within two seconds.
    std::atomic<bool> stopping{false};
    // Streams of revoked or expired tokens are closed within a minute.
    std::thread watcher([&] {
      for (int round = 1; !stopping; ++round) {
        for (int i = 0; i < 20 && !stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (auto st = app.ReloadIfChanged(); !st) log::Warn("reference reload failed: " + st.error().message);
        if (round % 30 == 0) stream_hub->Revalidate();
      }
    });
    // The cockpit live: once a second, when anything changed, each stream gets its region's figures.
    std::thread ticker([&] {
      std::uint64_t seen = ~std::uint64_t{0};
      size_t streams = 0;
      while (!stopping) {
        for (int i = 0; i < 10 && !stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const auto changes = app.cockpit().changes();
        const size_t now_streams = stream_hub->size();
        // On a change, or when a stream has joined (it gets the figures without waiting for a change).
        const bool joined = now_streams > streams;
        streams = now_streams;
        if ((changes == seen && !joined) || now_streams == 0) continue;
        seen = changes;
        std::map<std::string, std::string> cache;
        const auto dir = app.directory().Get();
        const TimePoint now = app.clock().Now();
        stream_hub->Tick([&](const access::Subject& who, const std::string& region) {
          return http::CockpitLiveJson(app.cockpit(), who, region, *dir, now, cache);
        });
      }
    });
    server.WaitForSignal();
    stopping = true;
    watcher.join();
    ticker.join();
    log::Info("stopping");
    server.Stop();
    return 0;
  }
  if (token->parsed()) {
    auto opened = OpenApp(data_dir);
    if (!opened.ok()) return Fail(opened.error());
    auto t = opened.value()->auth().IssueToken(login, access::kCliTokenLifetime);
    if (!t.ok()) return Fail(t.error());
    opened.value()->auth().Audit("cli", "token_issued", login, "", "cli");
    std::cout << t->token << "\n";
    return 0;
  }
  if (user_add->parsed()) {
    auto opened = OpenApp(data_dir);
    if (!opened.ok()) return Fail(opened.error());
    auto added = app::AddUser(*opened.value(), login, ReadStdin(), {{role, scope}}, "cli");
    if (!added.ok()) return Fail(added.error());
    std::cout << "user " << login << " added\n";
    if (!added->totp_secret.empty())
      std::cout << "one-time codes: " << access::TotpUri(login, added->totp_secret) << "\n";
    return 0;
  }
  if (user_disable->parsed()) {
    auto opened = OpenApp(data_dir);
    if (!opened.ok()) return Fail(opened.error());
    if (auto st = opened.value()->store().SetUserDisabled(login, true); !st) return Fail(st.error());
    opened.value()->auth().Audit("cli", "user_disabled", login, "", "cli");
    std::cout << "user " << login << " disabled\n";
    return 0;
  }
  if (key_add->parsed()) {
    auto opened = OpenApp(data_dir);
    if (!opened.ok()) return Fail(opened.error());
    auto k = app::AddKey(*opened.value(), key_name, channel);
    if (!k.ok()) return Fail(k.error());
    std::cout << *k << "\n";
    return 0;
  }
  if (user_list->parsed()) {
    auto opened = OpenApp(data_dir);
    if (!opened.ok()) return Fail(opened.error());
    auto users = opened.value()->store().ListUsers();
    if (!users.ok()) return Fail(users.error());
    if (json_out) {
      std::cout << "[";
      for (size_t i = 0; i < users->size(); ++i) {
        const auto& u = (*users)[i];
        std::cout << (i ? "," : "") << "{\"login\":" << JsonString(u.login) << ",\"roles\":[";
        for (size_t r = 0; r < u.roles.size(); ++r)
          std::cout << (r ? "," : "") << "{\"role\":" << JsonString(u.roles[r].first)
                    << ",\"scope\":" << JsonString(u.roles[r].second) << "}";
        std::cout << "]}";
      }
      std::cout << "]\n";
    } else {
      for (const auto& u : *users) {
        std::cout << u.login << (u.disabled ? " (disabled)" : "");
        for (const auto& [r, s] : u.roles) std::cout << " " << r << "@" << s;
        std::cout << "\n";
      }
    }
    return 0;
  }
  if (check->parsed()) {
    auto opened = OpenApp(data_dir);
    if (!opened.ok()) return Fail(opened.error());
    auto n = app::CheckProjection(*opened.value());
    if (!n.ok()) return Fail(n.error());
    std::cout << *n << " cases ok\n";
    return 0;
  }
  if (import_routing->parsed()) {
    if (routing_defaults == !file.empty())
      return Fail(Invalid("file", "give a CSV file of rules or --defaults (one of them)"));
    auto opened = OpenApp(data_dir);
    if (!opened.ok()) return Fail(opened.error());
    Result<size_t> n = size_t{0};
    if (routing_defaults) {
      n = app::AddDefaultRoutingRules(*opened.value(), "cli");
    } else {
      auto text = ReadFile(file);
      if (!text.ok()) return Fail(text.error());
      n = app::ImportRoutingCsv(*opened.value(), *text, "cli");
    }
    if (!n.ok()) return Fail(n.error());
    std::cout << "imported " << *n << " routing rules\n";
    return 0;
  }
  if (import_regions->parsed() || import_orgs->parsed()) {
    auto text = ReadFile(file);
    if (!text.ok()) return Fail(text.error());
    auto opened = OpenApp(data_dir);
    if (!opened.ok()) return Fail(opened.error());
    auto n = import_regions->parsed() ? app::ImportRegionsGeoJson(*opened.value(), *text)
                                      : app::ImportOrgsCsv(*opened.value(), *text);
    if (!n.ok()) return Fail(n.error());
    std::cout << "imported " << *n << (import_regions->parsed() ? " regions\n" : " organisations\n");
    return 0;
  }
  return 0;
}
