"""Token buckets: how often someone may do something, kept in the cache.

A bucket holds up to `burst` tokens and gains `per_second` of them continuously; each attempt
takes one, and an attempt that finds less than one is denied. The bucket also remembers
whether it denied since it was last full, so a caller can speak up once per flood, not once
per denied attempt: `Taken.first_denial` is true for the first denial after the bucket was
full, and false for every denial after it until the bucket has filled up again.

`step` is the arithmetic (the in-process cache uses it as it is); `TAKE_LUA` is the same on
Redis, run atomically by the server with the server's clock, so every process sharing a
Redis shares each bucket.
"""

from __future__ import annotations

from typing import NamedTuple


class Taken(NamedTuple):
    granted: bool
    first_denial: bool  # denied, and the first denial since the bucket was last full
    # Denied: seconds before the bucket can grant again. Exact wherever it is shared, since
    # others can only take tokens: a caller may deny on its own until then, asking nobody.
    wait: float = 0.0


class Bucket(NamedTuple):
    tokens: float
    at: float  # seconds, on whichever clock the caller keeps
    denied: bool  # denied since it was last full


def step(
    bucket: Bucket | None, now: float, burst: float, per_second: float
) -> tuple[Bucket, Taken]:
    """The bucket after one attempt at `now` (None: a bucket never used, full), and the answer."""
    if bucket is None:
        tokens, denied = float(burst), False
    else:
        tokens = min(burst, bucket.tokens + max(0.0, now - bucket.at) * per_second)
        denied = bucket.denied and tokens < burst
    if tokens >= 1:
        return Bucket(tokens - 1, now, denied), Taken(True, False)
    return Bucket(tokens, now, True), Taken(False, not denied, (1 - tokens) / per_second)


def refill_seconds(burst: float, per_second: float) -> float:
    """How long an untouched bucket takes to fill up: after that it can be forgotten (a
    bucket never used is full)."""
    return burst / per_second


# KEYS[1] the bucket (a hash: tokens, at, denied); ARGV burst, per_second. Returns {granted,
# first_denial, wait in microseconds} (Redis turns Lua numbers into integers). Redis's clock,
# not the callers': every process sees the same time.
TAKE_LUA = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'denied')
local tokens = burst
local denied = 0
if saved[1] then
  tokens = math.min(burst, tonumber(saved[1]) + math.max(0, now - tonumber(saved[2])) * rate)
  if tokens < burst then denied = tonumber(saved[3]) end
end
local granted, first, wait = 0, 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  granted = 1
else
  if denied == 0 then first = 1 end
  denied = 1
  wait = math.ceil((1 - tokens) / rate * 1000000)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens),
           'at', string.format('%.6f', now), 'denied', denied)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {granted, first, wait}
"""
