// The HTTP API's view of a running recorder (http::RecorderApiSource over recorder::Recorder).
#pragma once

#include <memory>

#include "http/recorder_api_source.h"
#include "recorder/recorder.h"

namespace ibstream::cli {

// The source over `recorder`, which must outlive the source (and every handler holding it).
std::shared_ptr<http::RecorderApiSource> RecorderApiSourceFor(recorder::Recorder& recorder);

}  // namespace ibstream::cli
