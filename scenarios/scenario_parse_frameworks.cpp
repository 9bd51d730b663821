// The frameworks of a scenario file: model, common options, the model's own parameters and the
// workload that feeds it.

#include <set>

#include <fmt/format.h>

#include "allocator/role_name.hpp"
#include "scenarios/scenario_parse.hpp"
#include "workloads/generators.hpp"
#include "workloads/trace_open.hpp"

namespace mesosim::scenario_yaml {
namespace {

constexpr std::string_view kCommonKeys[] = {
    "name",    "count",      "model",           "role",
    "user",    "checkpoint", "partition_aware", "failover_timeout",
    "t_job",   "t_task",     "refuse_seconds",  "requeue_lost",
    "workload"};
constexpr std::string_view kHadoopKeys[] = {"node_locality_wait", "rack_locality_wait",
                                            "rack_local_slowdown", "remote_slowdown"};
constexpr std::string_view kSparkKeys[] = {"executor_resources",  "executor_cores",
                                           "executors_per_app",   "locality_wait",
                                           "cache_miss_slowdown", "executor_idle_timeout"};
constexpr std::string_view kStormKeys[] = {"max_workers_per_agent"};
constexpr std::string_view kServiceKeys[] = {"max_instances_per_agent", "backoff", "backoff_factor",
                                             "max_launch_delay", "backoff_reset_after"};
constexpr std::string_view kGangKeys[] = {"hold_timeout", "release_refuse_seconds"};
constexpr std::string_view kBatchKeys[] = {"max_tasks_per_offer", "max_attempts"};
constexpr std::string_view kWorkloadKeys[] = {
    "trace",     "skip_bad_rows", "reference_machine", "window", "default_mem_mb",
    "generator", "params",        "time_scale",        "start",  "limit"};

std::span<const std::string_view> model_keys(std::string_view model) {
  if (model == "hadoop") return kHadoopKeys;
  if (model == "spark") return kSparkKeys;
  if (model == "storm") return kStormKeys;
  if (model == "service") return kServiceKeys;
  if (model == "gang") return kGangKeys;
  if (model == "batch") return kBatchKeys;
  return {};
}

// Reads the keys of the chosen model into its options.
class ModelParams {
 public:
  ModelParams(const YAML::Node& node, const std::string& path, const Reader& r)
      : node_(node), path_(path), r_(r) {}
  void duration(const char* key, Duration& out) const {
    if (node_[key]) out = r_.duration(node_[key], join(path_, key));
  }
  void number(const char* key, double min, double& out) const {
    if (node_[key]) out = r_.number(node_[key], join(path_, key), min, 1e12);
  }
  template <typename T>
  void integer(const char* key, int64_t min, int64_t max, T& out) const {
    if (node_[key]) out = static_cast<T>(r_.integer(node_[key], join(path_, key), min, max));
  }
  void resources(const char* key, Resources& out) const {
    if (node_[key]) out = Resources::parse(r_.resources(node_[key], join(path_, key))).value();
  }

