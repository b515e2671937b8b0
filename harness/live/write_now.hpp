// A write that skips the event loop when it can: the kernel's socket buffer usually takes a
// request or a chunk at once, so it is written right away (a non-blocking send) instead of
// through an asynchronous operation whose completion goes round the event loop before the
// coroutine resumes. The caller writes what is left, if anything, asynchronously.
#pragma once
#include <cstddef>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace faultline::live {

// Sends what the kernel takes now from `data` on a socket in non-blocking mode; returns how
// many bytes. "Would block" is no error (nothing was taken); other errors are left in `ec`.
inline std::size_t write_now(boost::asio::ip::tcp::socket& socket, std::string_view data, boost::system::error_code& ec) {
  const std::size_t sent = socket.write_some(boost::asio::buffer(data.data(), data.size()), ec);
  if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
    ec = {};
    return 0;
  }
  return ec ? 0 : sent;
}

}  // namespace faultline::live
