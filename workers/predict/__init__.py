"""Prediction models: training (walk-forward, calibration, promotion) in a process of its own,
and the Predictor that serves a trained bundle."""
