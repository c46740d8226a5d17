"""Runtime hook of the bundled app: give HTTPS (`summit-reader corpus fetch`) a CA bundle where the bundled
OpenSSL finds none. The bundle carries the OpenSSL of the machine it was built on, which looks for
certificates where that system keeps them (Debian: /usr/lib/ssl); another Linux distribution keeps them
elsewhere, and macOS has no such file. Then, and only then, point OpenSSL at certifi's CA bundle;
where the system's certificates are found (and on Windows, whose store Python reads) nothing changes."""

import os
import ssl
import sys


def _use_certifi_if_no_system_certificates() -> None:
    if os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR"):
        return
    paths = ssl.get_default_verify_paths()
    has_file = bool(paths.cafile) and os.path.isfile(paths.cafile)
    has_dir = bool(paths.capath) and os.path.isdir(paths.capath) and bool(os.listdir(paths.capath))
    if sys.platform == "win32" or has_file or has_dir:
        return
    try:
        import certifi
    except ImportError:
        return
    os.environ["SSL_CERT_FILE"] = certifi.where()


_use_certifi_if_no_system_certificates()
