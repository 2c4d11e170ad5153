"""The people and chats of a fuzz run: private chats, a small group, a supergroup where the
bot is an admin (so it sees everything), and a forum with topics."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.emulator import Chat, Emulator, User

# (first name, username, Telegram language); names a view could forget to escape
PEOPLE = (
    ("Alice", "alice", "en"),
    ("Борис", "boris", "ru"),
    ("Carmen <b>&amp;</b>", "carmen", "es"),
    ("D\u202eave\u200b", None, None),
    ("Eve 👨‍👩‍👧‍👦 {name} %s", "eve", "pt-BR"),
    ("F" * 64, "frank", "zz"),
    ("Grace & <i>", "grace", "es-MX"),
    ("Heidi", "heidi", "ru-RU"),
)
TOPICS = (None, 2, 7, 11)  # a forum's topics by thread id; None: the General topic


@dataclass
class Place:
    """Where an action happens: a chat, and a topic of it when it is a forum."""

    chat: Chat
    thread_id: int | None = None

    @property
    def private(self) -> bool:
        return self.chat.is_private

    @property
    def label(self) -> str:
        if self.private:
            return "private"
        topic = f"/topic {self.thread_id}" if self.thread_id is not None else ""
        return f"{self.chat.title}{topic}"


@dataclass
class Cast:
    people: list[User]
    lurker: User  # in the groups, never started the bot: it cannot write to them first
    groups: list[Chat]
    forum: Chat
    members: dict[int, list[User]] = field(default_factory=dict)  # chat id -> who is in it
    private_chats: dict[int, Chat] = field(default_factory=dict)  # user id -> their chat

    @property
    def everyone(self) -> list[User]:
        return [*self.people, self.lurker]

    def places_of(self, user: User) -> list[Place]:
        """Every chat (and topic) `user` can write in."""
        places = [] if user is self.lurker else [Place(self.private_chats[user.id])]
        for chat in [*self.groups, self.forum]:
            if user in self.members[chat.id]:
                topics = TOPICS if chat is self.forum else (None,)
                places += [Place(chat, topic) for topic in topics]
        return places


def assemble(emu: Emulator) -> Cast:
    people = [
        emu.add_user(name, username, language_code=language) for name, username, language in PEOPLE
    ]
    lurker = emu.add_user("Lurker", "lurker", started=False)
    everyone = [*people, lurker]
    small = emu.add_group("Traders <b>&", [*people[:4], lurker], creator=people[0])
    big = emu.add_group(
        "Whales 🐳", [*people[2:], lurker], supergroup=True, bot_is_admin=True, creator=people[3]
    )
    forum = emu.add_group("Forum", everyone, is_forum=True, creator=people[1])
    members = {small.id: [*people[:4], lurker], big.id: [*people[2:], lurker], forum.id: everyone}
    private = {user.id: emu.private_chat(user) for user in people}
    return Cast(people, lurker, [small, big], forum, members, private)
