#pragma once

// The live agent's flags, with Mesos's names and defaults where Mesos has them, and the parsing
// of their values into what a LiveAgent runs with.
//
//   --master                          host:port of the master (Mesos also takes zk:// and
//                                     file://; mesosim only host:port)
//   --port                            5051
//   --work_dir                        required; sandboxes, container and agent checkpoints
//   --resources                       Mesos text, e.g. "cpus:4;mem:8192;ports:[31000-32000]";
//                                     what it leaves out is detected (agent_resources.hpp)
//   --attributes                      Mesos text, "rack:r1;zone:a" (TEXT values only)
//   --isolation                       auto | cgroups | cgroups/v1 | cgroups/v2 | posix, or a
//                                     Mesos isolator list ("cgroups/cpu,cgroups/mem" → cgroups,
//                                     "posix/cpu,posix/mem" → posix)
//   --hostname                        default: this machine's host name
//   --executor_shutdown_grace_period  5 s: how long a task of a framework (or agent) being
//                                     shut down gets between SIGTERM and SIGKILL
//   --switch_user                     true: tasks run as their framework's user (a user that
//                                     does not exist fails the launch, as in Mesos)
//
// Every parse error names the flag, the item and what was expected.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/resources.hpp"
#include "allocator/result.hpp"
#include "allocator/time.hpp"
#include "sim/live/agent_resources.hpp"
#include "sim/live/containerizer.hpp"
#include "sim/live/isolation_detection.hpp"
#include "sim/master/protocol.hpp"

namespace mesosim::live {

struct LiveAgentOptions {
  std::string master = "127.0.0.1:5050";
  uint16_t port = 5051;
  std::string work_dir;
  std::optional<std::string> resources;
  std::optional<std::string> attributes;
  std::string isolation = "auto";
  std::optional<std::string> hostname;
  Duration executor_shutdown_grace_period = Duration::seconds(5);
  bool switch_user = true;
};

// What a LiveAgent runs with: the flags' values parsed and completed, plus the protocol's timing
// (Mesos's values; tests shorten them).
struct LiveAgentConfig {
  std::string hostname;
  uint16_t port = 5051;
  std::string work_dir;
  Resources resources;  // total, as registered with the master
  std::vector<v1::Attribute> attributes;
  Duration executor_shutdown_grace_period = Duration::seconds(5);
  // Registration is retried after this, doubling, capped at one minute (Mesos's
  // --registration_backoff_factor and REGISTER_RETRY_INTERVAL_MAX).
  Duration registration_backoff = Duration::seconds(1);
  // No ping from the master for this long: the agent re-registers (15 s × 5 in Mesos).
  Duration master_ping_timeout = Duration::seconds(75);
  Duration status_update_retry = Duration::seconds(10);
  Duration status_update_retry_max = Duration::minutes(10);
  // How often the containers are polled for ended tasks and OOM kills when no pidfd wakes the
  // agent first; the memory limitation of a task is noticed within this period.
  Duration container_poll_interval = Duration::millis(250);
  // How often a registered agent sends a UsageReportMessage of its running tasks.
  Duration usage_report_interval = Duration::seconds(1);
};

struct MasterAddress {
  std::string host;
  uint16_t port = 5050;
};

// "host:port", port 1..65535. zk:// and file:// masters are refused with a sentence saying so.
Result<MasterAddress> parse_master_flag(std::string_view text);
// Mesos's resource text (allocator/resources.hpp), errors prefixed with "--resources: ".
Result<Resources> parse_resources_flag(std::string_view text);
// "name:value;name:value". Names and values are non-empty; a name is [A-Za-z0-9_./-]+.
Result<std::vector<v1::Attribute>> parse_attributes_flag(std::string_view text);
// The isolation kind asked for, as choose_isolation() spells it: "auto", "cgroups" (v2, else
// v1), "cgroups/v1", "cgroups/v2" or "posix".
Result<std::string> parse_isolation_flag(std::string_view text);

// A Mesos duration: a non-negative decimal number and a unit, one of ns, us, ms, secs, mins, hrs,
// days, weeks ("5secs", "2.5mins"). `flag` names the flag in errors.
Result<Duration> parse_duration_flag(std::string_view text, std::string_view flag);
// "true" or "false" (also "1"/"0"), as Mesos's boolean flags.
Result<bool> parse_bool_flag(std::string_view text, std::string_view flag);

// Pure: the config for `options` on a machine with `facts`; `default_hostname` is used when
// --hostname is absent. Fails on a missing work_dir or a bad flag value.
Result<LiveAgentConfig> agent_config(const LiveAgentOptions& options, const MachineFacts& facts,
                                     std::string default_hostname);
// Reads this machine (probe_machine, gethostname) and calls agent_config().
Result<LiveAgentConfig> agent_config(const LiveAgentOptions& options);

// The isolation the --isolation flag gets on this machine (detection under `mount_root`).
// "cgroups" fails with the detector's explanation when neither v2 nor v1 is usable.
Result<IsolationDetection> agent_isolation(const LiveAgentOptions& options,
                                           const std::string& mount_root = "/sys/fs/cgroup");

// The prefix of the containers of the agent whose work dir this is: "w" and 8 hex digits of the
// FNV-1a hash of the absolute, normalized path, then "-". The same work dir (an agent restarted
// on it) gives the same prefix; two agents on one machine get different ones.
std::string container_prefix(const std::string& work_dir);

// The containerizer's options for these flags (work_dir, switch_user, MESOS_AGENT_ENDPOINT,
// the work dir's container prefix).
ContainerizerOptions containerizer_options(const LiveAgentOptions& options,
                                           const LiveAgentConfig& config);

}  // namespace mesosim::live
