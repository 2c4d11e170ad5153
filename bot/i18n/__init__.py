"""The language layer: gettext catalogues (English, Spanish, Russian) and Babel's formats."""

from bot.i18n.texts import LANGUAGE_NAMES, N_, Texts, texts_for, zone_of

__all__ = ["LANGUAGE_NAMES", "N_", "Texts", "texts_for", "zone_of"]
