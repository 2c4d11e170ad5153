"""One module per digest section: NAME, NEEDS (core.digest.inputs names), its facts model
and a pure compose(inputs, coins, at) -> facts | None (None: nothing to say)."""
