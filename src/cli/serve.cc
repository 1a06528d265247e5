// `civicgrid serve`: the HTTP API, the live stream and the command centre over one store; one server per store.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <map>
#include <set>
#include <thread>

#include "cli/wiring.h"
#include "common/log.h"
#include "http/api.h"
#include "http/server.h"
#include "http/stream.h"

namespace civicgrid::cli {

Command AddServe(CLI::App& cli) {
  struct Options {
    std::string data_dir;
    std::string listen = "127.0.0.1:8080";
    int workers = 64;
    double intake_rate = 50, login_rate = 0.5;
    http::ServerOptions limits;
    int header_timeout = int(limits.header_timeout.count()), idle_timeout = int(limits.idle_timeout.count()),
        body_timeout = int(limits.body_timeout.count());
    size_t max_body_memory_mib = limits.max_body_memory >> 20;
    size_t max_body_memory_per_client_mib = limits.max_body_memory_per_client >> 20;
    int slow_body_time = int(limits.slow_body_time.count());
    std::string trusted_proxies;
    cases::Rules rules;
    std::string escalate_on = "overdue,returned_twice,dissatisfied,supervisor_flag,check_in_missed";
    access::HashLimits hash_limits;
    int hash_wait_ms = int(hash_limits.wait.count());
  };
  auto o = std::make_shared<Options>();
  auto* serve = cli.add_subcommand("serve", "serve the HTTP API");
  serve->add_option("--data", o->data_dir, "data directory")->required();
  serve->add_option("--listen", o->listen, "HOST:PORT (port 0 picks a free one, printed on stdout)");
  serve->add_option("--workers", o->workers, "handler threads");
  serve->add_option("--intake-rate", o->intake_rate, "intakes per second per caller and per address (0: no limit)");
  serve->add_option("--login-rate", o->login_rate, "login attempts per second per address (0: no limit)");
  // Limits against slow or greedy clients (docs/operator-guide.md, "Limits and slow clients").
  serve->add_option("--header-timeout", o->header_timeout, "seconds to send a complete request header")
      ->check(CLI::Range(1, 3600));
  serve->add_option("--idle-timeout", o->idle_timeout, "seconds a kept-alive connection may wait for its next request")
      ->check(CLI::Range(1, 3600));
  serve->add_option("--body-timeout", o->body_timeout, "seconds to send a whole request body (and to read a response)")
      ->check(CLI::Range(1, 3600));
  serve->add_option("--max-connections", o->limits.max_connections, "open connections, streams included")
      ->check(CLI::Range(1, 1 << 20));
  serve->add_option("--max-body-memory", o->max_body_memory_mib, "MiB of request bodies held at once")
      ->check(CLI::Range(1, 1 << 20));
  // Password hashes (Argon2id, 64 MiB each) at once: memory for logins stays under this × 64 MiB
  // (docs/operator-guide.md, "Limits and slow clients").
  serve->add_option("--password-hashes", o->hash_limits.concurrent, "password hashes computed at once (64 MiB each)")
      ->check(CLI::Range(1, 256));
  serve
      ->add_option("--password-hash-queue", o->hash_limits.queued,
                   "logins that may wait for a hash; more answer 503 at once")
      ->check(CLI::Range(0, 4096));
  serve->add_option("--password-hash-wait", o->hash_wait_ms, "milliseconds a login waits for a hash before 503")
      ->check(CLI::Range(1, 60000));
  serve
      ->add_option("--max-body-memory-per-client", o->max_body_memory_per_client_mib,
                   "MiB of request bodies held at once for one client address")
      ->check(CLI::Range(1, 1 << 20));
  serve
      ->add_option("--slow-body-timeout", o->slow_body_time,
                   "seconds after which a body that has sent under 16 KiB is cut off")
      ->check(CLI::Range(1, 3600));
  serve->add_option("--trusted-proxy", o->trusted_proxies,
                    "reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the client");
  serve->add_option("--warn-share", o->rules.warn_share, "a deadline's reminder fires at this share of its time")
      ->check(CLI::Range(0.05, 0.99));
  serve->add_option("--escalate-on", o->escalate_on,
                    "escalation triggers, comma-separated (overdue, returned_twice, dissatisfied, supervisor_flag, "
                    "check_in_missed), or 'none'");
  serve->add_option("--follow-up-days", o->rules.follow_up_days, "working days to ask every reporter")
      ->check(CLI::Range(0.1, 30.0));
  serve->add_option("--check-in-hours", o->rules.check_in_hours, "default whistle check-in limit (hours)")
      ->check(CLI::Range(0.01, 720.0));
  serve->add_option("--duplicate-radius", o->rules.duplicate_radius_m, "metres within which duplicates are proposed")
      ->check(CLI::Range(1.0, 2000.0));
  serve->add_option("--duplicate-days", o->rules.duplicate_window_days, "days back duplicates are looked for")
      ->check(CLI::Range(0.01, 90.0));
  return {serve, [o]() -> int {
            auto& [data_dir, listen, workers, intake_rate, login_rate, limits, header_timeout, idle_timeout,
                   body_timeout, max_body_memory_mib, max_body_memory_per_client_mib, slow_body_time, trusted_proxies,
                   rules, escalate_on, hash_limits, hash_wait_ms] = *o;
            hash_limits.wait = std::chrono::milliseconds(hash_wait_ms);
            rules.escalate_on.clear();
            for (size_t start = 0; escalate_on != "none" && start <= escalate_on.size();) {
              const size_t comma = std::min(escalate_on.find(',', start), escalate_on.size());
              const std::string t = escalate_on.substr(start, comma - start);
              static const std::set<std::string> kTriggers = {"overdue", "returned_twice", "dissatisfied",
                                                              "supervisor_flag", "check_in_missed"};
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
            if (port < 0 || port > 65535)
              return Fail(Invalid("listen", "expected HOST:PORT with a port from 0 to 65535"));
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
            auto opened = OpenApp(data_dir, true, rules, hash_limits);
            if (!opened.ok()) return Fail(opened.error());
            auto& app = *opened.value();
            http::ServerOptions options = limits;
            options.header_timeout = std::chrono::seconds(header_timeout);
            options.idle_timeout = std::chrono::seconds(idle_timeout);
            options.body_timeout = std::chrono::seconds(body_timeout);
            options.max_body_memory = max_body_memory_mib << 20;
            options.max_body_memory_per_client = max_body_memory_per_client_mib << 20;
            options.slow_body_time = std::chrono::seconds(slow_body_time);
            options.trusted_proxies = std::move(*proxies);
            options.host = listen.substr(0, colon) == "localhost" ? "127.0.0.1" : listen.substr(0, colon);
            options.port = port;
            options.workers = workers;
            // Live stream (/api/v1/stream): every committed case event goes to the open streams that may see it.
            // Subscribed before the command centre starts its scheduler thread (Subscribe is not synchronised);
            // the listener owns the hub, which thus outlives the server and the scheduler.
            auto stream_hub = std::make_shared<http::StreamHub>();
            app.cases().Subscribe([stream_hub](const cases::Case* before, const cases::Case& after,
                                               const std::vector<cases::CaseEvent>& events) {
              stream_hub->Publish(before, after, events);
            });
            // The command centre (routing, the duplicate index and the deadline scheduler, rebuilt from the store)
            // and the API over it: the same wiring the scenario runner tests.
            http::BodyGate body_gate;  // who may send a large body (an admin's region import)
            auto api = app::ServeApi(app, {login_rate, intake_rate}, &body_gate);
            if (!api.ok()) return Fail(api.error());
            http::Server server(options, std::move(api.value()));
            server.SetBodyGate(std::move(body_gate));
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
          }};
}

}  // namespace civicgrid::cli
