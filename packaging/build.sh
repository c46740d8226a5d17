#!/usr/bin/env bash
# Build Summit Reader for people who do not use pip, and test what was built. On Debian/Ubuntu (root or sudo):
#
#   bash packaging/build.sh
#
#   1. the wheel and sdist (python -m build)                        -> dist/summit_reader-V-*.whl, .tar.gz
#   2. the application folder, from that wheel (PyInstaller)         -> dist/summit-reader/
#      with the Linux desktop files and install.sh in it, and its archive -> dist/summit-reader-V-linux-ARCH.tar.gz
#   3. checks: the .desktop file (desktop-file-validate), the AppStream metainfo (appstreamcli validate),
#      the MIME type (update-mime-database); then the BUILT program, offscreen and outside the venv:
#      --version, --smoke-test (window on the demo library, screenshot, spaCy) offscreen and on Xvfb, the
#      importers on one file of each kind, and install.sh into a scratch prefix.
# Prints the bundle's size and the build time; exits non-zero on any failure.
# PYTHON=/path/to/python picks the Python environment to build with (default: .venv, made by scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
start=$(date +%s)
APP_ID=io.github.summit_reader.SummitReader
step() { echo "== build: $*"; }

# ------------------------------------------------------------------------------------ tools
need=""
for tool in appstreamcli:appstream desktop-file-validate:desktop-file-utils strip:binutils \
            update-mime-database:shared-mime-info xvfb-run:xvfb xauth:xauth; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need="$need ${tool##*:}"
done
if [ -n "$need" ]; then
  step "installing$need"
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "build: need$need (apt-get install), and I am not root and have no sudo" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
if [ -z "${PYTHON:-}" ] && [ ! -x .venv/bin/python ]; then bash scripts/setup.sh; fi
py=${PYTHON:-.venv/bin/python}
# -e keeps the development install editable; the bundle itself is made from the wheel built below.
"$py" -m pip install --quiet -e '.[packaging]'
version=$("$py" -c 'import summit_reader; print(summit_reader.__version__)')
arch=$(uname -m)

# --------------------------------------------------------------------- 1. wheel and sdist
step "wheel and sdist of summit-reader $version"
rm -rf dist build/pyinstaller build/icons build/check
mkdir -p build
"$py" -m build --outdir dist . >build/python-build.log 2>&1 || { cat build/python-build.log >&2; exit 1; }
wheel=$(ls dist/summit_reader-"$version"-*.whl)
sdist=dist/summit_reader-"$version".tar.gz
"$py" - "$wheel" "$sdist" <<'EOF'
import sys, tarfile, zipfile
wheel, sdist = sys.argv[1:]
need = ["resources/lexicons/default.yml", "resources/demo/manifest.json", "resources/icons/summit-reader.svg"]
names = zipfile.ZipFile(wheel).namelist()
missing = [n for n in need if f"summit_reader/{n}" not in names]
tar = tarfile.open(sdist).getnames()
missing += [f"sdist: {n}" for n in need if not any(t.endswith("/" + n) for t in tar)]
if missing:
    sys.exit(f"build: missing from the wheel/sdist: {missing}")
print(f"build: {wheel} and {sdist} hold the resources")
EOF

# ------------------------------------------------------- desktop integration files (checked)
step "icons and desktop files"
"$py" packaging/render_icons.py build/icons
desktop-file-validate packaging/linux/$APP_ID.desktop
appstreamcli validate --no-net packaging/linux/$APP_ID.metainfo.xml
grep -q "<release version=\"$version\"" packaging/linux/$APP_ID.metainfo.xml \
  || { echo "build: the metainfo has no <release> for $version" >&2; exit 1; }
mkdir -p build/check/mime/packages
cp packaging/linux/$APP_ID.mime.xml build/check/mime/packages/
XDG_DATA_DIRS="$root/build/check" update-mime-database build/check/mime
grep -q "application/x-summit-reader-library" build/check/mime/types \
  || { echo "build: the MIME type was not registered" >&2; exit 1; }

