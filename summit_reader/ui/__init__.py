"""The Qt window of Summit Reader. Importing this package applies :mod:`summit_reader.ui.pyside_fix`."""

from summit_reader.ui.pyside_fix import protect_singletons

protect_singletons()
