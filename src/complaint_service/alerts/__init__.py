"""Spike alerts: workers compare recent complaint counts with their own baseline and warn supervisors."""
