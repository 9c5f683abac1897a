// What the request encoders and decoders share (requests.cc, requests_bars.cc,
// requests_account.cc): the server-version check and the contract blocks of the wire protocol
// (docs/PROTOCOL.md: C12 without includeExpired, C13 with it). Not for use outside protocol/.
#pragma once

#include <vector>

#include "protocol/constants.h"
#include "protocol/contract.h"
#include "protocol/field_codec.h"

namespace ibstream::protocol::internal {

// Encoders are only called with a supported server version (an invariant, checked).
void CheckRequestServerVersion(int server_version);

// The message id of a request as written in its first field.
inline int Id(OutgoingId id) { return static_cast<int>(id); }

void WriteContract12(const Contract& c, MessageWriter& w);
void WriteContract13(const Contract& c, MessageWriter& w);
void ReadContract12(FieldReader& r, Contract& c);
void ReadContract13(FieldReader& r, Contract& c);

// The combo legs of a BAG contract (REQ_MKT_DATA, REQ_HISTORICAL_DATA): a count, then each leg's
// conId, ratio, action and exchange. The reader refuses a count above what the rest of the
// message could hold (FieldReader::Count).
void WriteComboLegs(const std::vector<ComboLeg>& legs, MessageWriter& w);
void ReadComboLegs(FieldReader& r, std::vector<ComboLeg>& legs);

}  // namespace ibstream::protocol::internal
