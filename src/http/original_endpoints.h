// The original's remaining informational and stream-management endpoints: /v2/info, /v3/info,
// /stream/info (what the API offers), /storage/status, /v3/storage/stats and
// /v3/storage/files/{id} (the store), /stream/active and DELETE /stream/all | /stream/{id} (the
// SSE clients). docs/ORIGINAL-API.md says how each differs from the original. Internal to
// src/http.
#pragma once

#include <memory>

#include "http/api_state.h"
#include "http/http_types.h"
#include "http/live_streams.h"
#include "http/router.h"

namespace ibstream::http {

// Registers the endpoints of this file, of v2_buffer_endpoints.h and of
// contract_service_endpoints.h on `router`, and the live-stream paths the original's client
// ib-studies asks for (/v2/stream/{id}/{tick_type}, /v2/stream/{id}?tick_types=...,
// /stream/{id}/{tick_type}) as aliases of /v2/stream/{id}/live[/{tick_type}]. The handlers share
// `state` and `streams`; DELETE routes require the bearer token. Register it after the
// /v2/stream/{id}/live and /buffer routes: the first matching route answers.
void RegisterOriginalEndpoints(Router& router, const std::shared_ptr<ApiState>& state,
                               const std::shared_ptr<LiveStreams>& streams);

// GET /v2/info: the v2 streaming protocol, its paths, parameters and limits.
Response V2Info(ApiState& api, const Request& request);
// GET /v3/info: the v3 record format and the v3 endpoints.
Response V3Info(ApiState& api, const Request& request);
// GET /stream/info: the streaming endpoints' usage, tick types, parameters and limits.
Response StreamInfo(ApiState& api, const Request& request);
// GET /v3/storage/stats: the store's path, positions, space and tick counters. 503 when storage
// is not open.
Response StorageStats(ApiState& api, const Request& request);
// GET /storage/status: {enabled, timestamp, info (as /v3/storage/stats), metrics, config};
// {enabled: false, message} while storage is not open (HTTP 200, as the original).
Response StorageStatus(ApiState& api, const Request& request);
// GET /v3/storage/files/{id}?format=json|protobuf&tick_type=...: the original's file listing.
// The store is not a tree of v3 files, so the list is empty and `message` says where the
// contract's data is read instead; the id, format and tick type are checked as the original did.
Response StorageFiles(ApiState& api, const Request& request);

// GET /stream/active: one entry per stream id of every SSE client connected now.
Response ActiveStreams(ApiState& api, LiveStreams& streams, const Request& request);
// DELETE /stream/all and DELETE /stream/{id} (bearer token): ends the SSE clients' streams (of
// the contract) with a `complete` event, reason "manual_stop". Recording is not affected (that
// is DELETE /v1/contracts/{id}). 404 when no stream of the contract is active.
Response StopAllStreams(ApiState& api, LiveStreams& streams, const Request& request);
Response StopContractStreams(ApiState& api, LiveStreams& streams, const Request& request);

}  // namespace ibstream::http
