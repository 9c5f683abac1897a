// The recorder's depth tests' judgement of stored market depth against the simulator's truth.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>

#include "fs/file_system.h"
#include "verify/completeness.h"

namespace ibstream::recorder::testing {

// The stored depth of `contract_id` judged by sequence: every update the simulator sent is stored
// in order (only those sent after the recorder stopped may be lost with its connection), the
// rebuilt books match, and nothing is stored that the simulator did not send. `report`, when
// given, receives the whole report for further checks.
inline void ExpectDepthMatchesTheTruth(fs::FileSystem* fs, const std::string& data_dir,
                                       const std::string& truth_path, int64_t contract_id,
                                       verify::CompletenessReport* report = nullptr) {
  verify::CompletenessOptions options;
  options.truth_path = truth_path;
  options.streams = {{contract_id, TickType::kDepth}};
  auto checked = verify::CheckCompleteness(fs, data_dir, options);
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  ASSERT_EQ(checked->streams.size(), 1u);
  const verify::StreamCompleteness& depth = checked->streams[0];
  EXPECT_TRUE(depth.by_sequence);
  EXPECT_EQ(depth.matched + depth.lost, depth.expected)
      << depth.missing << " missing, " << depth.lost << " of them lost";
  EXPECT_EQ(depth.extra, 0u);
  EXPECT_EQ(depth.books_differ, 0u);
  if (report != nullptr) *report = std::move(checked).value();
}

}  // namespace ibstream::recorder::testing
