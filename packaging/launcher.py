"""Entry point of the bundled application (PyInstaller): the same program as the `summit-reader` command."""

from summit_reader.cli import main

if __name__ == "__main__":
    main()
