#!/usr/bin/env python3
"""Writes bench/large-mesh.json: 100 services, 2,000 instances over 3 zones, 50,000 requests
per second for 60 simulated seconds. Layered call graph (acyclic): 10 entry services, then three
layers of 30; zone-aware balancing, timeouts, retries with jittered backoff, breakers."""
import json, os

ZONES = ["eu-1a", "eu-1b", "eu-1c"]
LAYERS = [10, 30, 30, 30]
INSTANCES = 20

def name(layer, i):
    return f"svc-{layer}-{i:02d}"

def policy():
    return {
        "timeout": "500ms",
        "retry": {"max_attempts": 2, "backoff": {"base": "5ms", "max": "50ms", "jitter": "full"},
                  "budget": {"ratio": "20%", "min_per_second": 10}},
        "breaker": {"max_requests": 5, "interval": "10s", "timeout": "5s",
                    "trip": {"failure_ratio": "50%", "min_requests": 20}},
        "load_balancer": "zone_aware",
    }

services = []
for layer, size in enumerate(LAYERS):
    for i in range(size):
        calls = []
        if layer == 0:
            targets = [(i * 3) % LAYERS[1], (i * 3 + 1) % LAYERS[1]]
            calls = [{"parallel": [dict(service=name(1, t), **policy()) for t in targets]}]
        elif layer + 1 < len(LAYERS):
            calls = [dict(service=name(layer + 1, (i * 7 + 3) % LAYERS[layer + 1]), probability=0.5, **policy())]
        services.append({
            "name": name(layer, i),
            "instances": [{"zone": z, "count": c} for z, c in zip(ZONES, [7, 7, 6])],
            "workers": 16,
            "queue_capacity": 1000,
            "service_time": {"lognormal": {"median": "1ms", "p99": "6ms"}},
            "calls": calls,
        })

clients = []
for i in range(LAYERS[0]):
    clients.append(dict({
        "name": f"users-{i:02d}",
        "zone": ZONES[i % 3],
        "service": name(0, i),
        "open_loop": {"arrivals": "poisson", "rate": 5000},
    }, **{"timeout": "2s", "retry": {"max_attempts": 2, "backoff": {"base": "10ms", "jitter": "equal"}},
          "load_balancer": "zone_aware"}))

scenario = {
    "$schema": "../scenarios/faultline.schema.json",
    "version": 1,
    "name": "large-mesh",
    "description": "Benchmark: 100 services in four layers, 2,000 instances over 3 zones, 50,000 requests per second for 60 simulated seconds; shows how the engine's cost grows with the topology.",
    "seed": 7,
    "duration": "60s",
    "zones": ZONES,
    "network": {"same_zone": {"lognormal": {"median": "200us", "p99": "1ms"}},
                "cross_zone": {"lognormal": {"median": "1ms", "p99": "4ms"}}},
    "discovery": {"health_check_interval": "5s", "refresh_interval": "10s"},
    "services": services,
    "clients": clients,
    "assertions": [
        {"name": "availability of all clients", "type": "availability", "min": "99.9%"},
    ],
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "large-mesh.json")
with open(path, "w") as f:
    json.dump(scenario, f, indent=1)
    f.write("\n")
