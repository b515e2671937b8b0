import json, collections
p='scenarios/faultline.schema.json'
s=json.load(open(p), object_pairs_hook=collections.OrderedDict)
O=collections.OrderedDict
d=s['definitions']
X_PATTERN='^x-'
X_SCHEMA=O([('description','An extension key (x-...): notes and tooling data; ignored by faultline.')])

# 1. $ref with siblings -> allOf wrapper, so editors show the sibling description/default.
def wrap(n):
    if isinstance(n,dict):
        for k in list(n.keys()):
            wrap(n[k])
        if '$ref' in n and len(n)>1:
            ref=n.pop('$ref')
            items=list(n.items())
            n.clear()
            for k,v in items: n[k]=v
            n['allOf']=[O([('$ref',ref)])]
    elif isinstance(n,list):
        for v in n: wrap(v)
wrap(s)

# 2. x-* keys on every closed object.
def extensions(n):
    if isinstance(n,dict):
        for v in list(n.values()): extensions(v)
        if n.get('additionalProperties') is False and n.get('type')=='object' and 'maxProperties' not in n:
            items=list(n.items()); n.clear()
            for k,v in items:
                if k=='additionalProperties':
                    n['patternProperties']=O([(X_PATTERN,X_SCHEMA)])
                n[k]=v
    elif isinstance(n,list):
        for v in n: extensions(v)
extensions(s)

# 3. description on services, clients, faults and assertions.
for name,what in [('service','service'),('client','client'),('fault','fault'),('assertion','assertion')]:
    props=d[name]['properties']
    items=list(props.items()); props.clear()
    for k,v in items:
        props[k]=v
        if k=='name':
            props['description']=O([('description','Free text about this %s, for people; ignored by faultline.'%what),('type','string')])

# 4. durations: no sign (negative durations rejected by the pattern).
dur=d['duration']
dur['pattern']=dur['pattern'].replace('^[-+]?(','^\\+?(')

# 5. zones unique.
s['properties']['zones']['uniqueItems']=True

# 6. a client has exactly one of open_loop / closed_loop.
def add_all_of(node, rules):
    node.setdefault('allOf',[])
    node['allOf'].extend(rules)
add_all_of(d['client'],[O([('description','Exactly one workload: open_loop or closed_loop.'),
    ('oneOf',[O([('required',['open_loop'])]),O([('required',['closed_loop'])])])])])

# 7. per fault kind and per assertion type, the keys allowed (mirrors harness/loader.cpp).
instance_target=["service","instances","zone","fraction"]
network_target=["service","instances","zone","fraction","client","from_zone","to_zone","both_directions"]
restart=["restart_after","warmup","warmup_factor"]
fault_rules=[
 ("crash",instance_target,restart,False),
 ("shutdown",instance_target,["period","warmup","warmup_factor"],True),
 ("hang",instance_target,[],True),
 ("pause",instance_target,[],True),
 ("slowdown",instance_target,["factor"],True),
 ("worker_loss",instance_target,["workers"],True),
 ("queue_shrink",instance_target,["queue_capacity"],True),
 ("error_ratio",instance_target,["ratio","fail_fast"],True),
 ("operation_errors",["service","instances","zone","fraction","operation"],["ratio","fail_fast"],True),
 ("latency",network_target,["delay","ramp"],True),
 ("packet_loss",network_target,["ratio","retransmit","max_retransmits"],True),
 ("blackhole",network_target,[],True),
 ("partition",["from_zone","to_zone","both_directions"],[],True),
 ("bandwidth",network_target,["messages_per_second"],True),
 ("zone_down",["zone"],restart,True),
 ("registry_outage",[],[],True),
 ("registry_delay",[],["delay"],True),
 ("flapping_health_check",instance_target,["period"],True),
 ("stale_entries",instance_target,[],True),
 ("chaos_monkey",["service","zone"],["interval","probability","max_down_per_service","restart_after","warmup","warmup_factor"],True),
]
assert [r[0] for r in fault_rules]==d['fault']['properties']['kind']['enum'], d['fault']['properties']['kind']['enum']
all_options=[k for k in d['fault']['properties'] if k not in ('name','description','kind','target','at','duration')]
all_target=list(d['fault']['properties']['target']['properties'].keys())
rules=[]
for kind,targets,options,accepts_duration in fault_rules:
    forbidden=[o for o in all_options if o not in options]+([] if accepts_duration else ['duration'])
    then=O()
    if forbidden: then['not']=O([('anyOf',[O([('required',[k])]) for k in forbidden])])
    tf=[t for t in all_target if t not in targets]
    if tf: then['properties']=O([('target',O([('not',O([('anyOf',[O([('required',[k])]) for k in tf])]))]))])
    req=[]
    if targets and kind!='chaos_monkey': req.append('target')
    if kind=='pause': req.append('duration')
    if 'delay' in options: req.append('delay')
    if req: then['required']=req
    rules.append(O([('if',O([('properties',O([('kind',O([('const',kind)]))])),('required',['kind'])])),('then',then)]))
