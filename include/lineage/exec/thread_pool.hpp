// SPDX-License-Identifier: Apache-2.0
#pragma once
// The std::jthread pool that runs "n independent tasks" jobs, and the one pool ln::par uses.
//
// The calling thread takes part in its own job, so a task may itself submit a job (nested
// parallelism) without deadlock: a caller never waits for work that nobody is doing. The same
// holds when a job may use fewer threads than the pool has (run's `limit`): the caller alone
// can finish any job.
//
// ln::par and ln::par(n) share ONE pool per process, shared_thread_pool(). Its size is capped
// at max_par_threads() = 4 × std::thread::hardware_concurrency(), at least 8, the calling
// thread included: at most that many minus one pool threads are ever started, and only when a
// job first needs them. ln::par(n) runs at most min(n, cap) of a job's tasks at once (the
// caller included) and still splits its sources into partitions by n, so its results do not
// depend on the cap. Four per hardware thread leaves room for user functions that block (I/O)
// without letting ln::par(100000) start 100,000 threads; the floor of 8 keeps a small
// ln::par(n) running n tasks at once on small machines too.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <stop_token>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace lineage {

class thread_pool {
 public:
  // A pool whose jobs run on at most `threads` threads at once, their caller included
  // (threads - 1 pool threads, started when a job first needs them).
  explicit thread_pool(std::size_t threads) : size_(std::max<std::size_t>(threads, 1)) {}
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;
  ~thread_pool() {
    for (auto& w : workers_) w.request_stop();
    {
      std::lock_guard lock(mutex_);
    }
    wake_.notify_all();
  }

  // The most threads that run one job: the pool threads and the caller.
  std::size_t size() const noexcept { return size_; }
  // The pool threads started so far (at most size() - 1).
  std::size_t started() const noexcept { return started_.load(std::memory_order_relaxed); }

  // Runs task(0) ... task(n-1), on the pool and the calling thread, at most `limit` of them at
  // once (and at most size()); returns when all are done. The first exception thrown by a task
  // is rethrown here (the other tasks still finish).
  void run(std::size_t n, const std::function<void(std::size_t)>& task,
           std::size_t limit = std::numeric_limits<std::size_t>::max()) {
    const std::size_t width = std::min({n, limit, size_});
    if (width <= 1) {
      for (std::size_t i = 0; i < n; ++i) task(i);
      return;
    }
    auto j = std::make_shared<job>(n, width, task);
    {
      std::lock_guard lock(mutex_);
      start_workers(width - 1);
      queue_.push_back(j);
    }
    // Wake as many idle pool threads as may join, not all of them: a woken thread that finds
    // an older joinable job helps that one instead, which needed it as much.
    for (std::size_t i = 1; i < width; ++i) wake_.notify_one();
    while (j->run_one()) {
    }
    {
      // Every task is claimed: no thread may join any more.
      std::lock_guard lock(mutex_);
      if (const auto at = std::find(queue_.begin(), queue_.end(), j); at != queue_.end()) queue_.erase(at);
    }
    j->wait();
    // Take the exception out of the job: a worker may drop the last reference to the job
    // after we return, and the exception object must not be released on that thread while
    // the caller still handles it (TSan cannot see libstdc++'s refcount and reports a race).
    if (std::exception_ptr error = std::exchange(j->error, nullptr)) std::rethrow_exception(std::move(error));
  }

 private:
  struct job {
    job(std::size_t count, std::size_t most, const std::function<void(std::size_t)>& fn)
        : n(count), width(most), task(fn) {}
    const std::size_t n;
    const std::size_t width;  // the most threads that take part, the caller included
    const std::function<void(std::size_t)>& task;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> finished{0};
    std::size_t joined = 1;  // threads that took part, the caller included (under the pool's mutex)
    std::mutex error_mutex;
    std::exception_ptr error;

    bool exhausted() const { return next.load(std::memory_order_relaxed) >= n; }
    // Claims and runs one task; false when none was left to claim.
    bool run_one() {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= n) return false;
      try {
        task(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
      if (finished.fetch_add(1, std::memory_order_acq_rel) + 1 == n) finished.notify_all();
      return true;
    }
    void wait() {
      for (std::size_t done = finished.load(std::memory_order_acquire); done != n;
           done = finished.load(std::memory_order_acquire)) {
        finished.wait(done, std::memory_order_acquire);
      }
    }
  };

  // Under mutex_: starts pool threads until there are `wanted` (at most size_ - 1). A thread
  // that cannot be started is not an error: the job runs on the threads there are.
  void start_workers(std::size_t wanted) {
    wanted = std::min(wanted, size_ - 1);
    try {
      while (workers_.size() < wanted) {
        workers_.emplace_back([this](std::stop_token stop) { work(stop); });
        started_.store(workers_.size(), std::memory_order_relaxed);
      }
    } catch (const std::system_error&) {
    }
  }

  // Under mutex_: the first queued job this thread may join (joined), dropping finished ones.
  // Joining is counted once and never undone: a thread leaves a job only when every task of
  // it is claimed, so no thread could join after it anyway.
  std::shared_ptr<job> join_one() {
    for (auto at = queue_.begin(); at != queue_.end();) {
      if ((*at)->exhausted()) {
        at = queue_.erase(at);
      } else if ((*at)->joined < (*at)->width) {
        ++(*at)->joined;
        return *at;
      } else {
        ++at;
      }
    }
    return nullptr;
  }

  void work(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
      std::shared_ptr<job> j;
      // A job's joinability only changes under mutex_ (a push, a join) or by its tasks all
      // being claimed, which makes it unjoinable: no wake-up can be missed.
      if (!wake_.wait(lock, stop, [&] { return (j = join_one()) != nullptr; })) return;
      lock.unlock();
      while (j->run_one()) {
      }
      j.reset();
      lock.lock();
    }
  }

  std::size_t size_;
  std::atomic<std::size_t> started_{0};
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<std::shared_ptr<job>> queue_;
  std::vector<std::jthread> workers_;  // last member: joined before the rest is destroyed
};

// The most threads ln::par runs at once, the calling thread included: 4 per hardware thread,
// at least 8 (see the comment at the top of this file).
inline std::size_t max_par_threads() noexcept {
  static const std::size_t cap = [] {
    const std::size_t hardware = std::max(std::thread::hardware_concurrency(), 1u);
    return std::max<std::size_t>(4 * hardware, 8);
  }();
  return cap;
}

// The pool every ln::par action runs on: one per process, max_par_threads() in size, created
// on first use and kept for the life of the program.
inline thread_pool& shared_thread_pool() {
  static thread_pool pool(max_par_threads());
  return pool;
}

}  // namespace lineage
