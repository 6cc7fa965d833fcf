"""Satisfaction surveys after resolution, second handling of unsatisfied customers, and CSAT."""
