#pragma once

// The live agent daemon: a LiveAgent on one event loop, talking to its master over the
// HttpTransport and serving its read-only endpoints.
//
//   POST /agent/mesos.internal.<Message>   the master (HttpTransport, internal_messages_json.hpp)
//   GET  /state, /state.json, /slave(1)/state   the agent's state (Mesos's agent /state shape)
//   GET  /monitor/statistics, /monitor/statistics.json   per-task usage from the containers
//   GET  /health, /version
//
// At start it chooses the isolation (--isolation; it logs which, and why), recovers from its
// work dir (LiveAgent::start), listens, and treats the --master address as the leading master
// (there is no ZooKeeper: the master is fixed). It then registers and re-registers as the
// protocol says. A task's end is noticed when its pidfd becomes readable, and an OOM kill in its
// cgroup when the isolator's OOM notification fd does (the agent's own poll timer looks at the
// containers that have no such fds).
//
// Threading: everything runs on the thread that runs the io_context given to start().

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "allocator/result.hpp"
#include "sim/live/live_agent_options.hpp"

namespace mesosim::live {

class LiveAgent;
class HttpTransport;

struct AgentDaemonOptions {
  LiveAgentOptions flags;        // --master, --port (0: any free port), --work_dir, ...
  std::string ip = "127.0.0.1";  // where it listens and what it tells the master
  std::string cgroups_root = "/sys/fs/cgroup";  // where isolation is detected
  std::string cgroup_name = "mesosim";          // containers live under <hierarchy>/<cgroup_name>
  uint64_t seed = 0;                            // status update uuids; 0: from std::random_device
  // Protocol timings for tests (registration backoff, ping timeout, ...); unset: Mesos's.
  std::optional<LiveAgentConfig> timings;
};

class AgentDaemon {
 public:
  // Errors name the flag or resource at fault: a bad flag value, isolation the machine cannot
  // give, an unreadable checkpoint, an address in use.
  static Result<std::unique_ptr<AgentDaemon>> start(boost::asio::io_context& io,
                                                    AgentDaemonOptions options);
  ~AgentDaemon();
  AgentDaemon(const AgentDaemon&) = delete;
  AgentDaemon& operator=(const AgentDaemon&) = delete;

  uint16_t port() const;
  std::string pid() const;  // "agent@127.0.0.1:5051"
  // Stops serving and talking; running tasks keep running (a restarted agent recovers them, as
  // Mesos's agent does when it is stopped). Idempotent; loop thread.
  void stop();
  bool stopped() const;
  // The master shut this agent down and its last task has ended: the daemon should exit.
  bool finished() const;

  LiveAgent& agent();
  HttpTransport& transport();
  // How many fds the loop watches: per running container, its pidfd and (cgroups) its OOM
  // notification fd (tests).
  size_t watched_pidfds() const;

  struct Parts;  // (agent_daemon.cpp)

 private:
  explicit AgentDaemon(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// `mesosim agent`: runs a daemon until SIGINT or SIGTERM, or until the master shuts the agent
// down. Returns the process exit status (0 after a clean stop, 1 when it cannot start).
int run_agent_daemon(AgentDaemonOptions options);

}  // namespace mesosim::live
