#include "sim/live/isolation_detection.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "sim/live/control_files.hpp"

namespace mesosim::live {
namespace {

constexpr std::array<const char*, 3> kV2Controllers = {"cpu", "memory", "pids"};
constexpr std::array<const char*, 4> kV1Controllers = {"cpu", "cpuacct", "memory", "pids"};

bool writable(const std::string& path) { return ::access(path.c_str(), W_OK) == 0; }

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text + " ") {
    if (c == ' ' || c == '\n' || c == '\t') {
      if (!word.empty()) out.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Why a v2 hierarchy at `mount` is not usable, or nullopt if it is.
std::optional<std::string> v2_problem(const std::string& mount) {
  Result<std::string> controllers = read_file(mount + "/cgroup.controllers");
  if (!controllers) return "there is no cgroup v2 hierarchy at " + mount;
  std::vector<std::string> have = words(controllers.value());
  std::vector<std::string> missing;
  for (const char* c : kV2Controllers) {
    if (std::find(have.begin(), have.end(), c) == have.end()) missing.push_back(c);
  }
  if (!missing.empty()) {
    return "the cgroup v2 hierarchy at " + mount + " lacks the controllers " + join(missing);
  }
  if (!writable(mount)) return "the cgroup v2 hierarchy at " + mount + " is not writable";
  return std::nullopt;
}

std::optional<std::string> v1_problem(const std::string& mount_root) {
  std::vector<std::string> absent, read_only;
  for (const char* c : kV1Controllers) {
    std::string dir = mount_root + "/" + c;
    if (!path_exists(dir + "/cgroup.procs") || path_exists(dir + "/cgroup.controllers")) {
      absent.push_back(c);
    } else if (!writable(dir)) {
      read_only.push_back(c);
    }
  }
  if (!absent.empty()) {
    return "no cgroup v1 hierarchy for " + join(absent) + " under " + mount_root;
  }
  if (!read_only.empty()) {
    return "the cgroup v1 hierarchies " + join(read_only) + " under " + mount_root +
           " are not writable";
  }
  return std::nullopt;
}

}  // namespace

IsolationDetection detect_isolation(const std::string& mount_root) {
  std::vector<std::string> reasons;
  for (const std::string& mount : {mount_root, mount_root + "/unified"}) {
    std::optional<std::string> problem = v2_problem(mount);
    if (!problem) {
      return {IsolationKind::kCgroupsV2, mount,
              "cgroups v2 at " + mount + ": the unified hierarchy offers cpu, memory and pids."};
    }
    // A pure v1 system has no v2 hierarchy at either place; say so once.
    if (problem->rfind("there is no", 0) != 0 || mount != mount_root) reasons.push_back(*problem);
  }
  std::optional<std::string> v1 = v1_problem(mount_root);
  if (!v1) {
    std::string why = reasons.empty() ? "" : " (" + join(reasons) + ")";
    return {IsolationKind::kCgroupsV1, mount_root,
            "cgroups v1 under " + mount_root + ": cpu, cpuacct, memory and pids are mounted " +
                "and writable" + why + "."};
  }
  reasons.push_back(*v1);
  return {IsolationKind::kPosix, "",
          "posix isolation, no cgroups: tasks run unconfined, with no cpu or memory limits and no "
          "OOM detection (" +
              join(reasons) + ")."};
}

Result<IsolationDetection> choose_isolation(std::string_view requested,
                                            const std::string& mount_root) {
  if (requested == "auto") return detect_isolation(mount_root);
  if (requested == "posix") {
    return IsolationDetection{IsolationKind::kPosix, "",
                              "posix isolation, as asked: no cgroups, no limits, no OOM "
                              "detection."};
  }
  if (requested == "cgroups/v2") {
    for (const std::string& mount : {mount_root, mount_root + "/unified"}) {
      if (!v2_problem(mount)) {
        return IsolationDetection{IsolationKind::kCgroupsV2, mount,
                                  "cgroups v2 at " + mount + ", as asked."};
      }
    }
    return Error{"isolation cgroups/v2 is not available: " + *v2_problem(mount_root + "/unified") +
                 ", and " + *v2_problem(mount_root)};
  }
  if (requested == "cgroups/v1") {
    if (std::optional<std::string> problem = v1_problem(mount_root)) {
      return Error{"isolation cgroups/v1 is not available: " + *problem};
    }
    return IsolationDetection{IsolationKind::kCgroupsV1, mount_root,
                              "cgroups v1 under " + mount_root + ", as asked."};
  }
  return Error{"isolation: expected auto, cgroups/v2, cgroups/v1 or posix, found '" +
               std::string(requested) + "'"};
}

std::unique_ptr<Isolator> make_isolator(const IsolationDetection& detection,
                                        const std::string& root) {
  switch (detection.kind) {
    case IsolationKind::kCgroupsV2:
      return make_cgroups_v2_isolator(CgroupsV2Layout{detection.hierarchy, root});
    case IsolationKind::kCgroupsV1:
      return make_cgroups_v1_isolator(CgroupsV1Layout{detection.hierarchy, root});
    case IsolationKind::kPosix:
      break;
  }
  return make_posix_isolator();
}

}  // namespace mesosim::live
