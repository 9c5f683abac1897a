#include "cli/gateway_lookup.h"

#include <chrono>
#include <future>
#include <memory>
#include <mutex>

#include "client/client.h"
#include "client/event_loop.h"
#include "common/clock.h"

namespace ibstream::cli {

DetailsResult LookupContractDetails(const GatewayTarget& gateway, const protocol::Contract& query) {
  if (gateway.port <= 0 || gateway.port > 65535)
    return InvalidArgument("--port must be in 1..65535");
  client::ClientOptions client_options;
  client_options.host = gateway.host;
  client_options.ports = {static_cast<uint16_t>(gateway.port)};
  client_options.client_id = gateway.client_id;
  client_options.connect_timeout =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(gateway.timeout_seconds));
  client_options.probe_interval = Duration::zero();

  auto promise = std::make_shared<std::promise<DetailsResult>>();
  auto once = std::make_shared<std::once_flag>();
  auto finish = [promise, once](DetailsResult r) {
    std::call_once(*once, [&] { promise->set_value(std::move(r)); });
  };
  std::future<DetailsResult> future = promise->get_future();

  client::EventLoop loop;
  client::ClientCallbacks callbacks;
  callbacks.on_disconnected = [finish](const client::DisconnectEvent& e) {
    finish(Unavailable("connection lost: " + e.detail.message()));
  };
  client::Client ib(loop, SystemClock::Instance(), client_options, std::move(callbacks));
  loop.RunInBackground();
  ib.Connect([&ib, finish, query](const client::ConnectResult& r) {
    if (!r.status.ok()) {
      finish(r.status);
      return;
    }
    ib.RequestContractDetails(query, finish);
  });

  // The request itself has no deadline in TWS; give it the connect timeout again.
  const auto deadline = std::chrono::duration<double>(2 * gateway.timeout_seconds);
  DetailsResult result = future.wait_for(deadline) == std::future_status::ready
                             ? future.get()
                             : DetailsResult(Timeout("no answer from the gateway in time"));
  loop.Stop();
  loop.Join();
  return result;
}

}  // namespace ibstream::cli
