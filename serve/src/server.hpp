#pragma once
// The what-if page's HTTP server (cpp-httplib): the page's assets and the API of whatif.hpp,
// with the limits of docs/serve.md ("Safety").

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>

#include "whatif.hpp"

namespace talentcast::serve {

struct ServerSettings {
  std::string host = "127.0.0.1";
  int port = 8080;  ///< 0: any free port
  /// The largest request body taken; a what-if is a few kilobytes.
  std::size_t max_body = 64 * 1024;
  /// Requests that run the model (compare, exports) being answered or waiting at once; more
  /// are answered 503 at once.
  int max_running = 4;
};

/// Serves the page until `stop` becomes true; calls listening(url) once it listens. Throws
/// io::UserError when it cannot listen at host:port.
void serve_page(WhatIfService& service, const ServerSettings& settings,
                const std::atomic<bool>& stop,
                const std::function<void(const std::string& url)>& listening,
                const std::function<void(const std::string& line)>& log);

}  // namespace talentcast::serve
