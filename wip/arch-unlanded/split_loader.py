import re,sys
src=open('harness/loader.cpp').read().split('\n')
ci=src.index('class ScenarioLoader {')
ce=src.index('};', ci)
# class ends at the first '};' at col 0 after ci
prologue=src[:ci]; body=src[ci+1:ce]; epilogue=src[ce+1:]
# prologue: file header comment + includes + namespace open + anon namespace helpers
# find 'namespace {' in prologue
ni=prologue.index('namespace {')
head=prologue[:ni]; helpers=prologue[ni+1:]
def inline_helpers(lines):
    out=[]
    for l in lines:
        if re.match(r'^[A-Za-z].*\(.*\)\s*(const\s*)?\{', l) and not l.startswith('struct') and not l.startswith('enum') and not l.startswith('namespace') and not l.startswith('using') and not l.startswith('constexpr') and not l.startswith('inline'):
            l='inline '+l
        elif re.match(r'^const std::vector<\w+>& \w+\(\) \{', l):
            l='inline '+l
        out.append(l)
    return out
helpers=inline_helpers(helpers)
# parse body
sections={}
cur='public'
members=[]  # (section, kind, lines)
i=0
decl_lines=[]
while i<len(body):
    l=body[i]
    m=re.match(r'^  // ---- (.*) ----$', l)
    if m: cur=m.group(1); i+=1; continue
    if l in (' public:',' private:'):
        decl_lines.append(('access',l)); i+=1; continue
    if l.startswith('  class ') and l.rstrip().endswith('{'):
        j=i
        while body[j]!='  };': j+=1
        members.append((cur,'nested',body[i:j+1])); i=j+1; continue
    if l.startswith('  ') and not l.startswith('   ') and not l.strip().startswith('//') and '(' in l and (l.rstrip().endswith('{') or l.rstrip().endswith(',') or l.rstrip().endswith('{}')) and not l.rstrip().endswith(';'):
        # collect leading comment lines already appended? handle comments separately
        j=i
        while not (body[j].rstrip().endswith('{') or body[j].rstrip().endswith('{}')): j+=1
        sig=body[i:j+1]
        if body[j].rstrip().endswith('{}'):
            members.append((cur,'inline',sig)); i=j+1; continue
        k=j+1
        while body[k]!='  }': k+=1
        members.append((cur,'func',sig+body[j+1:k+1])); i=k+1; continue
    if l.strip().startswith('//'):
        # comment block attached to the next member
        j=i
        while body[j].strip().startswith('//'): j+=1
        members.append((cur,'comment',body[i:j])); i=j; continue
    if l.strip()=='' : members.append((cur,'blank',[l])); i+=1; continue
    members.append((cur,'data',[l])); i+=1
# attach comments to following func
def strip_defaults(sig):
    s='\n'.join(sig)
    # remove default args: ' = something' before , or )
    out=''; depth=0; i=0
    res=[]
    # simple approach: regex on ' = ' up to , or ) at depth 0 of parens within params
    p=s.index('(')
    pre=s[:p+1]; rest=s[p+1:]
    buf=''; depth=0; skip=False
    for ch in rest:
        if skip:
            if ch in '({[<': depth+=1
            if ch in ')}]>' and depth>0: depth-=1; continue
            if depth==0 and ch in ',)':
                skip=False; buf+=ch
            continue
        if buf.endswith(' =') and ch==' ':
            buf=buf[:-2]; skip=True; depth=0; continue
        buf+=ch
    return (pre+buf).split('\n')
def definition(sig_and_body):
    lines=[l[2:] if l.startswith('  ') else l for l in sig_and_body]
    j=0
    while not lines[j].rstrip().endswith('{'): j+=1
    sig=lines[:j+1]
    sig=strip_defaults(sig)
    s='\n'.join(sig)
    s=re.sub(r'^(\[\[noreturn\]\] )?(static )?','',s)
    p=s.index('(')
    m=re.search(r'(\w+)\s*$', s[:p])
    s=s[:m.start()]+'ScenarioLoader::'+s[m.start():]
    return s.split('\n')+lines[j+1:]
def declaration(sig_and_body):
    j=0
    while not sig_and_body[j].rstrip().endswith('{'): j+=1
    sig=sig_and_body[:j+1]
    sig[-1]=re.sub(r'\s*\{\s*$',';',sig[-1])
    return sig
