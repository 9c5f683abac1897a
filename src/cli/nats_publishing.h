// The daemon's NATS publishing ([nats], docs/CLUSTER.md): the cursor hold the store needs before
// it opens, the publisher started over the recorder's store, alerts forwarded as events, and the
// publisher's state in /metrics and /v1/status.
#pragma once

#include <atomic>
#include <memory>
#include <span>
#include <string>

#include "cluster/publisher.h"
#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "http/prometheus.h"
#include "model/alert.h"
#include "recorder/recorder.h"

namespace ibstream::cli {

// Reads the publisher's cursor (before the store opens, so that recovery keeps the journals it
// has not published); a damaged cursor file is an error naming it.
Result<std::shared_ptr<std::atomic<int64_t>>> LoadJournalHold(const config::Config& config);

// Starts the publisher over the started recorder's store. `hold` is LoadJournalHold's.
Result<std::unique_ptr<cluster::Publisher>> StartNatsPublisher(
    const config::Config& config, const Clock& clock, const recorder::Recorder& recorder,
    std::shared_ptr<std::atomic<int64_t>> hold);

// One event per alert of the group (firing or resolved).
void PublishAlerts(cluster::Publisher& publisher, std::span<const Alert> group);

// ibstream_nats_* families.
void WriteNatsMetrics(const cluster::PublisherStats& stats, http::PrometheusWriter& w);
// {"nats":{...}} for /v1/status.
std::string NatsStatusJson(const cluster::PublisherStats& stats);

}  // namespace ibstream::cli
