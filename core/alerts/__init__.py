"""Alerts, pure: the grammar people type, the price index a tick is matched against, and the
backtest that says how often an alert would have fired."""
