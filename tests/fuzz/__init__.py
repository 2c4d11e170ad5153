"""A seeded fuzzer that drives the whole bot through the emulator with random and hostile
input from many people, and fails on anything a person should never see or suffer.

`python -m tests.fuzz --seed N --messages M` (`make fuzz`); see runner.py for the loop."""
