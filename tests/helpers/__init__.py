"""Programs the tests run as child processes (``python -m tests.helpers.<name>``)."""
