// The columns of the Python module are the storage part's PodColumn (storage/pod_column.h): the
// column reader fills them and the module hands their memory to numpy.
#pragma once

#include "storage/pod_column.h"

namespace ibstream::python {

using storage::PodColumn;
using storage::PodColumnFree;
using storage::PodColumnMemory;

}  // namespace ibstream::python
