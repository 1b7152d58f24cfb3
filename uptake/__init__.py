"""Uptake: feature adoption gap detection for Customer Success teams."""
