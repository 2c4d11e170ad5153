"""The fuzz loop: choose an action from the seed, do it as a person through the emulator, wait
until the bot has handled it, then check what the bot said and what changed in the database."""

from __future__ import annotations

import logging
import random
import sys
import time
from dataclasses import dataclass

from bot.emulator import ApiCall, MessageRecord, User
from tests.fuzz import checks
from tests.fuzz.buttons import Press, choose_press
from tests.fuzz.cast import Cast, Place, assemble
from tests.fuzz.checks import Finding, LogCapture
from tests.fuzz.commands import ANY, READ_ONLY, REFUSED, Typed, plain_text, stray_command
from tests.fuzz.commands import typed_command as command
from tests.fuzz.documents import Document, choose_document
from tests.fuzz.report import Report
from tests.fuzz.snapshot import Snapshot, take
from tests.fuzz.stack import Stack, running_stack

SETTLE = 30.0  # seconds an action may keep the bot busy before it counts as hung
KINDS = {"command": 48, "stray": 4, "text": 7, "press": 28, "document": 6, "edit": 6, "block": 1}


@dataclass
class Action:
    index: int
    kind: str
    how: str
    actor: User
    place: Place
    said: str  # what was typed, pressed or sent, exactly as given to the emulator
    expect: str
    command: str | None = None
    press: Press | None = None
    query_id: str | None = None  # the press's callback query

    def describe(self) -> str:
        said = self.said if len(self.said) <= 160 else f"{self.said[:160]}…({len(self.said)} chars)"
        return (
            f"#{self.index} {self.kind}/{self.how} by {self.actor.first_name[:24]!r} "
            f"(id {self.actor.id}) in {self.place.label}: {said!r}"
        )


