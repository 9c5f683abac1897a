// The tracked contracts: the configured list with the run-time changes on top
// (runtime_contracts.h), their resolution through the gateway (the front month of futures, rolls),
// their calendars and the contract-details cache on disk. Loop thread only (see recorder.h); not
// thread-safe, except SaveRuntimeList and FinishCacheWrites. Its files go through the recorder's
// file system (LoopContext::fs); the details cache is written on a thread of its own.
//
// It owns every ContractState. The stream session subscribes their streams and stops them when a
// contract, a tick type or a rolled month goes; the backfill runner closes their queued
// backfills.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/serial_worker.h"
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

  // Run-time changes (see Recorder::Track/Untrack/ReloadContracts for their errors), in three
  // steps so that the run-time list is written before anything changes and never on the loop
  // thread: Prepare* (loop thread) checks the change and returns the run-time list it leads to;
  // SaveRuntimeList (the caller's thread) writes that list; Commit* (loop thread) applies it. The
  // caller takes one change at a time through all three steps (nothing else changes the list or
  // the tracked contracts in between); after a failed save it simply does not commit.
  struct RuntimeChange {
    RuntimeContracts list;  // the run-time list after the change
    bool save = true;       // false: the list is unchanged, there is nothing to write
    std::string key;        // Track, Untrack: the contract's key
  };
  Result<RuntimeChange> PrepareTrack(const config::ContractConfig& contract,
                                     const std::string& text, TimePoint now) const;
  ContractChange CommitTrack(const config::ContractConfig& contract, RuntimeChange change,
                             TimePoint now);
  Result<RuntimeChange> PrepareUntrack(const std::string& id, TimePoint now) const;
  // NotFound only if the contract went away since PrepareUntrack (the caller's order prevents it).
  Result<ContractChange> CommitUntrack(RuntimeChange change, TimePoint now);
  RuntimeChange PrepareReload(const std::vector<config::ContractConfig>& configured) const;
  ReloadSummary CommitReload(std::vector<config::ContractConfig> configured, RuntimeChange change,
                             TimePoint now);
  // Writes `list` as the run-time contract list (runtime_contracts.h: IoError or
  // ResourceExhausted when it cannot; the old list stays). Any thread, after Open(): it uses
  // only the file system and the contracts directory.
  Status SaveRuntimeList(const RuntimeContracts& list) const;

  // Completes the contract-details cache writes already queued (they run on a thread of the
  // registry's own, off the loop) and refuses new ones. After the loop has stopped.
  void FinishCacheWrites() { cache_writer_.Stop(); }

  // A stream of `c` (resolved) of this kind, created and handed to the reliability core if there
  // is none yet. The contract's first streams check storage for a live tick within the backfill
  // lookback (the recorder restarted: they start interrupted, so that what it missed becomes a
  // gap); later ones (a route switch) start fresh.
  StreamState& AddStream(ContractState& c, TickType type, TimePoint now);
  // Stops a stream of `c` (its request cancelled, no longer judged: no staleness, no gap) and
  // forgets it. Nothing when there is none.
  void RemoveStream(ContractState& c, TickType type);

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
  void LogMarketState(ContractState& c, const calendar::MarketState& state);
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
  std::string meta_dir_;      // set by Open(), then read-only (read by SaveRuntimeList)
  // The contract-details cache writes, in order. One per resolution: far fewer than the bound,
  // which only guards against a disk that stopped answering.
  SerialWorker cache_writer_{"contract details cache", 1024};
};

}  // namespace ibstream::recorder
