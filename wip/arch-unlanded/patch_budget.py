def sub(p, a, b, count=1):
    s=open(p).read()
    assert a in s, (p,a[:70])
    s=s.replace(a,b,count); open(p,'w').write(s)
sub('sim/runtime.hpp','''  double budget_tokens = 0;
  TimeNs budget_updated_ns = 0;
''','''  RetryBudgetState budget;  // Finagle's retry budget (sim/retry_budget.hpp)
''')
sub('sim/runtime.hpp','#include "sim/rng.hpp"\n','#include "sim/retry_budget.hpp"\n#include "sim/rng.hpp"\n')
sub('sim/engine.cpp','''    site.budget_tokens = policy->retry.budget.ratio * 10.0 + policy->retry.budget.min_retries_per_s;''','''    site.budget = RetryBudgetState(policy->retry.budget.ratio, policy->retry.budget.min_retries_per_s);''')
s=open('sim/calls.cpp').read()
import re
a=s.index('  const RetryBudget& budget = site.policy->retry.budget;\n  if (budget.enabled) {')
b=s.index('  send_attempt(call);', a)
s=s[:a]+'''  if (site.policy->retry.budget.enabled) site.budget.deposit(now_);
'''+s[b:]
a=s.index('bool Engine::take_retry_token(SiteRuntime& site) {')
b=s.index('\n}\n', a)
s=s[:a]+'''bool Engine::take_retry_token(SiteRuntime& site) {
  return !site.policy->retry.budget.enabled || site.budget.try_withdraw(now_);'''+s[b:]
open('sim/calls.cpp','w').write(s)
s=open('sim/config.hpp').read()
a=s.index('// A retry budget in the style of Finagle')
b=s.index('struct RetryBudget {')
s=s[:a]+'''// A retry budget as Finagle's RetryBudget (see sim/retry_budget.hpp): each request deposits,
// each retry withdraws `1 / ratio` deposits' worth, deposits expire after 10 s (Finagle's
// default ttl), and a constant reserve of `min_retries_per_s * 10` retries is always there.
'''+s[b:]
open('sim/config.hpp','w').write(s)
