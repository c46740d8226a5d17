"""Runtime data of Summit Reader (lexicons, icons, demo texts written by the project).

Installed as the package ``summit_reader.resources``; read it with ``importlib.resources``.
"""
