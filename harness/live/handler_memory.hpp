// Memory for the load generator's own completion handlers, recycled instead of allocated per
// request. Asio 1.74 keeps one spare block per thread for all handlers of a kind, which many
// requests in flight at once defeat (each then costs a malloc and a free); this keeps a free list
// per size class, on the event loop's thread, so that once the generator has had as many
// operations in flight as it will have, a timer wait or a socket read allocates nothing.
#pragma once
#include <array>
#include <cstddef>
#include <new>
#include <utility>
#include <vector>

namespace faultline::live {

class HandlerArena {
 public:
  HandlerArena() = default;
  HandlerArena(const HandlerArena&) = delete;
  HandlerArena& operator=(const HandlerArena&) = delete;
  ~HandlerArena() {
    for (auto& list : free_) {
      for (void* block : list) ::operator delete(block);
    }
  }

  // The arena of the calling thread (the event loop's).
  static HandlerArena& local() {
    thread_local HandlerArena arena;
    return arena;
  }

  void* allocate(std::size_t size) {
    const std::size_t kind = size_class(size);
    if (kind == kClasses) return ::operator new(size);
    std::vector<void*>& list = free_[kind];
    if (list.empty()) return ::operator new(class_size(kind));
    void* block = list.back();
    list.pop_back();
    return block;
  }

  void deallocate(void* block, std::size_t size) {
    const std::size_t kind = size_class(size);
    if (kind == kClasses) {
      ::operator delete(block);
      return;
    }
    free_[kind].push_back(block);
  }

 private:
  static constexpr std::size_t kClasses = 4;  // 128, 256, 512, 1024 bytes
  static constexpr std::size_t class_size(std::size_t kind) { return std::size_t{128} << kind; }
  static std::size_t size_class(std::size_t size) {
    for (std::size_t kind = 0; kind < kClasses; ++kind) {
      if (size <= class_size(kind)) return kind;
    }
    return kClasses;
  }
  std::array<std::vector<void*>, kClasses> free_;
};

template <typename T>
struct RecyclingAllocator {
  using value_type = T;
  RecyclingAllocator() noexcept = default;
  template <typename U>
  RecyclingAllocator(const RecyclingAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(HandlerArena::local().allocate(n * sizeof(T))); }
  void deallocate(T* block, std::size_t n) noexcept { HandlerArena::local().deallocate(block, n * sizeof(T)); }
  template <typename U>
  bool operator==(const RecyclingAllocator<U>&) const noexcept { return true; }
  template <typename U>
  bool operator!=(const RecyclingAllocator<U>&) const noexcept { return false; }
};

// A completion handler whose operation's memory comes from the arena (Asio asks a handler's
// associated allocator, found through allocator_type and get_allocator()).
template <typename Function>
struct Recycled {
  Function function;
  using allocator_type = RecyclingAllocator<void>;
  allocator_type get_allocator() const noexcept { return {}; }
  template <typename... Args>
  void operator()(Args&&... args) {
    function(std::forward<Args>(args)...);
  }
};

template <typename Function>
Recycled<Function> recycled(Function function) {
  return Recycled<Function>{std::move(function)};
}

}  // namespace faultline::live
