// [nats]: defaults (off), a full section, the variables, and the rule across keys.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/loader_testing.h"

namespace ibstream::config::nats_settings_test {
namespace {

using namespace std::chrono_literals;

TEST(NatsSettingsTest, OffByDefault) {
  LoadResult result = LoadText("");
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.config.nats, NatsConfig{});
  EXPECT_FALSE(result.config.nats.enabled);
  EXPECT_EQ(result.config.nats.url, "nats://127.0.0.1:4222");
  EXPECT_EQ(result.config.nats.duplicate_window, 2min);
}

TEST(NatsSettingsTest, LoadsEveryKey) {
  LoadResult result = LoadText(
      "[nats]\n"
      "enabled = true\n"
      "url = \"tls://nats.example.com:4222\"\n"
      "stream = \"MD_1\"\n"
      "subject_prefix = \"md.ib-stream\"\n"
      "recorder_id = \"gw-paper_2\"\n"
      "credentials_file = \"/etc/ibstream/nats.creds\"\n"
      "duplicate_window = \"10m\"\n");
  ASSERT_TRUE(result.ok()) << Errors(result);
  const NatsConfig& n = result.config.nats;
  EXPECT_TRUE(n.enabled);
  EXPECT_EQ(n.url, "tls://nats.example.com:4222");
  EXPECT_EQ(n.stream, "MD_1");
  EXPECT_EQ(n.subject_prefix, "md.ib-stream");
  EXPECT_EQ(n.recorder_id, "gw-paper_2");
  EXPECT_EQ(n.credentials_file, "/etc/ibstream/nats.creds");
  EXPECT_EQ(n.duplicate_window, 10min);
}

TEST(NatsSettingsTest, VariablesOverrideTheFile) {
  LoadResult result =
      LoadText("[nats]\nrecorder_id = \"a\"\n", {{"IBSTREAM_NATS_ENABLED", "on"},
                                                 {"IBSTREAM_NATS_RECORDER_ID", "b"},
                                                 {"IBSTREAM_NATS_SUBJECT_PREFIX", "x.y"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_TRUE(result.config.nats.enabled);
  EXPECT_EQ(result.config.nats.recorder_id, "b");
  EXPECT_EQ(result.config.nats.subject_prefix, "x.y");
}

TEST(NatsSettingsTest, EnabledNeedsARecorderIdAndAUrl) {
  LoadResult result = LoadText("[nats]\nenabled = true\nurl = \"\"\n");
  ASSERT_FALSE(result.ok());
  std::vector<std::string> messages;
  for (const ConfigError& error : result.errors) messages.push_back(error.ToString());
  EXPECT_EQ(messages,
            (std::vector<std::string>{
                "ibstream.toml:2: nats.recorder_id = \"\": required when nats.enabled is true; "
                "allowed: one token of letters, digits, '_' and '-', unique per recorder",
                "ibstream.toml:2: nats.url = \"\": required when nats.enabled is true; allowed: "
                "a URL starting with nats:// or tls://"}));
  // Disabled, neither is needed.
  EXPECT_TRUE(LoadText("[nats]\nenabled = false\nurl = \"\"\n").ok());
}

TEST(NatsSettingsTest, SubjectTokensRefuseWildcardsAndEmptyParts) {
  for (const char* prefix : {"\"\"", "\"a..b\"", "\".a\"", "\"a.\"", "\"a.*\"", "\"a b\""}) {
    LoadResult result = LoadText(std::string("[nats]\nsubject_prefix = ") + prefix + "\n");
    EXPECT_NE(FindError(result, "nats.subject_prefix"), nullptr) << prefix;
  }
  LoadResult long_id = LoadText("[nats]\nrecorder_id = \"" + std::string(65, 'r') + "\"\n");
  EXPECT_NE(FindError(long_id, "nats.recorder_id"), nullptr);
}

}  // namespace
}  // namespace ibstream::config::nats_settings_test
