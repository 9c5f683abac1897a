// Completeness of recorded market depth against the simulator's ground truth (part of
// `ibstream verify --truth`, verify/completeness.h).
//
// Depth is not a stream of market events but a book kept by operations: each reqMktDepth
// subscription has its own book (rows and smart depth are per request), the simulator writes every
// update it sent to a subscription (truth Depth records naming client and request id) and the
// subscription's "MktDepth" start and end records, and the recorder stores every update it
// receives after a reset record that marks the (re)subscription (storage/order_book.h). So depth
// is judged by SEQUENCE, per subscription:
//
//   - The store's depth records of a contract are split at its reset records into intervals, and
//     each interval is paired with the truth subscription of that contract whose updates it
//     reproduces the longest prefix of (ties: the subscription that started nearest the reset).
//     The recorder's client ids are those of the paired subscriptions; every subscription of those
//     clients is owed (when nothing pairs, every subscription of the contract is: a recorder that
//     stored nothing is 0%).
//   - Owed: every update a subscription was sent before the stop's whole second (`expected`).
//     `matched`: the updates its interval stored in the order they were sent (the common prefix:
//     a TCP stream loses no update in the middle). Stored records past that prefix are `extra`.
//   - An update not stored that was sent to a subscription the simulator later dropped (the
//     connection reset or closed, not a cancel) was lost with the connection: IB keeps no depth
//     history, so such a gap cannot be filled; it is counted in `missing` and in `lost` (the
//     recorder records the stretch as a failed gap, reason no_history_for_depth). Any other update
//     not stored is missing silently.
//   - The book: for each interval that stored all its subscription sent, the book rebuilt from the
//     store at the interval's last record (storage::ReadBookAt, as `query --book` does) must equal
//     the book the simulator's updates build (`books_checked`, `books_differ`).
//
// A depth stream passes when (matched + lost) reaches the threshold of expected, nothing is extra
// and no book differs.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "storage/query.h"
#include "verify/completeness.h"
#include "verify/truth_reader.h"

namespace ibstream::verify {

// One reqMktDepth subscription as the truth tells it.
struct TruthDepthSubscription {
  int32_t client_id = 0;
  int32_t req_id = 0;
  int32_t con_id = 0;
  std::string symbol;
  TimePoint start;
  bool ended = false;
  bool dropped = false;       // ended other than by the client's cancel
  std::vector<Tick> updates;  // in the order sent
};

// Collects the depth subscriptions and their updates from truth records. Feed it every
// subscription and tick record in file order; records of other kinds are ignored.
class TruthDepthCollector {
 public:
  void OnSubscription(const TruthSubscription& sub);
  void OnTick(const TruthTick& tick);
  std::vector<TruthDepthSubscription>& subscriptions() { return subs_; }

 private:
  std::vector<TruthDepthSubscription> subs_;
};

// Whether two depth records carry the same change (operation, side, position, price, size by
// value, market maker).
bool SameDepthUpdate(const Tick& a, const Tick& b);

// Judges the depth of every contract `subs` names (only those in `wanted` when it is not empty)
// against the store at `root`; one StreamCompleteness per contract (by_sequence set), by contract
// id. `stop` is the truth's end. Damaged store data is added to `skipped`.
Result<std::vector<StreamCompleteness>> JudgeDepth(fs::FileSystem* fs, const std::string& root,
                                                   std::vector<TruthDepthSubscription> subs,
                                                   const std::set<StreamKey>& wanted,
                                                   TimePoint stop,
                                                   std::vector<storage::SkippedData>* skipped);

}  // namespace ibstream::verify
