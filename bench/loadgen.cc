// A small HTTP/1.1 load generator for the intake benchmark: N keep-alive connections driven by one epoll
// thread, each with one request in flight (closed loop), or a fixed arrival rate spread over them (open loop,
// latency counted from the moment each request was due, so a stalled server cannot hide its queue).
//
//   loadgen --port P --token T --points FILE --categories 06001,07002 [--conns 64] [--seconds 20]
//           [--warmup 3] [--rate 0] [--tag run1] [--server-pid PID] [--max-requests N]
//           [--latencies-out FILE]
//
// Every request is a new case (POST /api/v1/cases, channel 12345 with a unique external_id, a location
// inside a grid, a reporter). Only 127.0.0.1. Prints one JSON object: rates, latency percentiles, the
// status codes seen, and the CPU the server, this client and the whole machine used in the measured window.
// --latencies-out writes each measured request as "done due latency_ms" (seconds on the monotonic clock, which
// the server's steady_clock shares), to line a slow request up with what the server did at that moment.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common.h"

namespace {

struct Point {
  double lon, lat;
};

struct Conn {
  int fd = -1;
  bool busy = false;  // a request is in flight
  std::string out;
  size_t out_off = 0;
  std::string in;
  double due = 0;  // when the request counted as sent (its scheduled time in open loop)
  long long seq = 0;
};

const char* kTitles[] = {"路面破损", "路灯不亮", "占道经营", "垃圾未清运",
                         "噪声扰民", "井盖缺失", "违章停车", "绿化带损毁"};
const char* kDetails[] = {
    "人民路与解放路交叉口路面破损，有积水，影响通行", "小区北门路灯连续三晚不亮，居民夜间出行不便",
    "早市摊贩占用人行道经营，行人只能走机动车道",     "垃圾桶已满两天无人清运，气味较大",
    "夜间施工噪声持续到凌晨，影响周边居民休息",       "人行道井盖缺失，存在安全隐患，请尽快处理"};
const char* kNames[] = {"张三", "李女士", "王先生", "陈明", "刘芳", "赵建国"};

}  // namespace

