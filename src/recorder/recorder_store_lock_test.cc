// One writer per store: a second recorder on a store in use is refused before recovery touches
// it, naming the holder; the lock goes with Stop(), and the offline backfill is refused the same
// way (the CLI's backfill test).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "recorder/recorder_sim_fixture.h"
#include "storage/store_lock.h"

namespace ibstream::recorder::recorder_store_lock_test {
namespace {

class RecorderStoreLockTest : public testing::RecorderSimTest {};

TEST_F(RecorderStoreLockTest, ASecondRecorderOnTheSameStoreIsRefused) {
  StartAll("2025-08-12T10:00:00-05:00", 60);
  RecorderOptions options;
  options.config = SimTestConfig(simulator_->port(), data_dir());
  testing::CapturingSink other_sink;
  Recorder second(options, *clock_, fs_, other_sink);
  const Status started = second.Start();
  ASSERT_EQ(started.code(), StatusCode::kFailedPrecondition) << started.ToString();
  EXPECT_NE(started.message().find("in use"), std::string::npos) << started.ToString();
  EXPECT_NE(started.message().find("pid " + std::to_string(::getpid())), std::string::npos)
      << started.ToString();
  // The running recorder's lock holds; once it stops, the store is free.
  EXPECT_FALSE(storage::StoreLock::Acquire(data_dir()).ok());
  StopRecorder();
  auto lock = storage::StoreLock::Acquire(data_dir());
  EXPECT_TRUE(lock.ok()) << lock.status().ToString();
}

}  // namespace
}  // namespace ibstream::recorder::recorder_store_lock_test
