"""getMe, the webhook (posted to by bot.emulator.webhook) and getUpdates long polling.

getUpdates really long-polls: it waits on the emulator's condition until an update arrives or
``timeout`` expires, confirms updates through ``offset`` and, like Telegram, terminates an older
poll with 409 Conflict when a second poller shows up (two bot instances is a real bug).
"""

from __future__ import annotations

import asyncio

from bot.emulator.methods.common import ApiContext, ApiError, Params, api_method, bad_request
from bot.emulator.records import JsonDict

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
MAX_POLL_TIMEOUT = 50.0


@api_method("getMe")
async def get_me(ctx: ApiContext, params: Params) -> JsonDict:
    return {
        **ctx.state.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not ctx.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api_method("logOut", "close")
async def log_out(ctx: ApiContext, params: Params) -> bool:
    return True


@api_method("setWebhook")
async def set_webhook(ctx: ApiContext, params: Params) -> bool:
    url = params.str("url") or ""
    if url and not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    connections = params.int("max_connections", 40) or 40
    ctx.state.profile.webhook = {
        "url": url,
        "max_connections": connections,
        "allowed_updates": params.json("allowed_updates"),
        "secret_token": params.str("secret_token"),
    }
    if params.bool("drop_pending_updates"):
        ctx.state.updates.clear()
    allowed = params.json("allowed_updates")
    if isinstance(allowed, list):
        ctx.state.allowed_updates = [str(kind) for kind in allowed] or None
    if url:  # posting starts now (an empty url is deleteWebhook)
        ctx.webhook.set(ctx, url, params.str("secret_token"), connections)
    else:
        await ctx.webhook.close()
    await ctx.notify()
    return True


@api_method("deleteWebhook")
async def delete_webhook(ctx: ApiContext, params: Params) -> bool:
    ctx.state.profile.webhook = {}
    await ctx.webhook.close()
    if params.bool("drop_pending_updates"):
        ctx.state.updates.clear()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(ctx: ApiContext, params: Params) -> JsonDict:
    webhook = ctx.state.profile.webhook
    info: JsonDict = {
        "url": webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(ctx.state.updates),
        **ctx.webhook.info(),
    }
    if webhook.get("url"):
        info["max_connections"] = webhook.get("max_connections", 40)
        if webhook.get("allowed_updates"):
            info["allowed_updates"] = webhook["allowed_updates"]
    return info


@api_method("getUpdates")
async def get_updates(ctx: ApiContext, params: Params) -> list[JsonDict]:
    state = ctx.state
    if state.profile.webhook.get("url"):
        raise ApiError(409, WEBHOOK_CONFLICT)
    limit = min(max(params.int("limit", 100) or 100, 1), 100)
    try:
        timeout = min(max(float(params.values.get("timeout") or 0), 0.0), MAX_POLL_TIMEOUT)
    except (TypeError, ValueError):
        raise bad_request("wrong parameter timeout specified") from None
    allowed = params.json("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed] or None
    offset = params.int("offset")
    if offset:
        state.confirm_updates(offset)

    ctx.poll_generation += 1
    generation = ctx.poll_generation
    await ctx.notify()  # wakes an older poll so it can answer 409

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with ctx.changed:
        while True:
            if generation != ctx.poll_generation:
                if params.client_gone():
                    return []  # the client already gave up (e.g. PTB cancelled it on stop)
                raise ApiError(409, POLL_CONFLICT)
            updates = state.pending_updates(limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or ctx.closing:
                return [update.to_api() for update in updates]
            try:
                async with asyncio.timeout(remaining):
                    await ctx.changed.wait()
            except TimeoutError:
                pass
