"""Pythia's use cases: one async function per thing a person or a job does.

Each takes `Deps` and plain arguments, owns exactly one transaction (`deps.read()`,
`deps.write()`, or `deps.write_for(person)` for changes to one person's data, serialised in the
database), and returns a typed result or raises a `core.refusal.Refusal` — a reason code and its
parameters, never a sentence. The bot and the workers call these; they never open sessions.
"""