class Fuzzer:
    def __init__(self, stack: Stack, seed: int, stack_name: str) -> None:
        self.stack = stack
        self.emu = stack.emu
        self.rng = random.Random(seed)
        self.cast: Cast = assemble(stack.emu)
        self.report = Report(seed, stack_name)
        self.seen: list[str] = []  # every callback data the bot ever showed
        self.typed: dict[int, list[MessageRecord]] = {}  # each person's text messages
        self.names = " ".join(u.full_name for u in self.cast.everyone)
        self.log = LogCapture()
        self.progress = 0  # print a line every that many actions (0: never)
        self.silence_fails = True  # a command must be answered
        self.trace = False  # print every action

    async def run(self, count: int) -> Report:
        root = logging.getLogger()
        root.addHandler(self.log)
        if root.level > logging.ERROR or root.level == logging.NOTSET:
            root.setLevel(logging.WARNING)
        started = time.monotonic()
        try:
            snapshot = await self._snapshot()
            for index in range(count):
                snapshot = await self._one(index, snapshot)
                if self.progress and (index + 1) % self.progress == 0:
                    elapsed = time.monotonic() - started
                    print(f"{index + 1} actions, {elapsed:.1f} s", file=sys.stderr, flush=True)
        finally:
            root.removeHandler(self.log)
            self.report.seconds = time.monotonic() - started
        return self.report

    async def _snapshot(self) -> Snapshot:
        return await take(self.stack.deps, [u.id for u in self.cast.everyone])

    # ---- one action --------------------------------------------------------------------------

    async def _one(self, index: int, before: Snapshot) -> Snapshot:
        self.log.take()  # what came late belongs to no action of ours
        first_call, since = len(self.emu.calls), time.monotonic()
        action = await self._act(index, before)
        settled = await self.stack.settle(SETTLE)
        after = await self._snapshot()
        if action is None:
            return after
        self.report.actions[f"{action.kind}/{action.how}"] += 1
        if self.trace:
            print(action.describe(), file=sys.stderr, flush=True)
        self.report.timed(time.monotonic() - since, action.describe())
        calls = self.emu.calls[first_call:]
        findings = self._findings(action, calls, before, after)
        if not settled:
            findings.append(Finding(checks.HANG, action.kind, f"busy after {SETTLE} s"))
        for finding in findings:
            self.report.add(finding, action.describe(), index)
        self._remember(calls, since)
        return after

    def _remember(self, calls: list[ApiCall], since: float) -> None:
        """Count what the bot said, and keep the buttons it showed for later replays."""
        for message in self.emu.state.bot_messages_since(since):
            self.report.replies += 1
            self._keep_buttons(message)
        self.report.edits += sum(1 for c in calls if c.method in checks.EDITS and c.ok)
        for chat_messages in self.emu.state.messages.values():
            for message in chat_messages[-3:]:
                if message.from_bot and message.edits and message.edits[-1].monotonic >= since:
                    self._keep_buttons(message)

    def _keep_buttons(self, message: MessageRecord) -> None:
        for button in message.buttons:
            data = button.get("callback_data")
            if data is not None and data not in self.seen:
                self.seen.append(data)

    def _findings(
        self, action: Action, calls: list[ApiCall], before: Snapshot, after: Snapshot
    ) -> list[Finding]:
        found = checks.log_findings(self.log.take())
        # what a reply may echo: what was typed, the names, the text of a pressed message
        echoes = f"{action.said} {self.names} {action.press.message.body if action.press else ''}"
        found += checks.call_findings(calls, echoes)
        if action.press is not None:
            self.report.presses += 1
            query = self.emu.callback_queries.get(action.query_id or "")
            if query is not None and query.answered:
                self.report.answered += 1
            else:
                signature = action.press.data.split(":", 1)[0][:20] or "(empty)"
                detail = f"{action.how} press of {action.press.data[:80]!r} never answered"
                found.append(Finding(checks.NOT_ANSWERED, f"{action.how} {signature}", detail))
        said = [c for c in calls if c.method in checks.SENDS | checks.EDITS]
        if self.silence_fails and action.kind == "command" and action.command and not said:
            where = "private" if action.place.private else "group"
            found.append(
                Finding(checks.SILENT, f"/{action.command} in {where}", "no message, no edit")
            )
        if action.place.thread_id is not None and action.kind in ("command", "text", "edit"):
            found += checks.topic_findings(calls, action.place.chat.id, action.place.thread_id)
        found += self._rows_findings(action, before.changed(after))
        return found

    def _rows_findings(self, action: Action, changed: dict[int, list[str]]) -> list[Finding]:
        found = []
        label = action.command or (action.press.data.split(":", 1)[0] if action.press else "")
        for person, tables in changed.items():
            what = ", ".join(tables)
            if person != action.actor.id:
                signature = f"{action.kind}/{action.how} {label} {what}"
                detail = f"person {person}: {what}"
                found.append(Finding(checks.OTHERS_CHANGED, signature, detail))
            elif action.expect in (REFUSED, READ_ONLY):
                kind = checks.REFUSAL_WROTE if action.expect == REFUSED else checks.READ_ONLY_WROTE
                signature = f"{action.kind}/{action.how} {label} {what}"
                found.append(Finding(kind, signature, f"own rows: {what}"))
        return found

    # ---- choosing and doing ------------------------------------------------------------------

    async def _act(self, index: int, known: Snapshot) -> Action | None:
        rng = self.rng
        kind = rng.choices(list(KINDS), list(KINDS.values()))[0]
        actor = rng.choice(self.cast.people) if rng.random() < 0.95 else self.cast.lurker
        places = self.cast.places_of(actor)
        private = [p for p in places if p.private]
        place = private[0] if private and rng.random() < 0.5 else rng.choice(places)
        try:
            if kind == "press":
                return await self._press(index, actor, place, known)
            if kind == "document":
                return await self._document(index, actor, place)
            if kind == "edit":
                return await self._edit(index, actor, place)
            if kind == "block" and actor is not self.cast.lurker:
                self.emu.block_bot(actor)
                return Action(index, "block", "block", actor, place, "(blocks the bot)", ANY)
            typed = {"stray": stray_command, "text": plain_text}.get(kind, command)(rng)
            return await self._type(index, actor, place, typed)
        except ValueError as refused:  # the emulator would not let a person do that
            self.report.notes.append(f"#{index} {kind} by {actor.first_name[:20]!r}: {refused}")
            return None

    async def _type(self, index: int, actor: User, place: Place, typed: Typed) -> Action:
        kind = "text" if typed.how == "text" else "stray" if typed.how == "stray" else "command"
        reply_to = None
        if kind == "text" and not place.private:  # privacy mode: only replies reach the bot
            messages = self.emu.bot_messages(place.chat)
            reply_to = messages[-1] if messages else None
        sent = await self.emu.send_message(
            actor, typed.text, place.chat, reply_to=reply_to, thread_id=place.thread_id
        )
        self.typed.setdefault(actor.id, []).append(sent)
        return Action(index, kind, typed.how, actor, place, typed.text, typed.expect, typed.command)

    async def _press(self, index: int, actor: User, place: Place, known: Snapshot) -> Action | None:
        live = [m for m in self.emu.bot_messages(place.chat) if not m.deleted]
        press = choose_press(self.rng, actor, live, self.seen, known.known)
        if press is None:
            return await self._type(index, actor, place, command(self.rng))
        query = await self.emu.press_button(actor, press.message, press.data, strict=press.strict)
        return Action(
            index, "press", press.how, actor, place, press.data, press.expect, None, press, query.id
        )

    async def _document(self, index: int, actor: User, place: Place) -> Action:
        doc: Document = choose_document(self.rng)
        caption = None if place.private else "@pythia_bot"
        await self.emu.send_document(
            actor, doc.filename, doc.content, doc.mime_type, caption, place.chat, place.thread_id
        )
        said = f"{doc.filename} ({len(doc.content)} bytes): " + doc.content[:200].decode(
            "utf-8", "replace"
        )
        action = Action(index, "document", doc.how, actor, place, said, doc.expect)
        action.said = said + " " + doc.content.decode("utf-8", "replace")[:2_000_000]
        return action

    async def _edit(self, index: int, actor: User, place: Place) -> Action:
        mine = [m for m in self.typed.get(actor.id, []) if not m.deleted and m.text]
        if not mine:  # nothing to edit yet: something to edit later
            return await self._type(index, actor, place, command(self.rng))
        message = self.rng.choice(mine[-8:])
        typed = command(self.rng) if self.rng.random() < 0.8 else plain_text(self.rng)
        if message.chat_id == actor.id and actor.blocked_bot:
            self.emu.unblock_bot(actor)  # a client edits only in a chat whose bot is unblocked
        await self.emu.edit_message(actor, message, typed.text)
        chat = self.emu.chat(message.chat_id)
        place = Place(chat, message.message_thread_id)
        return Action(index, "edit", typed.how, actor, place, typed.text, typed.expect, None)


async def fuzz(
    database_url: str,
    redis_url: str | None,
    seed: int,
    count: int,
    name: str,
    progress: int = 0,
    flood_gate: bool = False,
    trace: bool = False,
) -> Report:
    """A run of `count` actions from `seed` against a fresh Pythia on the given database;
    `progress`: a line on stderr every that many actions; `flood_gate`: with the bot's own
    limit on how fast a person may send (then an unanswered command is no failure: the gate
    turns some away); `trace`: every action on stderr."""
    async with running_stack(database_url, redis_url, flood_gate) as stack:
        fuzzer = Fuzzer(stack, seed, name)
        fuzzer.progress, fuzzer.silence_fails, fuzzer.trace = progress, not flood_gate, trace
        return await fuzzer.run(count)
