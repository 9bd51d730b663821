#include "workloads/job.hpp"

namespace mesosim {

SharedResources::SharedResources(Resources value) {
  if (!value.empty()) value_ = std::make_shared<const Resources>(std::move(value));
}

const Resources& SharedResources::empty_value() {
  static const Resources kEmpty;
  return kEmpty;
}

std::string_view to_string(TaskOutcome outcome) {
  switch (outcome) {
    case TaskOutcome::kFinished: return "finished";
    case TaskOutcome::kFailed: return "failed";
    case TaskOutcome::kKilled: return "killed";
    case TaskOutcome::kLost: return "lost";
  }
  return "?";
}

std::optional<TaskOutcome> parse_task_outcome(std::string_view text) {
  for (TaskOutcome o : {TaskOutcome::kFinished, TaskOutcome::kFailed, TaskOutcome::kKilled,
                        TaskOutcome::kLost}) {
    if (text == to_string(o)) return o;
  }
  return std::nullopt;
}

}  // namespace mesosim
