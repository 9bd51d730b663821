// live_http_bench's agents (live_http_bench.hpp): `mesosim agent` processes, and the stand-ins
// of --agent_mode protocol.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "bench/live_http_bench.hpp"
#include "sim/live/http_server.hpp"
#include "sim/live/http_transport.hpp"

namespace mesosim::live_bench {

using namespace mesosim::live;

void AgentProcesses::stop() {
  for (pid_t pid : pids) ::kill(pid, SIGTERM);
  for (pid_t pid : pids) ::waitpid(pid, nullptr, 0);
  pids.clear();
}

std::pair<double, double> AgentProcesses::cpu_seconds() const {
  double own = 0, tasks = 0;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  for (pid_t pid : pids) {
    std::ifstream in(fmt::format("/proc/{}/stat", pid));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t paren = text.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(text.substr(paren + 2));
    std::vector<std::string> f;
    for (std::string x; fields >> x;) f.push_back(x);
    if (f.size() < 15) continue;  // state is f[0]; utime f[11], stime f[12], cutime, cstime
    own += (std::stod(f[11]) + std::stod(f[12])) / tick;
    tasks += (std::stod(f[13]) + std::stod(f[14])) / tick;
  }
  return {own, tasks};
}

// The agent's side of the protocol and nothing else: register, pong, and for each
// RunTaskMessage a TASK_RUNNING then a TASK_FINISHED update.
class ProtocolAgent final : public Process {
 public:
  ProtocolAgent(boost::asio::io_context& io, uint16_t master_port, int index,
                const Resources& resources)
      : transport(io, HttpTransportOptions{"127.0.0.1", 0, Duration::seconds(10), 1000000}),
        index(index) {
    self = transport.add_process("agent", *this);
    server = HttpServer::start(io, {}, [this](const HttpRequest& r) -> HttpReply {
               if (transport.handles(r)) return transport.receive(r);
               return HttpResponse::text(404, "no such endpoint\n");
             }).value();
    transport.set_port(server->port());
    master = transport.peer({"master", "127.0.0.1", master_port});
    transport.link(self, master);
    transport.send(
        self, master,
        v1::RegisterAgentMessage{{fmt::format("bench-agent-{}", index), {}, resources, {}}});
  }
  void receive(Endpoint from, Message&& message) override {
    if (std::holds_alternative<v1::PingAgentMessage>(message)) {
      transport.send(self, from, v1::PongAgentMessage{});
    } else if (auto* registered = std::get_if<v1::AgentRegisteredMessage>(&message)) {
      id = registered->agent_id;
    } else if (auto* run = std::get_if<v1::RunTaskMessage>(&message)) {
      for (auto state : {v1::TaskState::TASK_RUNNING, v1::TaskState::TASK_FINISHED}) {
        v1::TaskStatus st;
        st.task_id = run->task.task_id;
        st.state = state;
        st.agent_id = id;
        st.executor_id = v1::ExecutorID{run->task.task_id.value};
        st.source = v1::TaskStatusSource::SOURCE_EXECUTOR;
        Uuid uuid;
        const uint64_t n = ++updates;
        std::memcpy(uuid.bytes.data(), &n, sizeof n);
        std::memcpy(uuid.bytes.data() + 8, &index, sizeof index);
        st.uuid = uuid;
        transport.send(self, master,
                       v1::StatusUpdateMessage{{*run->framework.id, st, state, std::nullopt}});
      }
    }
  }

  HttpTransport transport;
  int index;
  std::unique_ptr<HttpServer> server;
  Endpoint self, master;
  v1::AgentID id;
  uint64_t updates = 0;
};

std::shared_ptr<ProtocolAgent> start_protocol_agent(boost::asio::io_context& io,
                                                    uint16_t master_port, int index,
                                                    const Resources& resources) {
  return std::make_shared<ProtocolAgent>(io, master_port, index, resources);
}

std::optional<pid_t> spawn_agent(const BenchOptions& o, uint16_t master_port, int i,
                                 const std::string& dir) {
  std::vector<std::string> args{
      o.mesosim,
      "agent",
      "--master",
      fmt::format("127.0.0.1:{}", master_port),
      "--port",
      "0",
      "--work_dir",
      fmt::format("{}/agent{}", dir, i),
      "--resources",
      o.agent_resources,
      "--isolation",
      "posix",
      "--switch_user",
      "false",
      "--hostname",
      fmt::format("bench-agent-{}", i),
      "--logging_level",
      o.log_level == "warning" ? "WARNING" : o.log_level == "info" ? "INFO" : "ERROR"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawn(&pid, o.mesosim.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    return std::nullopt;
  }
  return pid;
}

}  // namespace mesosim::live_bench
