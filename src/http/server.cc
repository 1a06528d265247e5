// Connection lifecycle after the Beast async server example: a strand-free single-reader session per
// connection (one request at a time), timeouts on every read, header and body limits, a connection cap,
// and a worker pool for handlers.
#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "common/log.h"

namespace civicgrid::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  net::io_context ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::thread_pool> workers;
  std::vector<std::thread> io_threads;
  std::atomic<size_t> connections{0};
  std::atomic<bool> stopped{false};
  int bound_port = 0;

  void Accept();
};

namespace {

Response Problem(int status, const std::string& title, const std::string& detail) {
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  // Hand-written JSON: this file must not include the JSON library; detail is plain ASCII from this file.
  r.body = "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + std::to_string(status) +
           ",\"detail\":\"" + detail + "\"}";
  return r;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& impl) : stream_(std::move(socket)), impl_(impl) {
    ++impl_.connections;
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
  }
  ~Session() { --impl_.connections; }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(true); });
  }

 private:
  void ReadHeader(bool first) {
    parser_.emplace();
    parser_->header_limit(std::uint32_t(impl_.options.max_header));
    // The parser checks Content-Length against its limit while reading the header, so it starts with the
    // largest limit any route has; OnHeader applies the route's own.
    parser_->body_limit(std::max(impl_.options.max_body, impl_.options.max_import_body));
    stream_.expires_after(first ? impl_.options.header_timeout : impl_.options.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return Fail(Problem(431, "Request Header Fields Too Large",
                                                              "the request line and headers exceed the limit"));
    if (ec == bhttp::error::body_limit)
      return Fail(Problem(413, "Content Too Large", "the request body exceeds the limit"));
    if (ec) return Close();
    const auto target = parser_->get().target();
    const bool import = parser_->get().method() == bhttp::verb::post && target.starts_with("/api/v1/regions/import");
    const size_t limit = import ? impl_.options.max_import_body : impl_.options.max_body;
    if (parser_->content_length() && *parser_->content_length() > limit)
      return Fail(Problem(413, "Content Too Large", "the request body exceeds the limit of " +
                                                        std::to_string(limit) + " bytes"));
    parser_->body_limit(limit);  // for chunked bodies, whose length is known only as they arrive
    stream_.expires_after(impl_.options.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::body_limit)
      return Fail(Problem(413, "Content Too Large", "the request body exceeds the limit"));
    if (ec) return Close();
    auto& msg = parser_->get();
    auto req = std::make_shared<Request>();
    req->method = std::string(msg.method_string());
    const std::string target(msg.target());
    const size_t q = target.find('?');
    bool ok = PercentDecode(target.substr(0, q), req->path, false);
    if (ok && q != std::string::npos) ok = ParseQueryString(target.substr(q + 1), req->query);
    if (!ok) return Fail(Problem(400, "Bad Request", "malformed percent-encoding in the request target"));
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      req->headers[name] = std::string(f.value());
    }
    req->body = std::move(msg.body());
    req->remote = remote_;
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    stream_.expires_never();  // the handler may take a while; the write sets its own timeout
    net::post(*impl_.workers, [self = shared_from_this(), req] {
      Response res;
      try {
        res = self->impl_.handler(*req);
      } catch (const std::exception& e) {
        log::Error(std::string("handler threw: ") + e.what());
        res = Problem(500, "Internal Server Error", "unexpected error");
      }
      net::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->Write(std::move(res)); });
    });
  }

  // An early error (body or header too large, bad target): answer, then drain what the client is still
  // sending for a moment, so that it reads our answer instead of a connection reset (a lingering close).
  void Fail(Response res) {
    keep_alive_ = false;
    linger_ = true;
    Write(std::move(res));
  }

  void Drain() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    stream_.async_read_some(net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kMaxDrain) return self->Close();
      self->Drain();
    });
  }

  void Write(Response res) {
    res_ = {};
    res_.version(version_ ? version_ : 11);
    res_.result(static_cast<unsigned>(res.status));
    res_.set(bhttp::field::server, "civicgrid");
    res_.set(bhttp::field::content_type, res.content_type);
    // Security headers on every response.
    res_.set("X-Content-Type-Options", "nosniff");
    res_.set("X-Frame-Options", "DENY");
    res_.set("Referrer-Policy", "no-referrer");
    res_.set(bhttp::field::cache_control, "no-store");
    for (const auto& [k, v] : res.headers) res_.set(k, v);
    res_.keep_alive(keep_alive_ && !impl_.stopped);
    res_.body() = std::move(res.body);
    res_.prepare_payload();
    stream_.expires_after(impl_.options.body_timeout);
    bhttp::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (!ec && self->linger_) return self->Drain();
      if (ec || !self->res_.keep_alive()) return self->Close();
      self->ReadHeader(false);
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  Server::Impl& impl_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::string remote_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool linger_ = false;
  static constexpr size_t kMaxDrain = 64 << 20;
  size_t drained_ = 0;
  std::array<char, 16384> scratch_;
};

}  // namespace

void Server::Impl::Accept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopped) return;
    if (!ec) {
      if (connections.load() >= options.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), *this)->Start();
      }
    }
    Accept();
  });
}

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

Server::~Server() { Stop(); }

Status Server::Start() {
  auto& i = *impl_;
  beast::error_code ec;
  const auto address = net::ip::make_address(i.options.host, ec);
  if (ec) return Invalid("listen", "bad listen address '" + i.options.host + "'");
  const tcp::endpoint endpoint{address, static_cast<unsigned short>(i.options.port)};
  i.acceptor = std::make_unique<tcp::acceptor>(net::make_strand(i.ioc));
  i.acceptor->open(endpoint.protocol(), ec);
  if (!ec) i.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) i.acceptor->bind(endpoint, ec);
  if (!ec) i.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Error{ErrorCode::kUnavailable, "cannot listen on " + i.options.host + ":" +
                                                    std::to_string(i.options.port) + ": " + ec.message(), "listen", {}};
  i.bound_port = i.acceptor->local_endpoint().port();
  i.workers = std::make_unique<net::thread_pool>(size_t(i.options.workers));
  i.Accept();
  for (int t = 0; t < i.options.io_threads; ++t) i.io_threads.emplace_back([&i] { i.ioc.run(); });
  return OkStatus();
}

int Server::port() const { return impl_->bound_port; }

void Server::WaitForSignal() {
  net::io_context sig_ioc;
  net::signal_set signals(sig_ioc, SIGINT, SIGTERM);
  signals.async_wait([](beast::error_code, int) {});
  sig_ioc.run();
}

void Server::Stop() {
  auto& i = *impl_;
  if (i.stopped.exchange(true)) return;
  if (i.acceptor) net::post(i.acceptor->get_executor(), [&i] {
      beast::error_code ec;
      i.acceptor->close(ec);
    });
  // Let handlers in flight finish (their writes are already durable or refused), then stop the I/O.
  if (i.workers) i.workers->join();
  i.ioc.stop();
  for (auto& t : i.io_threads) t.join();
}

}  // namespace civicgrid::http
