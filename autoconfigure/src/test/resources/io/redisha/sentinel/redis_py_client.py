# A redis-py Sentinel client for SentinelClientsTest: finds the master of a group through the
# given Sentinel endpoints and, for every key read from stdin, writes key=key to the master,
# retrying for up to 30 s, then prints "ok <key> <master host>:<port>" or "failed <key> <error>".
import sys
import time

import redis
from redis.sentinel import Sentinel

group = sys.argv[1]
sentinels = [(address.rsplit(":", 1)[0], int(address.rsplit(":", 1)[1])) for address in sys.argv[2].split(",")]
sentinel = Sentinel(sentinels, socket_timeout=1.0)
master = sentinel.master_for(group, socket_timeout=1.0)
print("ready", flush=True)
for line in sys.stdin:
    key = line.strip()
    deadline = time.monotonic() + 30
    while True:
        try:
            master.set(key, key)
            host, port = sentinel.discover_master(group)
            print("ok %s %s:%d" % (key, host, port), flush=True)
            break
        except (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError) as error:
            if time.monotonic() > deadline:
                print("failed %s %s" % (key, error), flush=True)
                break
            time.sleep(0.1)