int main(int argc, char** argv) {
  bench::Args args(argc, argv);
  const std::string host = args.Str("host", "127.0.0.1");
  if (host != "127.0.0.1") {
    std::fprintf(stderr, "loadgen talks to 127.0.0.1 only\n");
    return 2;
  }
  const int port = int(args.Int("port", 8080));
  const std::string token = args.Str("token");
  const int nconns = int(args.Int("conns", 64));
  const double seconds = args.Num("seconds", 20), warmup = args.Num("warmup", 3);
  const double rate = args.Num("rate", 0);
  const std::string tag = args.Str("tag", "run");
  const long server_pid = long(args.Int("server-pid", 0));
  const long long max_requests = args.Int("max-requests", 5000000);
  const std::string path = args.Str("path", "/api/v1/cases");
  const std::string latencies_out = args.Str("latencies-out");
  std::vector<std::array<double, 2>> timeline;  // done, due

  std::vector<Point> points;
  {
    std::ifstream in(args.Str("points"));
    Point p;
    while (in >> p.lon >> p.lat) points.push_back(p);
  }
  std::vector<std::string> categories;
  {
    std::string list = args.Str("categories", "06001"), item;
    for (char c : list + ",") {
      if (c == ',') {
        if (!item.empty()) categories.push_back(item);
        item.clear();
      } else {
        item += c;
      }
    }
  }
  if (points.empty() || token.empty()) {
    std::fprintf(stderr, "need --points FILE (lon lat per line) and --token\n");
    return 2;
  }

  std::mt19937_64 rng(std::hash<std::string>{}(tag));
  long long issued = 0;
  auto make_request = [&](Conn& c, int index) {
    const Point& p = points[rng() % points.size()];
    const size_t k = rng();
    char phone[16];
    std::snprintf(phone, sizeof phone, "13%09llu", (unsigned long long)(rng() % 1000000000ULL));
    char body[2048];
    const int n = std::snprintf(
        body, sizeof body,
        "{\"channel\":\"12345\",\"external_id\":\"B%s-%d-%lld\",\"category\":\"%s\",\"title\":\"%s\","
        "\"description\":\"市民来电反映：%s。诉求人希望相关部门尽快核实处理。\",\"address\":\"阜宁县阜城街道人民路%d号\","
        "\"location\":{\"lat\":%.6f,\"lon\":%.6f},\"reporter\":{\"name\":\"%s\",\"phone\":\"%s\"}}",
        tag.c_str(), index, c.seq, categories[k % categories.size()].c_str(), kTitles[k % 8], kDetails[(k >> 8) % 6],
        int(1 + (k >> 16) % 300), p.lat, p.lon, kNames[(k >> 24) % 6], phone);
    c.out = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nAuthorization: Bearer " +
            token + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(n) + "\r\n\r\n" +
            std::string(body, size_t(n));
    c.out_off = 0;
    ++c.seq;
    ++issued;
  };

  const int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<size_t>(nconns));
  long long reconnects = 0, errors = 0;
  auto open_conn = [&](int i) -> bool {
    Conn& c = conns[size_t(i)];
    if (c.fd >= 0) {
      epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
      close(c.fd);
    }
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(std::uint16_t(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) return false;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;  // edge-triggered: reads and writes drain to EAGAIN
    ev.data.u32 = std::uint32_t(i);
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    c.in.clear();
    c.busy = false;
    return true;
  };
  for (int i = 0; i < nconns; ++i)
    if (!open_conn(i)) {
      std::fprintf(stderr, "cannot connect to 127.0.0.1:%d\n", port);
      return 1;
    }

  const double t_start = bench::Now();
  const double w_begin = t_start + warmup, w_end = w_begin + seconds;
  bool window_open = false, window_closed = false;
  double srv0 = 0, srv1 = 0, self0 = 0, self1 = 0;
  bench::MachineCpu m0, m1;
  std::vector<double> latencies;
  latencies.reserve(size_t(std::min<double>(1e7, (rate > 0 ? rate : 20000) * seconds * 1.2)));
  std::map<int, long long> statuses;
  std::vector<long long> per_second(size_t(std::ceil(seconds)) + 1, 0);
  long long in_window = 0, ok_in_window = 0, late = 0;
  double next_due = t_start;
  std::deque<int> idle;
  for (int i = 0; i < nconns; ++i) idle.push_back(i);

  auto send_some = [&](int i) {
    Conn& c = conns[size_t(i)];
    while (c.out_off < c.out.size()) {
      const ssize_t n = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += size_t(n);
      } else {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
        return false;
      }
    }
    return true;
  };
  auto start_request = [&](int i, double due) {
    Conn& c = conns[size_t(i)];
    make_request(c, i);
    c.busy = true;
    c.due = due;
    if (!send_some(i)) {
      ++errors;
      ++reconnects;
      open_conn(i);
      idle.push_back(i);
    }
  };

  epoll_event events[256];
  for (;;) {
    const double now = bench::Now();
    if (!window_open && now >= w_begin) {
      window_open = true;
      srv0 = server_pid ? bench::ProcessCpuSeconds(server_pid) : 0;
      self0 = bench::SelfCpuSeconds();
      m0 = bench::MachineCpu::Read();
    }
    if (window_open && !window_closed && now >= w_end) {
      window_closed = true;
      srv1 = server_pid ? bench::ProcessCpuSeconds(server_pid) : 0;
      self1 = bench::SelfCpuSeconds();
      m1 = bench::MachineCpu::Read();
    }
    const bool sending = now < w_end && issued < max_requests;
    int in_flight = 0;
    for (const auto& c : conns) in_flight += c.busy;
    if (!sending && in_flight == 0) break;
    if (!sending && now > w_end + 15) break;  // bounded: give up on stragglers

    // Issue requests: at once on every idle connection (closed loop), or as they fall due (open loop).
    if (sending) {
      if (rate <= 0) {
        while (!idle.empty()) {
          const int i = idle.front();
          idle.pop_front();
          start_request(i, bench::Now());
        }
      } else {
        while (next_due <= now && !idle.empty()) {
          const int i = idle.front();
          idle.pop_front();
          if (now - next_due > 0.001) ++late;
          start_request(i, next_due);
          next_due += 1.0 / rate;
        }
        // If every connection is busy, the request waits; its latency keeps counting from next_due.
      }
    }

    // Sleep until an answer arrives or, in open loop with a connection free, until the next request is due
    // (rounded up to a whole millisecond: never a busy loop that would take CPU from the server).
    int timeout_ms = 50;
    if (rate > 0 && sending && !idle.empty())
      timeout_ms = std::clamp(int(std::ceil((next_due - bench::Now()) * 1000)), 1, 50);
    const int n = epoll_wait(ep, events, 256, timeout_ms);
    for (int e = 0; e < n; ++e) {
      const int i = int(events[e].data.u32);
      Conn& c = conns[size_t(i)];
      if (events[e].events & EPOLLOUT) {
        if (c.busy && !send_some(i)) {
          ++errors;
          ++reconnects;
          open_conn(i);
          idle.push_back(i);
          continue;
        }
      }
      if (events[e].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        char buf[65536];
        bool closed = false;
        for (;;) {
          const ssize_t r = recv(c.fd, buf, sizeof buf, 0);
          if (r > 0) {
            c.in.append(buf, size_t(r));
            continue;
          }
          if (r == 0 || (errno != EAGAIN && errno != EINTR)) closed = true;
          break;
        }
        // Complete responses (one at most: one request in flight per connection).
        const size_t head = c.in.find("\r\n\r\n");
        if (head != std::string::npos && c.busy) {
          const int status = std::atoi(c.in.c_str() + 9);
          size_t length = 0;
          bool close_after = false;
          for (size_t pos = c.in.find("\r\n"); pos < head; pos = c.in.find("\r\n", pos + 2)) {
            const size_t colon = c.in.find(':', pos + 2);
            if (colon == std::string::npos || colon > head) break;
            std::string name = c.in.substr(pos + 2, colon - pos - 2);
            for (auto& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
            const size_t eol = c.in.find("\r\n", colon);
            std::string value = c.in.substr(colon + 1, eol - colon - 1);
            if (name == "content-length") length = size_t(std::atoll(value.c_str()));
            if (name == "connection" && value.find("close") != std::string::npos) close_after = true;
          }
          if (c.in.size() >= head + 4 + length) {
            const double done = bench::Now();
            c.in.erase(0, head + 4 + length);
            c.busy = false;
            ++statuses[status];
            if (done >= w_begin && done < w_end) {
              ++in_window;
              if (status >= 200 && status < 300) {
                ++ok_in_window;
                latencies.push_back((done - c.due) * 1e3);
                if (!latencies_out.empty()) timeline.push_back({done, c.due});
                per_second[size_t(done - w_begin)]++;
              }
            }
            if (close_after || closed) {
              ++reconnects;
              open_conn(i);
            }
            idle.push_back(i);
            continue;
          }
        }
        if (closed) {
          if (c.busy) ++errors;
          ++reconnects;
          open_conn(i);
          idle.push_back(i);
        }
      }
    }
  }
  if (!window_closed) {
    srv1 = server_pid ? bench::ProcessCpuSeconds(server_pid) : 0;
    self1 = bench::SelfCpuSeconds();
    m1 = bench::MachineCpu::Read();
  }
  for (auto& c : conns)
    if (c.fd >= 0) close(c.fd);

  const long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  const double machine_busy = m1.total > m0.total ? (m1.busy - m0.busy) / (m1.total - m0.total) * double(ncpu) : 0;
  std::vector<double> ps(per_second.begin(), per_second.end() - 1);
  std::string statuses_json = "{";
  for (const auto& [code, count] : statuses)
    statuses_json += (statuses_json.size() > 1 ? ", \"" : "\"") + std::to_string(code) + "\": " + std::to_string(count);
  statuses_json += "}";
  std::string ps_json = "[";
  for (size_t i = 0; i < ps.size(); ++i) ps_json += (i ? "," : "") + std::to_string(long(ps[i]));
  ps_json += "]";
  bench::Json out;
  out.Int("conns", nconns)
      .Num("seconds", seconds)
      .Num("rate_target", rate)
      .Int("completed", in_window)
      .Int("ok", ok_in_window)
      .Num("rate", double(ok_in_window) / seconds)
      .Num("p50_ms", bench::Percentile(latencies, 0.50))
      .Num("p90_ms", bench::Percentile(latencies, 0.90))
      .Num("p99_ms", bench::Percentile(latencies, 0.99))
      .Num("p999_ms", bench::Percentile(latencies, 0.999))
      .Num("max_ms", latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end()))
      .Num("per_second_min", ps.empty() ? 0 : *std::min_element(ps.begin(), ps.end()))
      .Num("per_second_max", ps.empty() ? 0 : *std::max_element(ps.begin(), ps.end()))
      .Raw("per_second", ps_json)
      .Raw("statuses", statuses_json)
      .Int("errors", errors)
      .Int("reconnects", reconnects)
      .Int("late", late)
      .Num("client_cpu_cores", (self1 - self0) / seconds)
      .Num("client_cpu_us_per_request", ok_in_window ? (self1 - self0) / double(ok_in_window) * 1e6 : 0)
      .Num("server_cpu_cores", server_pid ? (srv1 - srv0) / seconds : 0)
      .Num("server_cpu_us_per_request", ok_in_window && server_pid ? (srv1 - srv0) / double(ok_in_window) * 1e6 : 0)
      .Num("machine_busy_cores", machine_busy)
      .Int("machine_cores", ncpu);
  if (!latencies_out.empty()) {
    if (FILE* f = std::fopen(latencies_out.c_str(), "w")) {
      for (const auto& [done, due] : timeline) std::fprintf(f, "%.6f %.6f %.3f\n", done, due, (done - due) * 1e3);
      std::fclose(f);
    }
  }
  std::printf("%s\n", out.Dump().c_str());
  return 0;
}
