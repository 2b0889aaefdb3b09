#include "server.hpp"

#include <fmt/core.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "assets.hpp"
#include "talentcast/io/diagnostic.hpp"

namespace talentcast::serve {

namespace {

using Response = httplib::Server::HandlerResponse;

// The page loads only its own assets and talks only to this server.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

void refuse(httplib::Response& res, int status, const std::string& why) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", why}}.dump(), "application/json; charset=utf-8");
}

void answer(httplib::Response& res, Reply reply) {
  res.status = reply.status;
  if (!reply.filename.empty()) {
    res.set_header("Content-Disposition",
                   fmt::format("attachment; filename=\"{}\"", reply.filename));
  }
  res.set_content(std::move(reply.body), reply.content_type.c_str());
}

// Counts the requests that run the model; past the limit, the next is refused.
class Admission {
 public:
  explicit Admission(std::atomic<int>& running) : running_(running) { ++running_; }
  ~Admission() { --running_; }
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

 private:
  std::atomic<int>& running_;
};

// What every request must be before it is routed: when the server listens on this machine
// alone, addressed to it by that name (so that a page of another site cannot reach it through
// DNS rebinding), and a POST with a body of a known, small
// size, neither chunked nor compressed (whose size the library would not bound).
Response check_request(const httplib::Request& req, httplib::Response& res,
                       const ServerSettings& settings, int port) {
  const std::string host = req.get_header_value("Host");
  const bool loopback =
      settings.host == "localhost" || settings.host == "::1" || settings.host.starts_with("127.");
  const bool ours = !loopback || host == fmt::format("{}:{}", settings.host, port) ||
                    host == fmt::format("localhost:{}", port) ||
                    host == fmt::format("127.0.0.1:{}", port) ||
                    host == fmt::format("[::1]:{}", port);
  if (!ours) {
    refuse(res, 421, "this server answers requests addressed to it by its own host and port");
    return Response::Handled;
  }
  if (req.method == "GET" || req.method == "HEAD") return Response::Unhandled;
  if (req.method != "POST") {
    refuse(res, 405, "expected GET or POST");
    return Response::Handled;
  }
  if (req.has_header("Transfer-Encoding") || req.has_header("Content-Encoding")) {
    refuse(res, 415, "expected a body sent whole (no Transfer-Encoding or Content-Encoding)");
    return Response::Handled;
  }
  if (!req.has_header("Content-Length")) {
    refuse(res, 411, "expected a Content-Length");
    return Response::Handled;
  }
  const std::string length = req.get_header_value("Content-Length");
  if (length.empty() || length.size() > 9 ||
      length.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(length) > settings.max_body) {
    refuse(res, 413, fmt::format("expected a body of at most {} bytes", settings.max_body));
    return Response::Handled;
  }
  return Response::Unhandled;
}

void add_routes(httplib::Server& server, WhatIfService& service, const ServerSettings& settings,
                std::atomic<int>& running, const std::function<void(const std::string&)>& log) {
  for (const Asset& asset : assets()) {
    server.Get(std::string(asset.path), [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(asset.body), std::string(asset.content_type).c_str());
    });
  }
  server.Get("/api/scenarios", [&service](const httplib::Request&, httplib::Response& res) {
    answer(res, service.scenarios());
  });
  server.Get("/api/levers", [&service](const httplib::Request& req, httplib::Response& res) {
    answer(res, service.levers(req.get_param_value("scenario")));
  });
  using Call = Reply (WhatIfService::*)(const std::string&);
  const std::pair<const char*, Call> posts[] = {
      {"/api/compare", &WhatIfService::compare},
      {"/api/export/toml", &WhatIfService::export_toml},
      {"/api/export/report", &WhatIfService::export_report}};
  for (const auto& [path, call] : posts) {
    server.Post(path, [&service, &settings, &running, &log, path = std::string(path), call = call](
                          const httplib::Request& req, httplib::Response& res) {
      const Admission admitted(running);
      if (running.load() > settings.max_running) {
        refuse(res, 503, "too many what-ifs at once; try again");
        return;
      }
      const auto started = std::chrono::steady_clock::now();
      Reply reply = (service.*call)(req.body);
      log(fmt::format(
          "{} {} in {:.2f} s", path, reply.status,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()));
      answer(res, std::move(reply));
    });
  }
}

}  // namespace

void serve_page(WhatIfService& service, const ServerSettings& settings,
                const std::atomic<bool>& stop,
                const std::function<void(const std::string& url)>& listening,
                const std::function<void(const std::string& line)>& log) {
  httplib::Server server;
  // A few connections at a time: the model runs one what-if at a time anyway.
  server.new_task_queue = [] { return new httplib::ThreadPool(8); };
  server.set_payload_max_length(settings.max_body);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  std::atomic<int> running{0};
  const int port = settings.port == 0 ? server.bind_to_any_port(settings.host)
                   : server.bind_to_port(settings.host, settings.port) ? settings.port
                                                                       : -1;
  if (port <= 0) {
    throw io::UserError(fmt::format(
        "--host {} --port {}: cannot listen there (is the port in use, or the host not this "
        "machine's?); choose another with --port, or --port 0 for any free port",
        settings.host, settings.port));
  }
  server.set_pre_routing_handler(
      [&settings, port](const httplib::Request& req, httplib::Response& res) {
        return check_request(req, res, settings, port);
      });
  server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cache-Control", "no-store");
  });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      refuse(res, res.status, res.status == 404 ? "no such page" : "the request was refused");
    }
  });
  server.set_exception_handler(
      [&log](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log(fmt::format("internal error answering {} {}: {}", req.method, req.path, what));
        refuse(res, 500, fmt::format("internal error: {}", what));
      });
  add_routes(server, service, settings, running, log);

  // Ctrl-C stops the run in progress and the server; stop() is called until it listens no more
  // (called before it listens, it would do nothing).
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load()) {
      if (stop.load()) {
        service.cancel();
        server.stop();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  const std::string shown = settings.host.find(':') != std::string::npos
                                ? fmt::format("[{}]", settings.host)
                                : settings.host;
  listening(fmt::format("http://{}:{}/", shown, port));
  server.listen_after_bind();
  done = true;
  watcher.join();
}

}  // namespace talentcast::serve
