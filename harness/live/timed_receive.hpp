// A receive that also says how long the bytes waited in the kernel before the program read
// them. The kernel stamps each arriving segment (SO_TIMESTAMPNS, on the system's real-time
// clock); the stamp of the last segment read comes back with recvmsg(). The load generator uses
// it to tell its own delay in reading an answer apart from the system's in giving it.
#pragma once
#include <cstddef>

#include <boost/asio/error.hpp>

#include "sim/time.hpp"

namespace faultline::live {

// Asks the kernel to stamp the segments arriving on socket `fd` (best effort: without stamps,
// receive_now() reports no wait).
void enable_receive_timestamps(int fd);

// Receives what is there now on socket `fd` into [data, data + size) without blocking. Returns
// the bytes read; `waited_ns` is how long the last of them had been in the kernel (0 when
// unknown). "Would block" is left in `ec` as asio::error::would_block, an orderly close as
// asio::error::eof.
std::size_t receive_now(int fd, char* data, std::size_t size, sim::TimeNs& waited_ns, boost::system::error_code& ec);

}  // namespace faultline::live
