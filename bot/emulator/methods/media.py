"""File-carrying methods: sendPhoto, sendDocument & friends, sendMediaGroup, getFile.

Uploads are stored byte-for-byte and get a fresh file_id; sending an existing file_id reuses the
stored file, exactly the way bots cache uploads on Telegram. Photos must be real images
(PNG/JPEG/GIF/WebP/BMP) because Telegram rejects anything else with IMAGE_PROCESS_FAILED.
"""

from __future__ import annotations

import mimetypes
import secrets
import struct
from typing import Any

from bot.emulator.methods.common import (
    ApiContext,
    ApiError,
    Params,
    UploadedFile,
    api_method,
    bad_request,
    ensure_can_post,
    get_chat,
    parse_body,
    take_flood_token,
)
from bot.emulator.methods.markup import common_message_fields
from bot.emulator.records import FileRecord, JsonDict

MB = 1024 * 1024
MAX_PHOTO_BYTES = 10 * MB
MAX_UPLOAD_BYTES = 50 * MB
MAX_DOWNLOAD_BYTES = 20 * MB  # getFile refuses bigger files
GROUPABLE_KINDS = ("photo", "video", "audio", "document")
FILE_KINDS = ("photo", "document", "video", "animation", "audio", "voice", "video_note", "sticker")


def image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF, BMP, WebP or JPEG image, or None if it is not one."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        return struct.unpack(">II", content[16:24])
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        return struct.unpack("<HH", content[6:10])
    if content.startswith(b"BM") and len(content) >= 26:
        width, height = struct.unpack("<ii", content[18:26])
        return width, abs(height)
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return _webp_size(content)
    if content.startswith(b"\xff\xd8"):
        return _jpeg_size(content)
    return None


def _webp_size(content: bytes) -> tuple[int, int] | None:
    chunk = content[12:16]
    if chunk == b"VP8X" and len(content) >= 30:
        width = int.from_bytes(content[24:27], "little") + 1
        return width, int.from_bytes(content[27:30], "little") + 1
    if chunk == b"VP8 " and len(content) >= 30:
        width, height = struct.unpack("<HH", content[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(content) >= 25:
        bits = int.from_bytes(content[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 < len(content):
        if content[pos] != 0xFF:
            return None
        marker = content[pos + 1]
        length = struct.unpack(">H", content[pos + 2 : pos + 4])[0]
        # SOFn markers carry the frame size; C4 (DHT), C8 and CC (DAC) are not frames.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", content[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def _kind_label(kind: str) -> str:
    return kind.replace("_", " ").title().replace(" ", "")


def store_upload(ctx: ApiContext, kind: str, upload: UploadedFile) -> FileRecord:
    content = upload.content
    if not content:
        raise bad_request("file must be non-empty")
    if len(content) > (MAX_PHOTO_BYTES if kind == "photo" else MAX_UPLOAD_BYTES):
        raise ApiError(413, "Request Entity Too Large")
    if kind == "photo":
        size = image_size(content)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = size
        if (
            width <= 0
            or height <= 0
            or width + height > 10_000
            or max(width / height, height / width) > 20
        ):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        return ctx.state.add_file("photo", content, width=width, height=height)
    mime = upload.content_type
    if not mime or mime == "application/octet-stream":
        mime = mimetypes.guess_type(upload.filename)[0] or mime
    size = image_size(content) if kind in ("sticker", "video_note") else None
    return ctx.state.add_file(
        kind,
        content,
        file_name=upload.filename if kind in ("document", "video", "animation", "audio") else None,
        mime_type=mime,
        width=size[0] if size else None,
        height=size[1] if size else None,
    )


def resolve_input_file(ctx: ApiContext, params: Params, kind: str, value: Any = None) -> FileRecord:
    """Turn an upload, a file_id or an HTTP URL into the stored file to send."""
    source = params.input_file(kind, value)
    if source is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(source, UploadedFile):
        return store_upload(ctx, kind, source)
    if source.startswith(("http://", "https://")):
        # Telegram would download the URL; the emulator records it without fetching anything.
        name = source.rsplit("/", 1)[-1] or None
        return ctx.state.add_file(
            kind, b"", source_url=source, file_name=None if kind == "photo" else name,
            width=1 if kind == "photo" else None, height=1 if kind == "photo" else None,
        )  # fmt: skip
    record = ctx.state.files.get(source)
    if record is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if record.kind != kind:
        actual, wanted = _kind_label(record.kind), _kind_label(kind)
        raise bad_request(f"can't use file of type {actual} as {wanted}")
    return record


def _send_file_handler(kind: str):
    method = "send" + _kind_label(kind)

    async def handler(ctx: ApiContext, params: Params) -> JsonDict:
        chat = get_chat(ctx, params)
        ensure_can_post(ctx, chat)
        parse_mode = params.str("parse_mode")
        parsed = parse_body(
            params.str("caption"), parse_mode, params.json("caption_entities"), caption=True
        )
        fields = common_message_fields(ctx, chat, params)
        record = resolve_input_file(ctx, params, kind)
        take_flood_token(ctx, method, chat)
        message = ctx.state.add_message(
            chat,
            method=method,
            file=record,
            caption=parsed.text or None,
            caption_entities=parsed.entities,
            parse_mode=parse_mode,
            **fields,
        )
        await ctx.notify()
        return ctx.state.message_to_api(message)

    handler.__name__ = f"send_{kind}"
    return handler


for _kind in FILE_KINDS:
    api_method("send" + _kind_label(_kind))(_send_file_handler(_kind))


@api_method("sendMediaGroup")
async def send_media_group(ctx: ApiContext, params: Params) -> list[JsonDict]:
    chat = get_chat(ctx, params)
    ensure_can_post(ctx, chat)
    media = params.json("media", "media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("media group must contain from 2 to 10 items")  # wording approximate
    fields = common_message_fields(ctx, chat, params)
    prepared = []
    for item in media:
        if not isinstance(item, dict) or item.get("type") not in GROUPABLE_KINDS:
            raise bad_request("can't parse InputMedia JSON object")
        parsed = parse_body(
            item.get("caption"), item.get("parse_mode"), item.get("caption_entities"), caption=True
        )
        record = resolve_input_file(ctx, params, item["type"], item.get("media"))
        prepared.append((record, parsed, item.get("parse_mode")))
    take_flood_token(ctx, "sendMediaGroup", chat)
    group_id = str(secrets.randbelow(10**18))
    messages = [
        ctx.state.add_message(
            chat,
            method="sendMediaGroup",
            file=record,
            caption=parsed.text or None,
            caption_entities=parsed.entities,
            parse_mode=parse_mode,
            media_group_id=group_id,
            **fields,
        )
        for record, parsed, parse_mode in prepared
    ]
    await ctx.notify()
    return [ctx.state.message_to_api(message) for message in messages]


@api_method("getFile")
async def get_file(ctx: ApiContext, params: Params) -> JsonDict:
    record = ctx.state.files.get(params.str("file_id") or "")
    if record is None:
        raise bad_request("invalid file_id")
    if record.file_size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": record.file_size,
        "file_path": ctx.state.assign_file_path(record),
    }
