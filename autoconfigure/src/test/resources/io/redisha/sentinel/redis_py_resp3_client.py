# A redis-py (5 or later) Sentinel client speaking RESP3 (protocol=3) for SentinelClientsTest:
# redis-py refuses a connection whose HELLO 3 does not answer proto 3, so each line it prints
# came over RESP3. Prints the protocol HELLO tells, the master of the group, the names of the
# masters, and "ready"; then the messages of +switch-master, as they come, as
# "message <channel> <payload>".
import sys

from redis.sentinel import Sentinel

group = sys.argv[1]
sentinels = [(address.rsplit(":", 1)[0], int(address.rsplit(":", 1)[1])) for address in sys.argv[2].split(",")]
options = {"socket_timeout": 1.0, "protocol": 3, "decode_responses": True}
sentinel = Sentinel(sentinels, sentinel_kwargs=options, **options)
first = sentinel.sentinels[0]
print("proto %s" % first.execute_command("HELLO")["proto"], flush=True)
host, port = sentinel.discover_master(group)
print("master %s:%d" % (host, port), flush=True)
print("masters %s" % " ".join(sorted(first.sentinel_masters())), flush=True)
events = first.pubsub()
events.subscribe("+switch-master")
print("ready", flush=True)
while True:
    message = events.get_message(timeout=1.0)
    if message is not None and message["type"] == "message":
        print("message %s %s" % (message["channel"], message["data"]), flush=True)
