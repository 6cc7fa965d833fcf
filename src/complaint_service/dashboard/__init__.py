"""The supervisors' live dashboard: a static page over the JSON API, and the one list it needs."""
