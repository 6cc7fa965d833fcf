"""Compensation on complaints: agents propose, supervisors approve above a limit, agents grant."""
