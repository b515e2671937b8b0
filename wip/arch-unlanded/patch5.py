import re
def sub(p, a, b, count=1):
    s=open(p).read()
    assert a in s, (p,a[:60])
    s=s.replace(a,b,count); open(p,'w').write(s)
# counters
sub('sim/runtime.hpp','''  std::uint64_t crash_count = 0;
  std::uint64_t served = 0;            // requests finished (any outcome)''','''  std::uint64_t crash_count = 0;
  std::uint64_t served = 0;            // requests finished (any outcome)
  // Conservation bookkeeping (sim/invariant_checker.hpp): requests that arrived, were answered
  // (any reply, resets included), or were lost without a reply (hung on arrival, host gone).
  std::uint64_t arrivals = 0;
  std::uint64_t answered = 0;
  std::uint64_t lost = 0;''')
sub('sim/runtime.hpp','''  std::uint32_t outstanding = 0;
  std::uint32_t schedule_index = 0;''','''  std::uint32_t outstanding = 0;
  std::uint64_t started = 0;         // requests started (conservation: finished + outstanding)
  std::uint32_t schedule_index = 0;''')
sub('sim/server.cpp','''  w.arrived_ns = now_;
  count_service_arrival(instance.service);''','''  w.arrived_ns = now_;
  ++instance.arrivals;
  count_service_arrival(instance.service);''')
sub('sim/server.cpp','''      // Accepted and never answered: the caller's timeout is its only way out.
      free_work(work);''','''      // Accepted and never answered: the caller's timeout is its only way out.
      ++instance.lost;
      free_work(work);''')
sub('sim/server.cpp','''    if (!reset_connections) {
      free_work(w);''','''    if (!reset_connections) {
      ++instance.lost;
      free_work(w);''')
sub('sim/server.cpp','''  WorkRecord& w = works_[work];
  w.state = WorkState::replying;''','''  WorkRecord& w = works_[work];
  w.state = WorkState::replying;
  ++instances_[w.instance].answered;''')
sub('sim/server.cpp','''  assert(instance.busy > 0);''','''  FAULTLINE_ASSERT(instance.busy > 0);''')
sub('sim/server.cpp','''  InstanceRuntime& instance = instances_[w.instance];
  ++instance.busy;''','''  InstanceRuntime& instance = instances_[w.instance];
  FAULTLINE_ASSERT(instance.busy < instance.workers);
  ++instance.busy;''')
sub('sim/server.cpp','#include <cassert>\n\n#include "sim/engine.hpp"','#include "sim/check.hpp"\n#include "sim/engine.hpp"')
sub('sim/workload.cpp','''  ++runtime.outstanding;''','''  ++runtime.outstanding;
  ++runtime.started;''')
sub('sim/calls.cpp','''      --clients_[record.parent].outstanding;''','''      FAULTLINE_ASSERT(clients_[record.parent].outstanding > 0);
      --clients_[record.parent].outstanding;''')
sub('sim/calls.cpp','''      --clients_[site.caller_client].outstanding;''','''      FAULTLINE_ASSERT(clients_[site.caller_client].outstanding > 0);
      --clients_[site.caller_client].outstanding;''')
s=open('sim/calls.cpp').read()
if '#include "sim/check.hpp"' not in s:
    s=s.replace('#include "sim/engine.hpp"','#include "sim/check.hpp"\n#include "sim/engine.hpp"',1); open('sim/calls.cpp','w').write(s)
# engine
sub('sim/engine.cpp','''  assert(event.time >= now_);''','''  FAULTLINE_ASSERT(event.time >= now_);  // time never moves backwards''')
sub('sim/engine.cpp','''    default: assert(false && "unknown event kind");''','''    default: invariant_failed("engine invariant violated: an event of unknown kind " + std::to_string(event.kind()));''')
sub('sim/engine.cpp','''    case kWorkResume:
      if (works_[event.a].token == event.b) start_service(event.a);
      break;
''','')
sub('sim/event_kinds.hpp','''  kEjectionEnd,      // a: site, b: callee instance slot
  kWorkResume,       // a: work, b: work token (a paused instance resumes queued work)
''','''  kEjectionEnd,      // a: site, b: callee instance slot
''')
sub('sim/engine.cpp','''    free_calls_.pop_back();
    return index;''','''    free_calls_.pop_back();
    FAULTLINE_ASSERT(calls_[index].state == CallState::free);  // pool consistency
    return index;''')
sub('sim/engine.cpp','''void Engine::free_call(std::uint32_t call) {
''','''void Engine::free_call(std::uint32_t call) {
  FAULTLINE_ASSERT(calls_[call].state != CallState::free);  // freed once
''')
sub('sim/engine.cpp','''    free_works_.pop_back();
    return index;''','''    free_works_.pop_back();
    FAULTLINE_ASSERT(works_[index].state == WorkState::free);
    return index;''')
sub('sim/engine.cpp','''void Engine::free_work(std::uint32_t work) {
''','''void Engine::free_work(std::uint32_t work) {
  FAULTLINE_ASSERT(works_[work].state != WorkState::free);
''')
sub('sim/engine.cpp','#include <cassert>\n','')
sub('sim/engine.cpp','#include "sim/event_kinds.hpp"\n','#include "sim/check.hpp"\n#include "sim/event_kinds.hpp"\n#include "sim/invariant_checker.hpp"\n')
sub('sim/engine.cpp','''  current_bucket_ = last + 1;
  results_.end_ns = now_;''','''  current_bucket_ = last + 1;
  results_.end_ns = now_;
  if (check_invariants_) InvariantChecker::check(*this);''')
sub('sim/metrics.cpp','''  current_bucket_ = bucket;
  const TimeNs width''','''  current_bucket_ = bucket;
  if (check_invariants_) InvariantChecker::check(*this);
  const TimeNs width''')
s=open('sim/metrics.cpp').read()
s=s.replace('#include "sim/engine.hpp"','#include "sim/engine.hpp"\n#include "sim/invariant_checker.hpp"',1); open('sim/metrics.cpp','w').write(s)
sub('sim/engine.hpp','''  // Records up to `max_spans` served requests as spans''','''  // Runs the invariant checker (sim/invariant_checker.hpp) at every bucket boundary and at the
  // end; a violation throws InvariantViolation. Off by default (the CLI's --check-invariants);
  // tests and sweeps turn it on.
  void set_invariant_checks(bool on) { check_invariants_ = on; }
  bool invariant_checks() const { return check_invariants_; }
  // Records up to `max_spans` served requests as spans''')
sub('sim/engine.hpp','''  bool closed_ = false;
''','''  bool closed_ = false;
  bool check_invariants_ = false;
''')
sub('sim/event_queue.hpp','#include <cassert>\n','')
sub('sim/event_queue.hpp','    assert(!heap_.empty());','    FAULTLINE_ASSERT(!heap_.empty());')
s=open('sim/event_queue.hpp').read()
s=s.replace('#include <cstdint>','#include <cstdint>\n\n#include "sim/check.hpp"',1); open('sim/event_queue.hpp','w').write(s)
sub('sim/histogram.cpp','#include <cassert>\n','')
sub('sim/histogram.cpp','#include <cmath>\n','#include <cmath>\n\n#include "sim/check.hpp"\n')
sub('sim/histogram.cpp','  assert(value >= 0 && "latencies are never negative");','  FAULTLINE_ASSERT(value >= 0);  // latencies are never negative')
