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


# ---- Telegram's budget, shared by every process that sends as the bot ----------------------
#
# Two clocks a send must fit, checked and moved at once: the bot's (30 a second) and its chat's
# (one a second in private, one every 3 s in a group: 20 a minute). Each is a theoretical
# arrival time (TAT, as in GCRA): when the next send would be on schedule.
# - The chat decides whether: a send may be booked when now >= chat TAT - (burst - 1) * gap
#   (`burst` at once, then one a gap); otherwise nothing is booked and the answer is how long
#   until it could be (the caller sends to other chats meanwhile).
# - The bot's clock decides when: the send gets the next free slot, max(bot TAT, now), and the
#   slots are 1/rate apart, so no half-open second ever holds more than `rate` of them, however
#   many processes book. The caller sleeps until its slot (a short wait: at most the sends
#   booked ahead of it) and sends, asking nobody again; the chat's clock runs from that slot.


class Booking(NamedTuple):
    booked: bool  # False: the chat is not free yet; nothing was taken
    wait: float  # booked: seconds until its slot; else: until the chat could be booked


def book(
    tats: tuple[float, float], now: float, gaps: tuple[float, float], chat_burst: float
) -> tuple[tuple[float, float], Booking]:
    """(bot TAT, chat TAT) after one attempt at `now`, and the answer."""
    (bot_tat, chat_tat), (bot_gap, chat_gap) = tats, gaps
    chat_wait = chat_tat - (chat_burst - 1) * chat_gap - now
    if chat_wait > 0:
        return tats, Booking(False, chat_wait)
    slot = max(bot_tat, now)
    return (slot + bot_gap, max(chat_tat, slot) + chat_gap), Booking(True, slot - now)


# KEYS[1] the bot's TAT, KEYS[2] the chat's; ARGV bot gap, chat gap, chat burst. Returns
# {booked 0/1, wait in microseconds, the server's time in microseconds}: `book` on Redis's clock.
BOOK_LUA = """
local bot_gap = tonumber(ARGV[1])
local chat_gap = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local at = tonumber(t[1]) * 1000000 + tonumber(t[2])
local bot_tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local chat_tat = tonumber(redis.call('GET', KEYS[2]) or '0')
local chat_wait = chat_tat - (burst - 1) * chat_gap - now
if chat_wait > 0 then
  return {0, math.ceil(chat_wait * 1000000), at}
end
local slot = math.max(bot_tat, now)
-- each forgotten a second after it is in the past (a key never set is a TAT of 0)
local function keep(key, tat)
  redis.call('SET', key, string.format('%.6f', tat), 'PX', math.ceil((tat - now) * 1000) + 1000)
end
keep(KEYS[1], slot + bot_gap)
keep(KEYS[2], math.max(chat_tat, slot) + chat_gap)
return {1, math.ceil((slot - now) * 1000000), at}
"""

# KEYS[1] a chat's TAT; ARGV seconds. Telegram said "retry after": nobody sends there sooner.
HOLD_LUA = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > tat then
  redis.call('SET', KEYS[1], string.format('%.6f', until_), 'PX', math.ceil(ARGV[1] * 1000) + 1000)
end
return 0
"""
