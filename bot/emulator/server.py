"""The aiohttp application: Bot API endpoints, file downloads, and the control API.

Only the HTTP concerns live here (routing, decoding PTB's form/multipart/JSON bodies, turning
``ApiError`` into Telegram-shaped error answers, the call log); method behaviour is in
``bot.emulator.methods``.
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import TYPE_CHECKING

from aiohttp import web

from bot.emulator.faults import lose_answer
from bot.emulator.methods import NOT_EMULATED, ApiError, Params, find_method
from bot.emulator.methods.common import Fault, Handler, UploadedFile, decode_form_value
from bot.emulator.records import ApiCall, JsonDict

if TYPE_CHECKING:
    from bot.emulator.emulator import Emulator

logger = logging.getLogger("bot.emulator")

MAX_REQUEST_BYTES = 60 * 1024 * 1024  # above Telegram's 50 MB upload limit, so we can answer 413


def error_response(error: ApiError) -> web.Response:
    return web.json_response(error.to_json(), status=error.code)


async def read_params(request: web.Request) -> Params:
    """Decode query string plus form, multipart or JSON body into typed-ish values and files."""
    values: JsonDict = {name: decode_form_value(name, raw) for name, raw in request.query.items()}
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if isinstance(body, dict):
                values.update(body)
        else:
            form = await request.post()
            for name, field in form.items():
                if isinstance(field, web.FileField):
                    content = field.file.read()
                    files[name] = UploadedFile(field.filename, content, field.content_type)
                else:
                    values[name] = decode_form_value(name, str(field))
    transport = request.transport
    return Params(values, files, lambda: transport is None or transport.is_closing())


class EmulatorServer:
    def __init__(self, emulator: Emulator):
        self.emulator = emulator

    def build_app(self) -> web.Application:
        from bot.emulator.control import add_control_routes

        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self.handle_file)
        add_control_routes(app, self.emulator)
        return app

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        emulator = self.emulator
        if request.match_info["token"] != emulator.token:
            return error_response(ApiError(401, "Unauthorized"))
        requested = request.match_info["method"]
        found = find_method(requested)
        try:
            params = await read_params(request)
        except ApiError as exc:
            return error_response(exc)
        call = ApiCall(
            method=found[0] if found else requested,
            params=params.for_log(),
            monotonic=time.monotonic(),
        )
        emulator.state.calls.append(call)
        fault = emulator.context.take_fault(found[0], params) if found else None
        answer = await self._answer(call, requested, found, params, fault)
        if fault is None or fault.mode == "error":
            return answer
        call.fault = fault.mode
        return await lose_answer(request, fault, answer, lambda: emulator.context.closing)

    async def _answer(
        self,
        call: ApiCall,
        requested: str,
        found: tuple[str, Handler] | None,
        params: Params,
        fault: Fault | None,
    ) -> web.Response:
        """Carry the call out (unless an "error" fault stops it) and say how it went."""
        emulator = self.emulator
        try:
            if found is None:
                self._log_missing(requested)
                raise ApiError(404, "Not Found")
            if fault is not None and fault.mode == "error":
                raise fault.error()
            result = await found[1](emulator.context, params)
        except ApiError as exc:
            call.status, call.description = exc.code, exc.description
            await emulator.context.notify()  # a refused call changes no state; waiters see it
            return error_response(exc)
        except Exception as exc:  # an emulator bug must be loud, never a silent success
            logger.exception("emulator failed in %s", requested)
            emulator.internal_errors.append(traceback.format_exc())
            error = ApiError(500, f"Internal Server Error: emulator bug: {exc!r}")
            call.status, call.description = error.code, error.description
            return error_response(error)
        call.status = 200
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _log_missing(method: str) -> None:
        if method in NOT_EMULATED:
            logger.warning("Bot API method %s is real but not emulated; answering 404", method)
        else:
            logger.warning("unknown Bot API method %s; answering 404 like Telegram", method)

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.emulator.token:
            return error_response(ApiError(401, "Unauthorized"))
        record = self.emulator.state.files_by_path().get(request.match_info["path"])
        if record is None:
            return error_response(ApiError(404, "Not Found"))
        return web.Response(
            body=record.content, content_type=record.mime_type or "application/octet-stream"
        )
