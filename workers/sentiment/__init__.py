"""Sentiment of headlines: VADER with a crypto lexicon, and a model trained here (the fine-tuned
encoder, or the TF-IDF light model where the encoder is not shipped).

from workers.sentiment import load_scorers
scorers = load_scorers()          # cached per process; ModelError if the file cannot be used
scorers.score(["BTC soars"])      # [Scores(vader=…, model=…, label="positive")]
scorers.version                   # which models made those scores
"""

from workers.sentiment.errors import ModelError
from workers.sentiment.scorers import Scorers, load_scorers

__all__ = ["ModelError", "Scorers", "load_scorers"]