sec_file={'public':'loader.cpp','values':'loader_values.cpp','names':'loader_values.cpp','topology':'loader_topology.cpp','services and calls':'loader_topology.cpp','clients':'loader_workload.cpp','faults':'loader_faults.cpp','assertions':'loader_assertions.cpp'}
header_members=[]; defs={}
pending_comment=[]
for sec,kind,lines in members:
    f=sec_file[sec]
    if kind=='comment': pending_comment=lines; continue
    if kind=='func':
        header_members.append((sec,pending_comment+declaration(list(lines))))
        defs.setdefault(f,[]).append([l[2:] for l in pending_comment]+definition(lines)+[''])
        pending_comment=[]; continue
    if kind=='nested':
        header_members.append((sec,pending_comment+['  class '+lines[0].split()[1]+';']))
        nl=[l[2:] for l in lines]
        nl[0]=nl[0].replace('class '+lines[0].split()[1],'class ScenarioLoader::'+lines[0].split()[1],1)
        defs.setdefault(f,[]).append([l[2:] for l in pending_comment]+nl+[''])
        pending_comment=[]; continue
    if kind in ('inline','data'):
        header_members.append((sec,pending_comment+lines)); pending_comment=[]; continue
    if kind=='blank':
        if pending_comment: header_members.append((sec,pending_comment)); pending_comment=[]
        continue
# header
hdr=['// The scenario loader\'s shared parts: the helpers every section uses and the ScenarioLoader',
     '// class, whose sections live in their own files (loader_values.cpp, loader_topology.cpp,',
     '// loader_workload.cpp, loader_faults.cpp, loader_assertions.cpp; loader.cpp drives them).',
     '// Internal to harness/: include only from the loader\'s files.',
     '#pragma once']
inc=[l for l in head if l.startswith('#include')]
inc=[l for l in inc if 'harness/loader.hpp' not in l]
hdr+=['#include <nlohmann/json.hpp>','']+inc+['','#include "harness/loader.hpp"','','namespace faultline::harness {','namespace {','']
hdr+=helpers  # helpers end before class (they include blank lines)
# remove trailing blank
while hdr[-1]=='': hdr.pop()
hdr+=['','class ScenarioLoader {']
lastsec=None; access=None
secorder=[]
# public first
def emit(sec):
    out=[]
    for s,lines in header_members:
        if s==sec: out+=lines
    return out
hdr+=[' public:']+emit('public')+[' private:']
for sec in ['values','names','topology','services and calls','clients','faults','assertions']:
    hdr+=['  // ---- '+sec+' ----']+emit(sec)+['']
hdr+=['};','','}  // namespace','}  // namespace faultline::harness','']
open('harness/loader_internal.hpp','w').write('\n'.join(hdr))
titles={'loader_values.cpp':'The scenario loader\'s value readers: durations, ratios, distributions, names and references,\n// each failing with a located error.',
 'loader_topology.cpp':'The scenario loader\'s topology section: metrics, network, discovery, services, operations,\n// calls and their policies, and the call-cycle check.',
 'loader_workload.cpp':'The scenario loader\'s workload section: clients, open-loop rate schedules, closed-loop sessions.',
 'loader_faults.cpp':'The scenario loader\'s faults section: the common keys (name, kind, at, duration, target) here,\n// each kind\'s options read by its unit in faults/kinds/ through an OptionReader.',
 'loader_assertions.cpp':'The scenario loader\'s assertions section: types, targets and fault references.'}
for f,blocks in defs.items():
    if f=='loader.cpp': continue
    out=['// '+titles[f],'#include "harness/loader_internal.hpp"','','namespace faultline::harness {','']
    for b in blocks: out+=b
    while out[-1]=='': out.pop()
    out+=['','}  // namespace faultline::harness','']
    open('harness/'+f,'w').write('\n'.join(out))
# loader.cpp
main=head[:]
# keep top comment, replace includes
top=[l for l in head if l.startswith('//')]
out=top+['#include "harness/loader.hpp"','','#include "harness/loader_internal.hpp"','','namespace faultline::harness {','']
for b in defs.get('loader.cpp',[]): out+=b
# epilogue: from after class: contains compose_limit_text in anon ns, then '}  // namespace', then API
ep='\n'.join(epilogue)
out+=['namespace {','']+ep.split('\n')
open('harness/loader.cpp','w').write('\n'.join(out))
