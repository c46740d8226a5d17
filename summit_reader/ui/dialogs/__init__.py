"""The window's dialogs (document details, the AI-summit texts, backups, a library that cannot be opened,
keyboard shortcuts…), each one class that a test can create and drive on its own."""