 private:
  const YAML::Node& node_;
  const std::string& path_;
  const Reader& r_;
};

void parse_model_params(const YAML::Node& node, const std::string& path, const Reader& r,
                        FrameworkSpec& f) {
  const ModelParams p(node, path, r);
  if (f.model == "hadoop") {
    p.duration("node_locality_wait", f.hadoop.node_locality_wait);
    p.duration("rack_locality_wait", f.hadoop.rack_locality_wait);
    p.number("rack_local_slowdown", 1, f.hadoop.rack_local_slowdown);
    p.number("remote_slowdown", 1, f.hadoop.remote_slowdown);
  } else if (f.model == "spark") {
    p.resources("executor_resources", f.spark.executor_resources);
    p.integer("executor_cores", 1, 1024, f.spark.executor_cores);
    p.integer("executors_per_app", 1, 100'000, f.spark.executors_per_app);
    p.duration("locality_wait", f.spark.locality_wait);
    p.number("cache_miss_slowdown", 1, f.spark.cache_miss_slowdown);
    p.duration("executor_idle_timeout", f.spark.executor_idle_timeout);
  } else if (f.model == "storm") {
    p.integer("max_workers_per_agent", 0, 1'000'000, f.storm.max_workers_per_agent);
  } else if (f.model == "service") {
    p.integer("max_instances_per_agent", 0, 1'000'000, f.service.max_instances_per_agent);
    p.duration("backoff", f.service.backoff);
    p.number("backoff_factor", 1, f.service.backoff_factor);
    p.duration("max_launch_delay", f.service.max_launch_delay);
    p.duration("backoff_reset_after", f.service.backoff_reset_after);
  } else if (f.model == "batch") {
    p.integer("max_tasks_per_offer", 0, 1'000'000, f.batch_max_tasks_per_offer);
    p.integer("max_attempts", 0, 1'000'000'000, f.batch_max_attempts);
  } else if (f.model == "gang") {
    p.duration("hold_timeout", f.gang.hold_timeout);
    p.number("release_refuse_seconds", 0, f.gang.release_refuse_seconds);
  }
}

// Generator parameters as make_generator() takes them: durations with a unit become seconds.
std::map<std::string, std::string> generator_params(const YAML::Node& node, const std::string& path,
                                                    const Reader& r) {
  std::map<std::string, std::string> params = r.text_map(node, path);
  for (auto& [key, value] : params) {
    const bool has_unit = !value.empty() &&
                          std::isalpha(static_cast<unsigned char>(value.back())) &&
                          std::isdigit(static_cast<unsigned char>(value.front()));
    if (!has_unit) continue;
    if (auto d = parse_duration(value)) value = fmt::format("{:.6f}", d->seconds_f());
  }
  return params;
}

void check_trace_format(const YAML::Node& node, const std::string& path, const std::string& file,
                        const Reader& r, bool machines) {
  auto format = detect_trace_format(file);
  if (!format.ok()) r.fail(node, path, fmt::format("{}: {}", path, format.error().message));
  const bool is_machines = format.value() == TraceFormat::kGoogleMachineEvents;
  if (is_machines != machines) {
    r.fail(node, path,
           fmt::format("{}: '{}' is {}, expected {}", path, file, to_string(format.value()),
                       machines ? "Google machine_events"
                                : "a job trace (native, SWF or Google task_events)"));
  }
}

WorkloadSpec parse_workload(const YAML::Node& node, const std::string& path,
                            const ParseContext& ctx, size_t index) {
  const Reader& r = ctx.reader;
  r.check_keys(node, path, kWorkloadKeys);
  WorkloadSpec w;
  const bool has_trace = static_cast<bool>(node["trace"]);
  if (has_trace == static_cast<bool>(node["generator"])) {
    r.fail(node, path, fmt::format("{}: expected exactly one of 'trace' and 'generator'", path));
  }
  if (has_trace) {
    const std::string tpath = join(path, "trace");
    for (const auto& f : r.text_list(node["trace"], tpath)) {
      w.trace.push_back(resolve_file(node["trace"], tpath, f, ctx));
      check_trace_format(node["trace"], tpath, w.trace.back(), r, false);
    }
    if (w.trace.empty()) r.fail(node["trace"], tpath, fmt::format("{}: expected a file", tpath));
  } else {
    const auto kinds = generator_kinds();
    w.generator = r.choice(node["generator"], join(path, "generator"), kinds, "generator");
    if (node["params"]) w.params = generator_params(node["params"], join(path, "params"), r);
    // Builds (lazily: no job is made) to check the parameters now.
    if (auto g = make_generator(w.generator, index + 1, w.params); !g.ok()) {
      const std::string& msg = g.error().message;
      // Point at the parameter the generator names, if it names one.
      YAML::Node at = node["params"] ? node["params"] : node["generator"];
      std::string at_path = join(path, "params");
      for (const auto& [key, value] : w.params) {
        if (msg.find(fmt::format("parameter {}:", key)) != std::string::npos ||
            msg.find(fmt::format("parameter '{}'", key)) != std::string::npos) {
          at.reset(node["params"][key]);  // (assignment would overwrite the node `at` names)
          at_path = join(at_path, key);
          break;
        }
      }
      r.fail(at, at_path, fmt::format("{}: {}", join(path, "params"), msg));
    }
  }
  if (node["skip_bad_rows"])
    w.skip_bad_rows = r.boolean(node["skip_bad_rows"], join(path, "skip_bad_rows"));
  if (node["reference_machine"]) {
    w.reference_machine = r.resources(node["reference_machine"], join(path, "reference_machine"));
  }
  if (node["window"]) w.google_window = r.duration(node["window"], join(path, "window"));
  if (node["default_mem_mb"]) {
    w.swf_default_mem_mb =
        r.integer(node["default_mem_mb"], join(path, "default_mem_mb"), 1, 1 << 30);
  }
  if (node["time_scale"])
    w.time_scale = r.number(node["time_scale"], join(path, "time_scale"), 1e-6, 1e6);
  if (node["start"]) w.start = r.duration(node["start"], join(path, "start"));
  if (node["limit"]) w.limit = r.integer(node["limit"], join(path, "limit"), 0, int64_t{1} << 40);
  return w;
}

FrameworkSpec parse_framework(const YAML::Node& node, const std::string& path,
                              const ParseContext& ctx, size_t index) {
  const Reader& r = ctx.reader;
  r.require_map(node, path);
  FrameworkSpec f;
  if (!node["model"]) r.fail(node, path, fmt::format("{}: missing key 'model'", path));
  const auto models = framework_models();
  f.model = r.choice(node["model"], join(path, "model"), models, "model");
  std::vector<std::string_view> known(std::begin(kCommonKeys), std::end(kCommonKeys));
  for (auto k : model_keys(f.model)) known.push_back(k);
  r.check_keys(node, path, known);
  if (!node["name"]) r.fail(node, path, fmt::format("{}: missing key 'name'", path));
  f.name = r.text(node["name"], join(path, "name"));
  if (f.name.empty())
    r.fail(node["name"], join(path, "name"), fmt::format("{}.name: expected a name", path));
  if (node["role"]) {
    f.role = r.text(node["role"], join(path, "role"));
    if (Status s = validate_role(f.role); !s.ok()) {
      r.fail(node["role"], join(path, "role"), fmt::format("{}.role: {}", path, s.error().message));
    }
  }
  if (node["user"]) f.user = r.text(node["user"], join(path, "user"));
  if (node["checkpoint"]) f.checkpoint = r.boolean(node["checkpoint"], join(path, "checkpoint"));
  if (node["partition_aware"])
    f.partition_aware = r.boolean(node["partition_aware"], join(path, "partition_aware"));
  if (node["failover_timeout"])
    f.failover_timeout = r.duration(node["failover_timeout"], join(path, "failover_timeout"));
  if (node["t_job"]) f.t_job = r.duration(node["t_job"], join(path, "t_job"));
  if (node["t_task"]) f.t_task = r.duration(node["t_task"], join(path, "t_task"));
  if (node["refuse_seconds"])
    f.refuse_seconds =
        r.number(node["refuse_seconds"], join(path, "refuse_seconds"), 0, 365 * 86400.0);
  if (node["requeue_lost"])
    f.requeue_lost = r.boolean(node["requeue_lost"], join(path, "requeue_lost"));
  parse_model_params(node, path, r, f);
  if (!node["workload"]) r.fail(node, path, fmt::format("{}: missing key 'workload'", path));
  f.workload = parse_workload(node["workload"], join(path, "workload"), ctx, index);
  return f;
}

}  // namespace

std::vector<FrameworkSpec> parse_frameworks(const YAML::Node& node, const ParseContext& ctx) {
  const Reader& r = ctx.reader;
  r.require_sequence(node, "frameworks");
  if (node.size() == 0) r.fail(node, "frameworks", "frameworks: expected at least one framework");
  std::vector<FrameworkSpec> out;
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string path = fmt::format("frameworks.{}", i);
    FrameworkSpec f = parse_framework(node[i], path, ctx, i);
    // `count: N` stands for N copies named NAME-0 .. NAME-(N-1) (each draws its own workload).
    const int64_t count =
        node[i]["count"] ? r.integer(node[i]["count"], join(path, "count"), 1, 100'000) : 1;
    for (int64_t k = 0; k < count; ++k) {
      out.push_back(f);
      if (node[i]["count"]) out.back().name = fmt::format("{}-{}", f.name, k);
      if (!names.insert(out.back().name).second) {
        r.fail(node[i]["name"], join(path, "name"),
               fmt::format("{}.name: duplicate framework name '{}'", path, out.back().name));
      }
    }
  }
  return out;
}

}  // namespace mesosim::scenario_yaml
