// The HTTP server: the only user of Boost.Asio/Beast. I/O threads read and write; a worker pool runs the
// handler (which may block on the store), so a slow commit never stalls other connections.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "http/client_address.h"
#include "http/message.h"

namespace civicgrid::http {

// Every limit at the edge, explicit (docs/operator-guide.md lists them).
struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: pick a free port (tests)
  int io_threads = 1;
  // Handler threads. They block until their commit is durable, so their number caps how many intakes
  // one group commit can carry: 8 gave 2,100 intakes/s, 64 gave 3,400/s (bench/README.md).
  int workers = 64;
  size_t max_body = 1 << 20;  // bytes; larger bodies answer 413
  // For the few requests the body gate (Server::SetBodyGate) lets through: an admin's region import. Asked
  // before any of the body is read, so an unauthenticated client never holds more than max_body.
  size_t max_import_body = 64 << 20;
  size_t max_header = 16 << 10;  // bytes of request line + headers; larger answer 431 (414 for the line)
  // To receive a complete header, counted from the connection's start or, on a kept-alive connection, from
  // the first byte of the next request: a client trickling its header (slowloris) is cut off after this.
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds idle_timeout{60};  // keep-alive wait for the first byte of the next request
  std::chrono::seconds body_timeout{60};  // to receive a whole body, and to write a whole response
  // A body that has sent less than slow_body_bytes after slow_body_time is cut off (and its share of the body
  // budget given back) then rather than at body_timeout: a client announcing a body and sending nothing holds
  // memory for seconds, not a minute.
  std::chrono::seconds slow_body_time{10};
  size_t slow_body_bytes = 16 << 10;
  // Beyond this, new connections are closed at once; open streams count. Start lowers it to what the
  // descriptor limit (RLIMIT_NOFILE, whose soft limit it raises to the hard one) leaves after a reserve.
  size_t max_connections = 4096;
  // Request bodies held in memory at once, all connections together, counted by their declared length
  // (the route's limit for chunked ones) from their header until their answer; beyond it a request with a
  // body answers 503 with Retry-After. Bounds memory against many slow or large uploads (import: 64 MiB).
  size_t max_body_memory = 256 << 20;
  // The same, for one client address (after trusted proxies): one address cannot take the whole budget. A
  // chunked body is counted as it arrives; a body with a Content-Length by that length, from its header.
  size_t max_body_memory_per_client = 72 << 20;
  // Reverse proxies whose X-Forwarded-For is believed (client_address.h); empty: the TCP peer is the client.
  std::vector<TrustedNet> trusted_proxies;
};

using Handler = std::function<Response(Request&)>;

// Asked on a worker thread, with the request as far as its header (no body), before the server accepts a
// body over max_body (or a chunked one): true lets it have up to max_import_body; false keeps max_body (a
// larger Content-Length answers 413); an error (401, 403) is answered at once, and the body is not read.
using BodyGate = std::function<Result<bool>(const Request&)>;

// The server's end of an upgraded (WebSocket) connection, as handlers see it: no Beast here.
class StreamSink {
 public:
  // Bounds of the outgoing queue. A client that falls this far behind is too slow to follow the stream:
  // the connection is closed rather than let the queue grow without limit (it may reconnect and reload).
  static constexpr size_t kMaxQueuedMessages = 1000;
  static constexpr size_t kMaxQueuedBytes = 4 << 20;

  virtual ~StreamSink() = default;
  // Queues one text message; callable from any thread, never blocks on the network. False once the
  // connection is closed or closing (also when this message overflowed the queue and closed it).
  virtual bool Send(std::string text) = 0;
  // Starts a normal close (status 1000); messages not yet written are dropped, further Sends return false.
  virtual void Close() = 0;
};

// What an upgrade handler decides about a WebSocket upgrade request.
struct UpgradeDecision {
  bool accept = false;
  Response refusal;  // written as a normal HTTP response when !accept (a problem document)
  // On accept: on_open runs once the handshake completed (on an I/O thread: be quick); on_close runs once
  // after on_open, when the connection ends for any reason (client close, error, slowness, server stop).
  // Neither runs if the handshake itself fails.
  std::function<void(std::shared_ptr<StreamSink>)> on_open;
  std::function<void()> on_close;

  static UpgradeDecision Refuse(Response response) {
    UpgradeDecision d;
    d.refusal = std::move(response);
    return d;
  }
};

// Runs on the worker pool, like Handler, for GET requests carrying `Upgrade: websocket` only.
using UpgradeHandler = std::function<UpgradeDecision(Request&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  // Before Start. Without one, upgrade requests go to the Handler like any other request.
  void SetUpgradeHandler(UpgradeHandler handler);
  // Before Start. Without one, no request may have a body over max_body.
  void SetBodyGate(BodyGate gate);
  Status Start();  // binds and starts the threads; port() is known after this
  int port() const;
  void WaitForSignal();  // blocks until SIGINT or SIGTERM
  void Stop();           // also closes every stream (1001 going away), waiting at most a second for the closes

  struct Impl;  // public only so that the connection code in server.cc can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace civicgrid::http
