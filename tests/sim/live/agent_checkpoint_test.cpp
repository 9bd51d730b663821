// The live agent's checkpoint: a file per framework and per task, an append-only log per task.

#include "sim/live/agent_checkpoint.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "live_test_util.hpp"
#include "sim/live/control_files.hpp"

namespace mesosim::live {
namespace {

using testing::slurp;
using testing::TempDir;
using v1::TaskState;

LiveFramework framework(const std::string& id) {
  LiveFramework f;
  f.info.id = v1::FrameworkID{id};
  f.info.name = "spark";
  f.info.user = "alice";
  f.info.roles = {"analytics"};
  f.info.capabilities = {v1::FrameworkCapability::PARTITION_AWARE};
  f.info.failover_timeout = 60;
  f.info.checkpoint = true;
  return f;
}

LiveTask& record(LiveFramework& f, const std::string& id) {
  LiveTask& t = f.tasks[v1::TaskID{id}];
  t.framework_id = *f.info.id;
  t.info.name = "task " + id;
  t.info.task_id = v1::TaskID{id};
  t.info.resources = Resources::parse("cpus:0.5;mem:64;ports:[31000-31001]").value();
  t.info.command = v1::CommandInfo{true, "sleep 30", {}, {}};
  t.info.labels = {{"k", "v"}};
  t.role = "analytics";
  t.executor_id = v1::ExecutorID{id};
  return t;
}

// What the agent does on a state change: a status and an update to acknowledge.
void transition(LiveTask& t, TaskState state, int64_t at_us) {
  t.state = state;
  t.statuses.emplace_back(state, Time::from_micros(at_us));
  v1::StatusUpdate u;
  u.framework_id = t.framework_id;
  u.status.task_id = t.info.task_id;
  u.status.state = state;
  u.status.executor_id = t.executor_id;
  u.status.timestamp = Time::from_micros(at_us);
  u.status.uuid = Uuid::from_bytes(std::string(16, static_cast<char>('a' + t.statuses.size())));
  u.status.source = v1::TaskStatusSource::SOURCE_EXECUTOR;
  u.status.message = "now " + std::string(v1::to_string(state));
  if (v1::is_terminal(state)) {
    u.status.reason = v1::TaskStatusReason::REASON_TASK_KILLED_DURING_LAUNCH;
    u.usage = Resources{};
  }
  u.latest_state = state;
  t.unacknowledged.push_back(u);
}

void acknowledge(LiveTask& t) {
  t.unacknowledged.pop_front();
  ++t.acknowledged;
}

void launch(LiveTask& t, const std::string& container) {
  t.container = container;
  t.sandbox = "/sandboxes/" + container;
  transition(t, TaskState::TASK_STARTING, 1'000);
  transition(t, TaskState::TASK_RUNNING, 2'000);
}

void write(const std::string& work_dir, LiveFramework& f, LiveTask& t) {
  ASSERT_TRUE(write_framework_checkpoint(work_dir, f));
  Status written = write_task_checkpoint(work_dir, t);
  ASSERT_TRUE(written) << written.error().message;
}

void expect_same_task(const LiveTask& back, const LiveTask& t) {
  SCOPED_TRACE(t.info.task_id.value);
  EXPECT_EQ(back.framework_id, t.framework_id);
  EXPECT_EQ(back.info.name, t.info.name);
  EXPECT_EQ(back.info.resources, t.info.resources);
  ASSERT_TRUE(back.info.command);
  EXPECT_EQ(back.info.command->value, t.info.command->value);
  EXPECT_EQ(back.info.labels, t.info.labels);
  EXPECT_EQ(back.role, t.role);
  EXPECT_EQ(back.executor_id, t.executor_id);
  EXPECT_EQ(back.state, t.state);
  EXPECT_EQ(back.statuses, t.statuses);
  EXPECT_EQ(back.container, t.container);
  EXPECT_EQ(back.sandbox, t.sandbox);
  EXPECT_EQ(back.killing, t.killing);
  EXPECT_EQ(back.acknowledged, t.acknowledged);
  ASSERT_EQ(back.unacknowledged.size(), t.unacknowledged.size());
  for (size_t i = 0; i < t.unacknowledged.size(); ++i) {
    const v1::StatusUpdate& a = back.unacknowledged[i];
    const v1::StatusUpdate& b = t.unacknowledged[i];
    EXPECT_EQ(a.framework_id, b.framework_id);
    EXPECT_EQ(a.status.task_id, b.status.task_id);
    EXPECT_EQ(a.status.state, b.status.state);
    EXPECT_EQ(a.status.executor_id, b.status.executor_id);
    EXPECT_EQ(a.status.timestamp, b.status.timestamp);
    EXPECT_EQ(a.status.uuid, b.status.uuid);
    EXPECT_EQ(a.status.source, b.status.source);
    EXPECT_EQ(a.status.reason, b.status.reason);
    EXPECT_EQ(a.status.message, b.status.message);
    EXPECT_EQ(a.usage, b.usage);
  }
  // Nothing left to append: what was read is what is on disk.
  EXPECT_EQ(back.checkpointed.statuses, t.statuses.size());
  EXPECT_EQ(back.checkpointed.updates, t.acknowledged + t.unacknowledged.size());
}

AgentCheckpoint read_back(const std::string& work_dir) {
  Result<std::optional<AgentCheckpoint>> saved = read_agent_checkpoint(work_dir);
  EXPECT_TRUE(saved) << saved.error().message;
  EXPECT_TRUE(saved && saved.value());
  return saved && saved.value() ? *saved.value() : AgentCheckpoint{};
}

std::string updates_path(const std::string& work_dir, const LiveTask& t) {
  return task_checkpoint_dir(work_dir, t.framework_id, t.info.task_id) + "/task.updates";
}

void append_raw(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app) << text;
}

TEST(AgentCheckpointTest, NothingWrittenIsNoCheckpoint) {
  TempDir work;
  Result<std::optional<AgentCheckpoint>> saved = read_agent_checkpoint(work.path());
  ASSERT_TRUE(saved);
  EXPECT_FALSE(saved.value());
}

TEST(AgentCheckpointTest, LaunchesUpdatesAcksAndKillsRoundTrip) {
  TempDir work;
  ASSERT_TRUE(write_agent_id_checkpoint(work.path(), v1::AgentID{"a1"}));
  LiveFramework f = framework("fw-1");
  LiveTask& queued = record(f, "queued");
  LiveTask& running = record(f, "running");
  LiveTask& killed = record(f, "killed");
  LiveTask& odd = record(f, "a/../b c");  // any bytes an id may hold
  for (LiveTask* t : {&queued, &running, &killed, &odd}) write(work.path(), f, *t);
  launch(running, "c1");
  write(work.path(), f, running);
  acknowledge(running);  // STARTING
  write(work.path(), f, running);
  launch(killed, "c2");
  write(work.path(), f, killed);
  killed.killing = true;
  transition(killed, TaskState::TASK_KILLING, 3'000);
  write(work.path(), f, killed);
  transition(killed, TaskState::TASK_KILLED, 4'000);
  killed.killing = false;
  acknowledge(killed);
  write(work.path(), f, killed);
  launch(odd, "c3");
  write(work.path(), f, odd);

  AgentCheckpoint back = read_back(work.path());
  EXPECT_EQ(back.agent_id, v1::AgentID{"a1"});
  ASSERT_EQ(back.frameworks.size(), 1u);
  const LiveFramework& fw = back.frameworks[0];
  EXPECT_EQ(fw.info, f.info);
  EXPECT_EQ(fw.checkpointed, f.info);
  ASSERT_EQ(fw.tasks.size(), 4u);
  for (const auto& [id, t] : f.tasks) {
    ASSERT_TRUE(fw.tasks.contains(id)) << id.value;
    expect_same_task(fw.tasks.at(id), t);
  }
  EXPECT_EQ(fw.tasks.at(v1::TaskID{"queued"}).state, TaskState::TASK_STAGING);
  EXPECT_TRUE(fw.tasks.at(v1::TaskID{"queued"}).launch_pending());

  // Terminal and acknowledged: forgotten, its directory gone, the others kept.
  while (!killed.unacknowledged.empty()) acknowledge(killed);
  write(work.path(), f, killed);
  const std::string killed_dir = task_checkpoint_dir(work.path(), *f.info.id, killed.info.task_id);
  ASSERT_TRUE(is_directory(killed_dir));
  ASSERT_TRUE(remove_task_checkpoint(work.path(), *f.info.id, killed.info.task_id));
  EXPECT_FALSE(path_exists(killed_dir));
  EXPECT_EQ(read_back(work.path()).frameworks.at(0).tasks.size(), 3u);

  // A framework removed takes its tasks with it; the agent id stays.
  ASSERT_TRUE(remove_framework_checkpoint(work.path(), *f.info.id));
  EXPECT_FALSE(path_exists(framework_checkpoint_dir(work.path(), *f.info.id)));
  back = read_back(work.path());
  EXPECT_TRUE(back.frameworks.empty());
  EXPECT_EQ(back.agent_id, v1::AgentID{"a1"});
  ASSERT_TRUE(remove_agent_checkpoint(work.path()));
  EXPECT_FALSE(read_agent_checkpoint(work.path()).value());
}

TEST(AgentCheckpointTest, AFrameworkInfoIsRewrittenOnlyWhenItChanges) {
  TempDir work;
  LiveFramework f = framework("fw-1");
  write(work.path(), f, record(f, "t1"));
  const std::string path = framework_checkpoint_dir(work.path(), *f.info.id) + "/framework.json";
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  write(work.path(), f, record(f, "t2"));
  struct stat same {};
  ASSERT_EQ(::stat(path.c_str(), &same), 0);
  EXPECT_EQ(same.st_ino, before.st_ino);  // a rewrite renames a new inode into place

  f.info.name = "spark 2";
  write(work.path(), f, f.tasks.at(v1::TaskID{"t1"}));
  EXPECT_EQ(read_back(work.path()).frameworks.at(0).info.name, "spark 2");
}

// The point of the layout: a change costs what changed, not what the agent holds.
TEST(AgentCheckpointTest, AChangeToOneTaskAppendsOneLineToItsFileOnly) {
  TempDir work;
  ASSERT_TRUE(write_agent_id_checkpoint(work.path(), v1::AgentID{"a1"}));
  LiveFramework f = framework("fw-1");
  constexpr int kTasks = 50;
  for (int i = 0; i < kTasks; ++i) {
    LiveTask& t = record(f, "t" + std::to_string(i));
    launch(t, "c" + std::to_string(i));
    write(work.path(), f, t);
  }
  // Every file under meta/, with its inode and size.
  const auto files = [&] {
    std::map<std::string, std::pair<ino_t, off_t>> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(work.path() + "/meta")) {
      struct stat st {};
      if (e.is_regular_file() && ::stat(e.path().c_str(), &st) == 0) {
        out[e.path().string()] = {st.st_ino, st.st_size};
      }
    }
    return out;
  };
  const auto before = files();
  ASSERT_EQ(before.size(), 2u + 2u * kTasks);  // agent.json, framework.json, 2 per task

  LiveTask& changed = f.tasks.at(v1::TaskID{"t7"});
  acknowledge(changed);
  transition(changed, TaskState::TASK_FINISHED, 5'000);
  write(work.path(), f, changed);

  const auto after = files();
  ASSERT_EQ(after.size(), before.size());
  const std::string changed_log = updates_path(work.path(), changed);
  for (const auto& [path, ino_size] : before) {
    if (path == changed_log) continue;
    EXPECT_EQ(after.at(path), ino_size) << path << " was written";
  }
  const off_t appended = after.at(changed_log).second - before.at(changed_log).second;
  const std::string log = slurp(changed_log);
  const std::string last_line = log.substr(log.rfind('\n', log.size() - 2) + 1);
  EXPECT_EQ(appended, static_cast<off_t>(last_line.size()));  // one line
  EXPECT_LT(appended, 400);
  EXPECT_NE(last_line.find("\"acknowledged\":1"), std::string::npos) << last_line;
  EXPECT_NE(last_line.find("TASK_FINISHED"), std::string::npos) << last_line;

  // Nothing changed: nothing written.
  write(work.path(), f, changed);
  EXPECT_EQ(files(), after);
}

// A write that failed leaves changes unwritten; meanwhile updates may have been sent and
// acknowledged. The next line still brings the disk to what the agent holds.
TEST(AgentCheckpointTest, TheLineAfterAFailedWriteRestatesTheQueue) {
  TempDir work;
  LiveFramework f = framework("fw-1");
  LiveTask& t = record(f, "t1");
  launch(t, "c1");
  write(work.path(), f, t);
  // Not written (as if the writes failed): KILLED sent, everything acknowledged, one more sent.
  transition(t, TaskState::TASK_KILLED, 3'000);
  while (!t.unacknowledged.empty()) acknowledge(t);
  transition(t, TaskState::TASK_KILLED, 4'000);
  write(work.path(), f, t);
  const std::string log = slurp(updates_path(work.path(), t));
  EXPECT_NE(log.find("\"unacknowledged\":["), std::string::npos) << log;
  expect_same_task(read_back(work.path()).frameworks.at(0).tasks.at(t.info.task_id), t);

  // And appends go on from there.
  acknowledge(t);
  write(work.path(), f, t);
  expect_same_task(read_back(work.path()).frameworks.at(0).tasks.at(t.info.task_id), t);
}

// One framework's task, launched and written: where the tests of a damaged updates file start,
// with that file's path and what was written to it.
class AgentCheckpointFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    launch(t, "c1");
    write(work.path(), f, t);
    path = updates_path(work.path(), t);
    written = slurp(path);
  }
  TempDir work;
  LiveFramework f = framework("fw-1");
  LiveTask& t = record(f, "t1");
  std::string path;
  std::string written;
};

TEST_F(AgentCheckpointFileTest, ATornLastLineIsIgnoredAndCutOffSoAppendsGoOn) {
  append_raw(path, R"({"statuses":[["TASK_FINISHED",9000]],"upd)");  // a crash mid-write

  expect_same_task(read_back(work.path()).frameworks.at(0).tasks.at(t.info.task_id), t);
  EXPECT_EQ(slurp(path), written);

  acknowledge(t);
  write(work.path(), f, t);
  expect_same_task(read_back(work.path()).frameworks.at(0).tasks.at(t.info.task_id), t);
}

TEST_F(AgentCheckpointFileTest, ACorruptLineIsAnErrorNamingTheFileAndLine) {
  append_raw(path, "{\"statuses\":[[\"TASK_NOPE\",1]]}\n");
  Result<std::optional<AgentCheckpoint>> bad = read_agent_checkpoint(work.path());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, path + ":2: expected [state, timestamp_us] at 'statuses[0]'");

  ASSERT_TRUE(write_file_atomically(path, "not json\n" + written));
  bad = read_agent_checkpoint(work.path());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, path + ":1: not a JSON object");

  ASSERT_TRUE(write_file_atomically(path, written + "{\"acknowledged\":5}\n"));
  bad = read_agent_checkpoint(work.path());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            path + ":2: 'acknowledged' is 5 but 2 update(s) are unacknowledged");

  ASSERT_TRUE(write_file_atomically(path, written + "{\"kiling\":true}\n"));
  bad = read_agent_checkpoint(work.path());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, path + ":2: unknown key 'kiling'");
}

// An update's uuid is 16 bytes in memory: a checkpoint holding any other length is corrupt, not
// a uuid to cut or pad.
TEST_F(AgentCheckpointFileTest, AnUpdateUuidThatIsNotSixteenBytesIsAnError) {
  auto line_with_uuid = [](const std::string& base64) {
    return R"({"updates":[{"state":"TASK_FINISHED","timestamp_us":9000,"uuid":")" + base64 +
           R"(","source":"SOURCE_EXECUTOR","message":""}]})" + "\n";
  };

  append_raw(path, line_with_uuid("Zm9v"));
  Result<std::optional<AgentCheckpoint>> bad = read_agent_checkpoint(work.path());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            path + ":2: expected a 16-byte UUID at 'updates[0].uuid', found 3 bytes");

  ASSERT_TRUE(write_file_atomically(path, written + line_with_uuid("")));
  bad = read_agent_checkpoint(work.path());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            path + ":2: expected a 16-byte UUID at 'updates[0].uuid', found 0 bytes");
}