# ------------------------------------------------------------------ 2. the application folder
step "application folder (PyInstaller)"
t0=$(date +%s)
SUMMIT_READER_WHEEL="$root/$wheel" "$py" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/summit-reader.spec
build_seconds=$(( $(date +%s) - t0 ))
app=dist/summit-reader
share=$app/share
install -D -m 644 packaging/linux/$APP_ID.desktop "$share/applications/$APP_ID.desktop"
install -D -m 644 packaging/linux/$APP_ID.metainfo.xml "$share/metainfo/$APP_ID.metainfo.xml"
install -D -m 644 packaging/linux/$APP_ID.mime.xml "$share/mime/packages/$APP_ID.xml"
mkdir -p "$share/icons"
cp -R build/icons/hicolor "$share/icons/"
install -m 755 packaging/linux/install.sh "$app/install.sh"

# ------------------------------------------------------------------ 3. test the built program
step "testing the built program"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Outside the venv and the work tree, with a bare environment: only what the folder holds.
run_app() {
  (cd "$scratch" && env -i PATH=/usr/bin:/bin HOME="$scratch/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
     XDG_RUNTIME_DIR="$scratch" "$root/$app/summit-reader" "$@")
}
mkdir -p "$scratch/home"
got=$(run_app --version)
[ "$got" = "summit-reader, version $version" ] || { echo "build: --version said '$got'" >&2; exit 1; }
echo "build: $got"
run_app --smoke-test "$root/build/smoke-test.png"
# and on a real X server, through Qt's xcb platform plugin and the X libraries in the folder
(cd "$scratch" && env -i PATH=/usr/bin:/bin HOME="$scratch/home" LANG=C.UTF-8 XDG_RUNTIME_DIR="$scratch" \
   xvfb-run -a -s "-screen 0 1600x1000x24" "$root/$app/summit-reader" --smoke-test "$root/build/smoke-test-x11.png")
"$py" packaging/make_samples.py "$scratch/samples"
run_app --db "$scratch/lib.sqlite3" import "$scratch"/samples/sample.*
run_app --db "$scratch/lib.sqlite3" stats --category modal --category safety --format csv > "$scratch/stats.csv"
cat "$scratch/stats.csv"
"$py" - "$scratch/stats.csv" "$scratch"/samples/sample.* <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
if len(rows) != len(sys.argv) - 2 or any((r["modal"], r["safety"]) != ("2", "1") for r in rows):
    sys.exit("build: the built program did not import and count every sample file")
EOF
for user_dir in "$scratch/home/.local/share/summit-reader" "$scratch/home/.config/summit-reader"; do
  [ ! -e "$user_dir" ] || { echo "build: the tests wrote into the user's folder $user_dir" >&2; exit 1; }
done
step "install.sh into a scratch prefix"
"$app/install.sh" --prefix "$scratch/prefix"
desktop-file-validate "$scratch/prefix/share/applications/$APP_ID.desktop"
"$scratch/prefix/bin/summit-reader" --version
"$app/install.sh" --prefix "$scratch/prefix" --uninstall
[ ! -e "$scratch/prefix/bin/summit-reader" ] && [ ! -e "$scratch/prefix/lib/summit-reader" ]

# ------------------------------------------------------------------------------ the archive
step "archive"
archive=dist/summit-reader-$version-linux-$arch.tar.gz
tar -C dist -czf "$archive" summit-reader
size=$(du -sh "$app" | cut -f1)
archive_size=$(du -sh "$archive" | cut -f1)
echo "build: OK  summit-reader $version"
echo "build:   application folder $app: $size (archive $archive: $archive_size)"
echo "build:   wheel $wheel: $(du -h "$wheel" | cut -f1); sdist: $(du -h "$sdist" | cut -f1)"
echo "build:   PyInstaller took ${build_seconds} s; everything (build and checks) $(( $(date +%s) - start )) s"
