"""The commands about a person's own things — trades, portfolio, settings — and /help, /start:
the second half of the menu (bot/commands.py has the first and puts them together)."""

from __future__ import annotations

from bot.command_help import CommandHelp
from bot.i18n import N_

PERSONAL: tuple[CommandHelp, ...] = (
    CommandHelp(
        "buy",
        N_("Record a buy in your portfolio"),
        N_(
            "<b>/buy</b> SYMBOL QUANTITY [@ PRICE] [fee FEE] [on DATE]\n"
            "Records a buy after you press Confirm. Without a price, the market price now; "
            "prices and fees are in your portfolio's currency (USD unless you chose another).\n"
            "Examples: <code>/buy BTC 0.5</code> · <code>/buy ETH 2 @ 3500 fee 4.20</code> · "
            "<code>/buy SOL 10 @ 140 on 2024-03-01</code>"
        ),
    ),
    CommandHelp(
        "sell",
        N_("Record a sell from your portfolio"),
        N_(
            "<b>/sell</b> SYMBOL QUANTITY [@ PRICE] [fee FEE] [on DATE]\n"
            "Records a sell after you press Confirm; you can't sell more than you held then.\n"
            "Examples: <code>/sell BTC 0.1</code> · <code>/sell ETH 1 @ 3900 on "
            "yesterday</code>"
        ),
    ),
    CommandHelp(
        "trades",
        N_("Your trade history"),
        N_(
            "<b>/trades</b> [SYMBOL]\n"
            "Your trades, newest first, ten to a page with ◀ ▶ buttons. In a group I send them "
            "to you privately.\n"
            "Example: <code>/trades BTC</code>"
        ),
    ),
    CommandHelp(
        "undo",
        N_("Remove your last recorded trade"),
        N_(
            "<b>/undo</b>\n"
            "Shows your last recorded trade and removes it when you press Undo — unless a "
            "later sell depends on it."
        ),
    ),
    CommandHelp(
        "export",
        N_("Your trades as a CSV file"),
        N_(
            "<b>/export</b>\n"
            "Sends your trades as a CSV file (privately, when asked in a group).\n"
            "<b>Import</b>: send me a CSV file in our private chat — my own export, or columns "
            "<code>date,side,symbol,quantity,price,fee</code> — up to 1 MB. I show what I read "
            "and what I refused, line by line, and record it all when you press Confirm."
        ),
    ),
    CommandHelp(
        "portfolio",
        N_("Your holdings, their value and P&L"),
        N_(
            "<b>/portfolio</b>\n"
            "Each holding's quantity, average cost, value at the latest price, unrealised "
            "P&amp;L and share, the totals, and a picture of the allocation. In a group I send "
            "it to you privately."
        ),
    ),
    CommandHelp(
        "pnl",
        N_("Profit and loss over a period"),
        N_(
            "<b>/pnl</b> [day|week|month|year|all]\n"
            "Realised and unrealised P&amp;L since the period began (in your time zone), with "
            "a chart of your portfolio's value from daily snapshots; today when no period is "
            "given. In a group I send it to you privately. Example: <code>/pnl month</code>"
        ),
    ),
    CommandHelp(
        "settings",
        N_("All your settings in one message"),
        N_(
            "<b>/settings</b>\nYour language, time zone (found by city), portfolio currency, cost "
            "basis, quiet hours and which notices you get, each changed with a button. In a "
            "group I send them to you privately. The commands below still work as shortcuts."
        ),
    ),
    CommandHelp(
        "costbasis",
        N_("FIFO or average cost for your P&L"),
        N_(
            "<b>/costbasis</b> [fifo|average]\n"
            "How the cost of what you sell is counted: FIFO (the oldest units first; the "
            "default) or average cost. Changing it recounts all your trades. Without a choice, "
            "shows yours."
        ),
    ),
    CommandHelp(
        "currency",
        N_("The currency your portfolio is kept in"),
        N_(
            "<b>/currency</b> [USD|USDT|USDC]\n"
            "USD by default, and USDT and USDC trades count as USD; choose a stablecoin to "
            "keep them apart. Refused once your trades are booked in another currency. Without "
            "a choice, shows yours."
        ),
    ),
    CommandHelp(
        "quiet",
        N_("Quiet hours for alerts"),
        N_(
            "<b>/quiet</b> [HH:MM-HH:MM | off]\n"
            "Alerts that fire in your quiet hours arrive as one summary when they end, in your "
            "time zone (see /timezone). Without a time, shows yours.\n"
            "Examples: <code>/quiet 22:00-07:00</code> · <code>/quiet off</code>"
        ),
    ),
    CommandHelp(
        "language",
        N_("The language I speak to you"),
        N_(
            "<b>/language</b> [en|es|ru]\nEnglish, Spanish or Russian, with numbers and dates "
            "as your language writes them. At first I speak your Telegram app's language."
        ),
    ),
    CommandHelp(
        "timezone",
        N_("Your time zone"),
        N_(
            "<b>/timezone</b> [ZONE]\n"
            "The time zone your quiet hours, alert dates and P&amp;L periods are in; UTC until "
            "you set one. Without a zone, shows yours.\n"
            "Examples: <code>/timezone Europe/Berlin</code> · <code>/timezone "
            "America/New_York</code>"
        ),
    ),
    CommandHelp(
        "help",
        N_("What Pythia can do"),
        N_(
            "<b>/help</b> [command]\nAll commands, or the details of one: <code>/help price</code>."
        ),
    ),
    CommandHelp(
        "start",
        N_("Start talking to Pythia"),
        N_("<b>/start</b>\nRegisters you and shows what to try first."),
    ),
)
