"""The one error a sentiment model that cannot be used raises, whichever model it is."""


class ModelError(Exception):
    """The model file cannot be used here; the message says why and what to do."""
