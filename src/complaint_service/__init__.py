"""complaint-service: every complaint channel into one schema, triaged, routed and held to its SLA."""

__version__ = "0.1.0"
