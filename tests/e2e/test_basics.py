"""/start, /help and the command menu, through real polling against the emulator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Chat, User
from tests.e2e.conftest import Stack

# The module shares one running Pythia (the `stack` fixture), so it shares one event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_start_registers_the_person_once(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/start")
    assert "Welcome, Alice!" in reply.text and "/price" in reply.text
    again = await stack.ask(alice, "/start")
    assert "Welcome back, Alice!" in again.text
    async with stack.deps.sessions() as session:
        users = (await session.scalars(select(User).where(User.id == alice.id))).all()
        chats = (await session.scalars(select(Chat).where(Chat.id == alice.id))).all()
    assert [(u.id, u.first_name, u.username) for u in users] == [(alice.id, "Alice", "alice")]
    assert [(c.id, c.type) for c in chats] == [(alice.id, "private")]
    assert users[0].created_at.tzinfo is not None


async def test_start_in_a_group_registers_the_group(stack: Stack, alice) -> None:
    group = stack.emu.add_group("Traders", members=[alice], supergroup=True)
    await stack.ask(alice, "/start@pythia_bot", chat=group)
    async with stack.deps.sessions() as session:
        chat = await session.get(Chat, group.id)
    assert chat is not None and chat.type == "supergroup" and chat.title == "Traders"


async def test_help_lists_every_command_and_explains_one(stack: Stack, alice) -> None:
    overview = await stack.ask(alice, "/help")
    for command in ("/price", "/help", "/start", "/chart", "/ta", "/watch"):
        assert command in overview.text
    detail = await stack.ask(alice, "/help price")
    assert "/price SYMBOL" in detail.text and "/price BTC" in detail.text
    unknown = await stack.ask(alice, "/help <script>")
    assert unknown.text.startswith("There is no command <script>")
    assert "\n" not in unknown.text


async def test_the_command_menu_is_published_at_start(stack: Stack) -> None:
    from bot.commands import COMMANDS

    commands = dict(stack.emu.my_commands())
    assert set(commands) == {c.name for c in COMMANDS}
    assert {"price", "prices", "watch", "chart", "ta", "top", "help", "start"} <= set(commands)
    assert all(commands.values())


async def test_a_failure_inside_a_handler_gets_one_apologetic_line(stack: Stack, alice) -> None:
    # Break the far side of the database, not our code: the table /start writes to is gone.
    async with stack.deps.engine.begin() as connection:
        await connection.exec_driver_sql("ALTER TABLE chats RENAME TO chats_away")
    try:
        reply = await stack.ask(alice, "/start")
    finally:
        async with stack.deps.engine.begin() as connection:
            await connection.exec_driver_sql("ALTER TABLE chats_away RENAME TO chats")
    assert reply.text.startswith("Sorry — something went wrong on my side.")
    assert "Traceback" not in reply.text and "\n" not in reply.text


@pytest.mark.parametrize(
    ("code", "hello", "help_word"),
    [
        ("es", "¡Hola, Ana!", "Precio"),
        ("ru", "Здравствуйте, Ana!", "цена"),
        ("pt-BR", "Welcome, Ana!", "price"),
    ],
)
async def test_a_new_person_is_spoken_to_in_their_telegram_language(
    stack: Stack, code: str, hello: str, help_word: str
) -> None:
    ana = stack.emu.add_user("Ana", "ana", language_code=code)
    reply = await stack.ask(ana, "/start")
    assert reply.text.startswith(hello)
    detail = await stack.ask(ana, "/help price")
    assert help_word.lower() in detail.text.lower()
    async with stack.deps.sessions() as session:
        user = await session.get(User, ana.id)
    assert user is not None and user.language == (code[:2] if code[:2] in ("es", "ru") else "en")


async def test_language_is_changed_with_a_command_or_a_button_and_only_by_its_owner(
    stack: Stack, alice
) -> None:
    shown = await stack.ask(alice, "/language")
    assert shown.text.startswith("I speak to you in English.")
    assert [b["text"] for b in shown.buttons] == ["✓ English", "Español", "Русский"]
    changed = await stack.ask(alice, "/language ru")
    assert changed.text == "Теперь я говорю с вами на языке: Русский."
    assert (await stack.ask(alice, "/start")).text.startswith("С возвращением, Alice!")
    assert (await stack.ask(alice, "/help")).text.startswith("Pythia — криптовалютные")
    bob = stack.emu.add_user("Bob", "bob")
    group = stack.emu.add_group("Polyglots", members=[alice, bob])
    in_group = await stack.ask(alice, "/language@pythia_bot", chat=group)
    foreign = await stack.emu.press_button(bob, in_group, text="Español")
    answered = await stack.emu.wait_for_callback_answer(foreign)
    assert answered.show_alert and "/language" in (answered.answer_text or "")
    assert (await stack.ask(alice, "/start")).text.startswith("С возвращением")  # unchanged
    pressed = await stack.emu.press_button(alice, shown, text="Español")
    await stack.emu.wait_for_callback_answer(pressed)
    edited = stack.emu.state.find_message(shown.chat_id, shown.message_id)
    assert edited is not None
    await stack.emu.wait_for(lambda: edited.edit_date is not None, what="the edit")
    assert edited.text == "A partir de ahora te hablo en Español."
    assert [b["text"] for b in edited.buttons] == ["English", "✓ Español", "Русский"]
    assert (await stack.ask(alice, "/start")).text.startswith("¡Qué bueno verte de nuevo")
    bad = await stack.ask(alice, "/language klingon")
    assert bad.text.startswith("No hablo «klingon».") and "\n" not in bad.text
    await stack.ask(alice, "/language en")


async def test_the_command_menu_is_published_in_every_language(stack: Stack) -> None:
    english = dict(stack.emu.my_commands())
    spanish = dict(stack.emu.my_commands(language_code="es"))
    russian = dict(stack.emu.my_commands(language_code="ru"))
    assert set(english) == set(spanish) == set(russian)
    assert spanish["price"] == "Último precio de una o varias monedas"
    assert russian["price"] == "Последняя цена одной или нескольких монет"
    assert english["price"] == "Latest price of one or more coins"