add_all_of(d['fault'],rules)

assertion_rules=[
 ("availability",["client","service","min","window","during"],["min"]),
 ("latency",["client","service","percentile","max"],["max"]),
 ("count",["client","service","metric","min","max"],["metric"]),
 ("recovery",["client","service","fault","min","window","max"],["fault","min","max"]),
 ("breaker",["caller_service","caller_client","callee","fault","opens_within","closes_within"],["callee","fault","opens_within"]),
 ("no_traffic_to_crashed",["fault","within"],["fault","within"]),
]
assert [r[0] for r in assertion_rules]==d['assertion']['properties']['type']['enum']
keys=[k for k in d['assertion']['properties'] if k not in ('name','description','type')]
rules=[]
for t,allowed,required in assertion_rules:
    forbidden=[k for k in keys if k not in allowed]
    then=O()
    if forbidden: then['not']=O([('anyOf',[O([('required',[k])]) for k in forbidden])])
    then['required']=required
    typed=O()
    if t in ('availability','recovery'): typed['min']=O([('allOf',[O([('$ref','#/definitions/ratio')])])])
    if t in ('latency','recovery'): typed['max']=O([('allOf',[O([('$ref','#/definitions/duration')])])])
    if t=='count':
        typed['min']=O([('type','integer'),('minimum',0)]); typed['max']=O([('type','integer'),('minimum',0)])
        then['anyOf']=[O([('required',['min'])]),O([('required',['max'])])]
    if typed: then['properties']=typed
    rules.append(O([('if',O([('properties',O([('type',O([('const',t)]))])),('required',['type'])])),('then',then)]))
add_all_of(d['assertion'],rules)

# A service's calls belong to its default operation: not both calls and operations.
add_all_of(d['service'],[O([('description','"calls" only when "operations" is absent.'),('not',O([('required',['calls','operations'])]))])])
# The run's duration and a fault's duration are greater than 0.
zero=O([('pattern','^\\+?(0|((0+(\\.0*)?|\\.0+)(ns|us|µs|μs|ms|s|m|h))+)$')])
for node in (s['properties']['duration'], d['fault']['properties']['duration']):
    node['allOf'].append(O([('not',zero)]))

# Properties inside the rules are documented too (editors show them when a rule fails).
def describe_rules(node, what):
    for rule in node.get('allOf', []):
        for part in ('if', 'then'):
            props = rule.get(part, {}).get('properties', {})
            for key, sub in props.items():
                if 'description' in sub: continue
                text = ('The %s this rule applies to.' % what) if part == 'if' else \
                       ('"%s" as this %s takes it.' % (key, what))
                items = list(sub.items()); sub.clear(); sub['description'] = text
                for k, v in items: sub[k] = v
describe_rules(d['fault'], 'fault kind')
describe_rules(d['assertion'], 'assertion type')

# 8. maxima equal the loader's limits (harness/loader.hpp LoadLimits defaults); the loader
# reports them as limits (exit 4) that flags can raise.
s['properties']['services']['maxItems']=10000
s['properties']['clients']['maxItems']=10000
inst=d['service']['properties']['instances']
inst['oneOf'][0]['maximum']=100000
inst['oneOf'][1]['items']['properties']['count']['maximum']=100000
d['closed_loop']['properties']['users']['maximum']=1000000
d['open_loop']['properties']['rate']['maximum']=10000000
# The loader reports these as limits (exit 4, raised by a flag); its schema check leaves them to it.
for node,flag in [(s['properties']['services'],'--max-services'),(s['properties']['clients'],'--max-clients'),
                  (inst['oneOf'][0],'--max-instances'),(inst['oneOf'][1]['items']['properties']['count'],'--max-instances'),
                  (d['closed_loop']['properties']['users'],'--max-users'),(d['open_loop']['properties']['rate'],'--max-rate')]:
    node['x-limit-flag']=flag
json.dump(s,open(p,'w'),indent=2,ensure_ascii=False)
open(p,'a').write('\n')
