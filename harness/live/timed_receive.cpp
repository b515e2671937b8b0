// Receives with the kernel's arrival stamps (see harness/live/timed_receive.hpp).
#include "harness/live/timed_receive.hpp"

#include <cerrno>
#include <ctime>

#include <sys/socket.h>

namespace faultline::live {

void enable_receive_timestamps(int fd) {
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

std::size_t receive_now(int fd, char* data, std::size_t size, sim::TimeNs& waited_ns, boost::system::error_code& ec) {
  ec = {};
  waited_ns = 0;
  iovec vector{data, size};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr message{};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const ssize_t n = ::recvmsg(fd, &message, MSG_DONTWAIT);
  if (n < 0) {
    ec = errno == EAGAIN || errno == EWOULDBLOCK
             ? boost::system::error_code(boost::asio::error::would_block)
             : boost::system::error_code(errno, boost::asio::error::get_system_category());
    return 0;
  }
  if (n == 0) {
    ec = boost::asio::error::eof;
    return 0;
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec arrived{};
    __builtin_memcpy(&arrived, CMSG_DATA(c), sizeof arrived);
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    const sim::TimeNs waited = (static_cast<sim::TimeNs>(now.tv_sec) - arrived.tv_sec) * 1'000'000'000 +
                               (static_cast<sim::TimeNs>(now.tv_nsec) - arrived.tv_nsec);
    // A step of the real-time clock between the stamp and now would show as a negative wait.
    waited_ns = waited > 0 ? waited : 0;
  }
  return static_cast<std::size_t>(n);
}

}  // namespace faultline::live
