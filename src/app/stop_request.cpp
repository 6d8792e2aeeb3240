#include "app/stop_request.hpp"

#include <csignal>

#include "util/error.hpp"

namespace l2o {
namespace {

volatile std::sig_atomic_t received_signal = 0;

extern "C" void record_stop_request(int signal) {
  received_signal = signal;
}

}  // namespace

void install_stop_request_handlers() {
  struct sigaction action {};
  action.sa_handler = record_stop_request;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // system calls in progress (file writes) just continue
  for (const int signal : {SIGTERM, SIGUSR1})
    if (sigaction(signal, &action, nullptr) != 0)
      throw SystemError("sigaction: cannot install the stop-request handler");
}

int stop_request_signal() {
  return received_signal;
}

}  // namespace l2o
