"""A file too large, too long or with a line too long is refused in one line that says the
limit, in the person's language."""

from __future__ import annotations

import pytest

from bot.i18n import texts_for
from bot.views.imports import unreadable
from core.trades_csv import MAX_FILE_BYTES, MAX_LINE, MAX_LINES, CsvUnreadable


@pytest.mark.parametrize(
    ("refusal", "said"),
    [
        (
            CsvUnreadable("csv.too_big", size=3 * MAX_FILE_BYTES // 2, limit=MAX_FILE_BYTES),
            "It is 1.5 MB, and I read files of up to 1 MB — split it and send the parts.",
        ),
        (
            CsvUnreadable("csv.too_many_lines", lines=MAX_LINES + 1, limit=MAX_LINES),
            "It has 20,001 lines, and I read files of up to 20,000 lines — split it and send "
            "the parts.",
        ),
        (
            CsvUnreadable("csv.line_too_long", line=2, limit=MAX_LINE),
            "Line 2 is longer than 1,000 characters, far more than a trade takes — is it the "
            "right file?",
        ),
    ],
)
def test_a_file_over_a_limit_is_refused_in_one_line(refusal: CsvUnreadable, said: str) -> None:
    assert unreadable(texts_for("en"), "trades.csv", refusal) == (
        f"I couldn't read trades from trades.csv. {said}"
    )


def test_the_limits_read_in_spanish_and_russian() -> None:
    lines = CsvUnreadable("csv.too_many_lines", lines=MAX_LINES + 1, limit=MAX_LINES)
    assert "20.001 líneas" in unreadable(texts_for("es"), "x.csv", lines)
    assert "20 001 строка" in unreadable(texts_for("ru"), "x.csv", lines).replace("\xa0", " ")
    size = CsvUnreadable("csv.too_big", size=3 * MAX_FILE_BYTES // 2, limit=MAX_FILE_BYTES)
    assert "1,5 MB" in unreadable(texts_for("es"), "x.csv", size)
