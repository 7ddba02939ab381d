// Stream crash test: SIGKILLs stream_crash_worker at random moments, restarting it on the same
// stream directory until it drains the source, in rounds on fresh directories until `kills`
// kills happened. Each round starts with a worker that kills itself between a batch's output
// and its commit record. After each round the outputs must equal an uninterrupted run's:
// every batch-<b> present once with the same content (the final state included), nothing
// beyond the last batch, offsets and commits logs without a gap ending at n-1 (purged below what
// a restart needs: how far depends on where the kills fell; stream_logs_test checks the bound).
//   stream_crash_driver <worker> <work dir> [kills=120] [seed=1]
#include "stream_crash_content.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "stream_crash_driver: FAIL: %s\n", what.c_str());
  std::exit(1);
}

pid_t start_worker(const char* worker, const fs::path& stream, const fs::path& out, const std::string& die_at) {
  const pid_t pid = ::fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    if (die_at.empty()) {
      ::execl(worker, worker, stream.c_str(), out.c_str(), static_cast<char*>(nullptr));
    } else {
      ::execl(worker, worker, stream.c_str(), out.c_str(), die_at.c_str(), static_cast<char*>(nullptr));
    }
    std::perror("exec stream_crash_worker");
    ::_exit(127);
  }
  return pid;
}

// Waits for the worker; returns its exit code, or -signal if a signal ended it.
int wait_worker(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) fail("waitpid");
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WEXITSTATUS(status);
}

// Runs the worker until it exits by itself (or is killed after `delay`); returns as wait_worker.
int run_worker(const char* worker, const fs::path& stream, const fs::path& out, std::optional<clock_type::duration> kill_after,
               const std::string& die_at = {}) {
  const pid_t pid = start_worker(worker, stream, out, die_at);
  if (kill_after) {
    const auto deadline = clock_type::now() + *kill_after;
    while (clock_type::now() < deadline) {
      int status = 0;
      const pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    ::kill(pid, SIGKILL);
  }
  return wait_worker(pid);
}

std::vector<stream_crash::entry> output_of(const fs::path& out, std::uint64_t b) {
  const auto c = lineage::recover<stream_crash::entry>(lineage::batch_output_path(out, b));
  std::vector<stream_crash::entry> all;
  for (const auto& part : c.partition_data()) all.insert(all.end(), part.begin(), part.end());
  return all;
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

void check_round(const fs::path& stream, const fs::path& out, const std::vector<std::vector<stream_crash::entry>>& expected) {
  std::set<std::string> batches;
  for (std::uint64_t b = 0; b < expected.size(); ++b) {
    batches.insert("batch-" + std::to_string(b));
    if (output_of(out, b) != expected[b]) fail("batch " + std::to_string(b) + "'s output differs from the uninterrupted run's");
  }
  if (names_in(out) != batches) fail("the output folder holds other entries than batch-0.." + std::to_string(expected.size() - 1));
  for (const char* name : {"offsets", "commits"}) {
    std::vector<std::uint64_t> numbers;
    std::string listed;
    for (const auto& n : names_in(stream / name)) {
      numbers.push_back(std::stoull(n));
      listed += ' ' + n;
    }
    std::sort(numbers.begin(), numbers.end());
    const bool gapless_tail = !numbers.empty() && numbers.back() + 1 == expected.size() &&
                              numbers.back() - numbers.front() + 1 == numbers.size();
    if (!gapless_tail) fail(std::string("the ") + name + " log is not a gapless run ending at batch n-1:" + listed);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <worker> <work dir> [kills=120] [seed=1]\n", argv[0]);
    return 2;
  }
  const char* worker = argv[1];
  const fs::path work = argv[2];
  const int kills_wanted = argc > 3 ? std::atoi(argv[3]) : 120;
  std::mt19937 gen(argc > 4 ? static_cast<std::uint32_t>(std::atoi(argv[4])) : 1u);
  fs::remove_all(work);
  fs::create_directories(work);

  // The uninterrupted run.
  const auto started = clock_type::now();
  if (const int rc = run_worker(worker, work / "ref-stream", work / "ref-out", std::nullopt); rc != 0) {
    fail("the uninterrupted run exited with " + std::to_string(rc));
  }
  const auto duration = clock_type::now() - started;
  std::vector<std::vector<stream_crash::entry>> expected;
  for (std::uint64_t b = 0; b < stream_crash::batch_count; ++b) expected.push_back(output_of(work / "ref-out", b));

  int kills = 0, rounds = 0, self_kills = 0;
  // Kills within the first third of a whole run: a restart resumes and has less to do, so
  // longer delays would mostly let it drain.
  std::uniform_int_distribution<long long> delay(
      0, std::chrono::duration_cast<std::chrono::microseconds>(duration).count() / 3 + 500);
  std::uniform_int_distribution<std::uint64_t> batch(0, stream_crash::batch_count - 1);
  while (kills < kills_wanted) {
    const fs::path stream = work / ("stream-" + std::to_string(rounds));
    const fs::path out = work / ("out-" + std::to_string(rounds));
    ++rounds;
    // Killed between the output of a batch and its commit record.
    if (const int rc = run_worker(worker, stream, out, std::nullopt, std::to_string(batch(gen))); rc == -SIGKILL) {
      ++kills;
      ++self_kills;
    } else if (rc != 0) {
      fail("a worker exited with " + std::to_string(rc));
    }
    for (int attempt = 0;; ++attempt) {
      if (attempt > 10'000) fail("the stream never drained");
      const int rc = run_worker(worker, stream, out, std::chrono::microseconds(delay(gen)));
      if (rc == 0) break;
      if (rc != -SIGKILL) fail("a restarted worker exited with " + std::to_string(rc) + " (see its message above)");
      ++kills;
    }
    check_round(stream, out, expected);
    fs::remove_all(stream);
    fs::remove_all(out);
  }
  std::printf("stream_crash_driver: %d kills (%d between output and commit) in %d rounds: outputs, state and logs equal "
              "the uninterrupted run's\n",
              kills, self_kills, rounds);
  return 0;
}
