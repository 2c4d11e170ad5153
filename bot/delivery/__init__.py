"""Delivery of the outbox: the bot process's sender, its pacing and its message shapes."""

from bot.delivery.sender import OutboxSender

__all__ = ["OutboxSender"]