TEST(AgentCheckpointTest, ErrorsInInfoFilesNameTheFileAndTheField) {
  TempDir work;
  LiveFramework f = framework("fw-1");
  write(work.path(), f, record(f, "t1"));
  const std::string dir = framework_checkpoint_dir(work.path(), *f.info.id);
  ASSERT_TRUE(write_file_atomically(dir + "/framework.json", R"({"id":3})"));
  Result<std::optional<AgentCheckpoint>> bad = read_agent_checkpoint(work.path());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, dir + "/framework.json: expected a string at 'id'");

  ASSERT_TRUE(write_framework_checkpoint(work.path(), f = framework("fw-1")));
  const std::string task = dir + "/tasks/t1/task.json";
  ASSERT_TRUE(write_file_atomically(
      task, R"({"task_id":"t1","name":"t","role":"r","executor_id":"t1","resources":"cpus:x",
               "command":null,"labels":[]})"));
  bad = read_agent_checkpoint(work.path());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind(task + ": 'resources': ", 0), 0u) << bad.error().message;
}

TEST(AgentCheckpointTest, DirectoriesACrashLeftWithoutTheirInfoAreIgnored) {
  TempDir work;
  LiveFramework f = framework("fw-1");
  write(work.path(), f, record(f, "t1"));
  ASSERT_TRUE(make_directories(task_checkpoint_dir(work.path(), *f.info.id, v1::TaskID{"t2"})));
  ASSERT_TRUE(make_directories(framework_checkpoint_dir(work.path(), v1::FrameworkID{"fw-2"})));
  AgentCheckpoint back = read_back(work.path());
  ASSERT_EQ(back.frameworks.size(), 1u);
  EXPECT_EQ(back.frameworks[0].tasks.size(), 1u);
  EXPECT_FALSE(back.agent_id);
}

TEST(AgentCheckpointTest, TheUnreleasedOneFileFormatAsksToRemoveTheWorkDir) {
  TempDir work;
  ASSERT_TRUE(make_directories(work.path() + "/meta"));
  ASSERT_TRUE(write_file_atomically(agent_checkpoint_path(work.path()),
                                    R"({"agent_id":"a1","frameworks":[]})"));
  Result<std::optional<AgentCheckpoint>> bad = read_agent_checkpoint(work.path());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("remove the work dir"), std::string::npos)
      << bad.error().message;
  EXPECT_EQ(bad.error().message.rfind(agent_checkpoint_path(work.path()), 0), 0u);
}

}  // namespace
}  // namespace mesosim::live
