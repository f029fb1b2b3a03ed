"""`ogi bench`: the system's throughput, latency and memory, each beside a raw nats-py baseline measured
in the same run against the same nats-server (docs/performance.md)."""
