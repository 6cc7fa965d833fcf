"""Allow `python -m complaint_service`."""

from complaint_service.cli import main

main()
