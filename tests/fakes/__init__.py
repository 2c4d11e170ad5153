"""Fakes of the outside world that run over real protocols (HTTP on loopback), for tests and
benchmarks: the code under test and its libraries run unmodified against them."""
