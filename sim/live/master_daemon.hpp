#pragma once

// The live master: a Master with the DRF allocator on one event loop, reachable over HTTP.
//
//   POST /master/mesos.internal.<Message>   agents (HttpTransport, internal_messages_json.hpp)
//   POST /api/v1/scheduler                  frameworks (scheduler_api.hpp)
//   GET  /                                 the web UI (sim/live/webui/index.html)
//   GET  /master/state, /master/state.json, /master/state-summary, /metrics/snapshot,
//        /health, /master/health, /version, /master/redirect, /redirect
//
// The Master, the HTTP server, the transport and every handler run on the thread that runs the
// io_context given to start(); nothing here starts a thread. Time comes from a LoopClock (Unix
// epoch microseconds). The registry (agents admitted, unreachable, gone; weights; quota) lives
// in <work_dir>/registry.json (registry_file.hpp): read at start, so that a restarted master
// expects the admitted agents to re-register as after a failover, and rewritten (atomically,
// fsynced) on every change before the master acts on it: the agent is told it registered, and
// frameworks hear of an agent lost, only once the file says so. With `record_file` set, the
// master's event stream is written there in the event log format (sim/master/event_log.hpp, time
// base unix_epoch), flushed every second and at stop().

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "allocator/allocator.hpp"
#include "allocator/result.hpp"
#include "sim/live/http_authentication.hpp"
#include "sim/live/http_server.hpp"
#include "sim/master/master.hpp"

namespace mesosim::live {

class LoopClock;
class HttpTransport;
class MasterBook;

struct MasterDaemonOptions {
  std::string ip = "127.0.0.1";
  uint16_t port = 5050;  // 0: any free port (tests)
  std::string hostname;  // empty: the ip
  std::string work_dir;  // created if missing
  std::optional<std::string> record_file;
  MasterOptions master;  // master_id is generated when empty
  AllocatorOptions allocator;
  size_t max_body_bytes = 4 * 1024 * 1024;
  uint64_t seed = 0;  // stream ids, master id, agent order; 0: from std::random_device
  std::map<std::string, std::string> flags;  // as given on the command line, for /master/state
  // `--credentials`: the principals frameworks may authenticate as.
  std::optional<Credentials> credentials;
  // `--authenticate_http_frameworks`: every POST /api/v1/scheduler must authenticate with HTTP
  // Basic as one of `credentials` (scheduler_api.hpp); start() refuses it without credentials.
  bool authenticate_http_frameworks = false;
  // `--authenticate_http_readonly`: /master/state(.json), /master/state-summary and
  // /metrics/snapshot need HTTP Basic credentials of one of `credentials` (realm
  // "mesos-master-readonly"); start() refuses it without credentials.
  bool authenticate_http_readonly = false;
};

// The timer of /metrics/snapshot (mesosim's, not Mesos's): from an ACCEPT call read whole by the
// master's HTTP server to each RunTaskMessage it caused written to the agent's connection, over
// the last 65536 launches.
inline constexpr std::string_view kAcceptToLaunchMetric = "mesosim/master/accept_to_launch_ms";

class MasterDaemon {
 public:
  // Recovers the registry, listens, elects the master and starts its timers. Errors: the
  // address, the work dir, authentication without credentials, the registry file (its path and the
  // bad field; nothing is written then) or the record file, named.
  static Result<std::unique_ptr<MasterDaemon>> start(boost::asio::io_context& io,
                                                     MasterDaemonOptions options);
  ~MasterDaemon();
  MasterDaemon(const MasterDaemon&) = delete;
  MasterDaemon& operator=(const MasterDaemon&) = delete;

  uint16_t port() const;
  std::string pid() const;  // "master@127.0.0.1:5050"
  // Ends every stream and connection, stops the master's timers and flushes the record; the
  // io_context then runs out of work. Idempotent; loop thread.
  void stop();
  bool stopped() const;
  // The registry file could not be written: the daemon stopped itself (and stopped the
  // io_context), as Mesos's master aborts when its registrar fails.
  bool failed() const;

  Master& master();
  const MasterBook& book() const;
  LoopClock& clock();
  HttpTransport& transport();

  struct Parts;  // (master_daemon.cpp)

 private:
  explicit MasterDaemon(std::unique_ptr<Parts> parts);
  static void stop_parts(Parts& parts);
  std::unique_ptr<Parts> parts_;
};

// `mesosim master`: runs a daemon until SIGINT or SIGTERM. Returns the process exit status (0
// after a clean shutdown, 1 when it cannot start; the reason is logged).
int run_master_daemon(MasterDaemonOptions options);

}  // namespace mesosim::live
