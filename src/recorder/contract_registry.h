// The tracked contracts: the configured list with the run-time changes on top
// (runtime_contracts.h), their resolution through the gateway (the front month of futures, rolls),
// their calendars and the contract-details cache on disk. Loop thread only (see recorder.h); not
// thread-safe.
//
// It owns every ContractState. The stream session subscribes their streams and stops them when a
// contract, a tick type or a rolled month goes; the backfill runner closes their queued
// backfills.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "recorder/contract_state.h"
#include "recorder/loop_context.h"
#include "recorder/recorder.h"
#include "recorder/runtime_contracts.h"

namespace ibstream::recorder {

class BackfillRunner;
class StreamSession;

class ContractRegistry {
 public:
  // `ctx`, `session` and `backfill` must outlive the registry (all are owned by Recorder::Impl;
  // the references may be bound before those parts are constructed, and are used only later).
  ContractRegistry(LoopContext& ctx, StreamSession& session, BackfillRunner& backfill);

  ContractRegistry(const ContractRegistry&) = delete;
  ContractRegistry& operator=(const ContractRegistry&) = delete;

  // Start (before the loop runs; storage open): creates the contracts directory, reads the
  // run-time contract list (a damaged one is set aside) and adds every effective contract.
  // IoError: the directory cannot be created.
  Status Open();

  // Applies each contract's cached details (hours, front month) until the gateway answers.
  void LoadAllCachedDetails(TimePoint now);

  // Each evaluation: hands every resolved contract's market state to the reliability core, and
  // asks the gateway again for the details of those that are due (when connected).
  void UpdateMarketsAndResolve(TimePoint now, bool connected);

  // Asks the gateway for a contract's details now (connected only).
  void Resolve(ContractState& c, TimePoint now);

  // Run-time changes (see Recorder::Track/Untrack/ReloadContracts for their errors). The run-time
  // list is saved before anything changes.
  Result<ContractChange> Track(const config::ContractConfig& contract, const std::string& text,
                               TimePoint now);
  Result<ContractChange> Untrack(const std::string& id, TimePoint now);
  Result<ReloadSummary> Reload(std::vector<config::ContractConfig> configured, TimePoint now);

  // Drops the previous month's streams after a roll: cancelled, and no longer judged.
  void DropRetiring(ContractState& c);

  // Lookups; null when there is none. A contract id of 0 (unresolved) matches nothing. FindStream
  // also finds the streams of a month being rolled away from.
  ContractState* Find(int64_t contract_id);
  StreamState* FindStream(const StreamKey& key);

  // In the order they were added. Owned one by one: pointers stay valid until removal.
  const std::vector<std::unique_ptr<ContractState>>& contracts() const { return contracts_; }

 private:
  void LoadRuntimeChanges();
  ContractState& AddContract(EffectiveContract e);
  void RemoveContract(ContractState& c, std::string_view why, TimePoint now);
  void UpdateContract(ContractState& c, config::ContractConfig updated, TimePoint now);
  ContractState* FindSlot(uint64_t slot);
  void LoadCachedDetails(ContractState& c, TimePoint now);
  void OnResolved(uint64_t slot, Result<std::vector<protocol::ContractDetails>> result);
  void ApplyDetails(ContractState& c, const protocol::ContractDetails& details, TimePoint now,
                    bool from_cache);
  void ApplyCalendarAndStreams(ContractState& c, TimePoint now);
  void FindLastStored(StreamState& s, TimePoint now);

  LoopContext& ctx_;
  StreamSession& session_;
  BackfillRunner& backfill_;
  std::vector<std::unique_ptr<ContractState>> contracts_;
  uint64_t next_slot_ = 1;
  RuntimeContracts runtime_;  // run-time tracks and untracks
  std::string meta_dir_;
};

}  // namespace ibstream::recorder
