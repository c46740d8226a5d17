#!/bin/sh
# Install the Summit Reader application folder on Linux, with its menu entry, icons and file types.
#
#   ./install.sh                  for you only: ~/.local (no root needed)
#   sudo ./install.sh --prefix /usr/local     for everyone
#   ./install.sh --uninstall [--prefix DIR]   remove it again (your libraries and settings are kept)
#
# Run it from the unpacked summit-reader folder (it sits beside the summit-reader program). It copies the
# folder to PREFIX/lib/summit-reader, links PREFIX/bin/summit-reader to it, and installs the .desktop file,
# the AppStream metainfo, the icons and the MIME type under PREFIX/share.
set -eu

APP_ID=io.github.summit_reader.SummitReader
prefix="${HOME}/.local"
uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "$0")" && pwd)
lib="$prefix/lib/summit-reader"
share="$prefix/share"
files="applications/$APP_ID.desktop metainfo/$APP_ID.metainfo.xml mime/packages/$APP_ID.xml
icons/hicolor/scalable/apps/$APP_ID.svg"
for size in 16 32 48 64 128 256; do
  files="$files icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done

refresh() {
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$share/applications" || true
  command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$share/mime" >/dev/null 2>&1 || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t -f "$share/icons/hicolor" || true
}

if [ "$uninstall" = 1 ]; then
  for f in $files; do rm -f "$share/$f"; done
  rm -f "$prefix/bin/summit-reader"
  rm -rf "$lib"
  refresh
  echo "Summit Reader removed from $prefix (your libraries and settings are kept)."
  exit 0
fi

if [ ! -x "$here/summit-reader" ] || [ ! -d "$here/share" ]; then
  echo "install.sh: run me from the unpacked summit-reader folder" >&2
  exit 1
fi

mkdir -p "$prefix/bin" "$prefix/lib"
if [ "$here" != "$lib" ]; then
  rm -rf "$lib.new"
  cp -R "$here" "$lib.new"
  rm -rf "$lib"
  mv "$lib.new" "$lib"
fi
ln -sf "$lib/summit-reader" "$prefix/bin/summit-reader"
for f in $files; do
  mkdir -p "$(dirname "$share/$f")"
  cp "$here/share/$f" "$share/$f"
done
# The menu entry runs the installed program by its full path (PREFIX/bin need not be on PATH).
sed -e "s|^Exec=summit-reader|Exec=\"$lib/summit-reader\"|" -e "s|^TryExec=summit-reader|TryExec=$lib/summit-reader|" \
  "$here/share/applications/$APP_ID.desktop" > "$share/applications/$APP_ID.desktop"
refresh
echo "Summit Reader installed in $lib; menu entry, icons and file types in $share."
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "To use the command line, add $prefix/bin to your PATH." ;;
esac
