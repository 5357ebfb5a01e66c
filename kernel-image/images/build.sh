#!/usr/bin/env bash
# Builds Slipway's base images as OCI image layouts, from Debian's i386
# packages and our own sources:
#
#   kernel-image/images/build.sh OUT_DIR
#
# makes OUT_DIR/<name>/{oci-layout,index.json,blobs/sha256/...} for each
# image (tag "latest"), and OUT_DIR/images.json listing them; the registry
# seeds itself from there (worker/registry/seed.ts).
#
# Each image is described by kernel-image/images/<name>/Dockerfile, in the
# small subset of the Dockerfile language this script understands:
#   FROM scratch | FROM <one of our images>
#   COPY <src> <dest>        (src from the image's folder, or made by its prepare.sh)
#   ENV KEY=VALUE   CMD [...]   ENTRYPOINT [...]   EXPOSE 80[/tcp]   WORKDIR /dir   LABEL k=v
# An optional <name>/prepare.sh CONTEXT DEB_DIR runs first to make build inputs.
#
# Reproducible: the same inputs give the same digests. Every file gets the
# same mtime and owner 0:0, tar entries are sorted, gzip stores no name or
# time, and the JSON is written by jq in a fixed key order.
set -euo pipefail

out=${1:?usage: build.sh OUT_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
cache=${SLIPWAY_CACHE:-$HOME/.cache/slipway}/debs
# A fixed time, not "now" (nor SOURCE_DATE_EPOCH, which moves with commits): 2024-01-01T00:00:00Z.
epoch=1704067200
created=2024-01-01T00:00:00Z
images=(busybox hello-world docker/getting-started)
umask 022
export LC_ALL=C

log() { printf 'images: %s\n' "$*" >&2; }

# --- what the build needs ----------------------------------------------------

apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
need() { # need COMMAND PACKAGE
  command -v "$1" >/dev/null || { log "installing $2"; apt_install "$2"; }
}
need jq jq
need gzip gzip
need dpkg-deb dpkg
need sha256sum coreutils
if ! echo 'int main(void){return 0;}' | gcc -m32 -static -x c -o /dev/null - 2>/dev/null; then
  log "installing gcc-multilib"
  apt_install gcc-multilib
fi

# busybox-static for i386, as a .deb in the cache. Never `apt-get install`
# it: the i386 package would replace this machine's own busybox.
busybox_deb() {
  mkdir -p "$cache"
  local deb
  deb=$(ls "$cache"/busybox-static_*_i386.deb 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$deb" ]; then
    dpkg --print-foreign-architectures | grep -qx i386 || { dpkg --add-architecture i386; apt_updated=; }
    log "downloading busybox-static:i386"
    # Into a private folder first, then one rename into the cache: a build
    # running alongside never sees a half-downloaded .deb. (_apt cannot
    # write there; apt warns and downloads as root: hence 2>/dev/null.)
    mkdir -p "$work/download"
    (cd "$work/download" && { apt-get download -qq busybox-static:i386 2>/dev/null ||
      { apt-get update -qq >/dev/null 2>&1 || true; apt-get download -qq busybox-static:i386 2>/dev/null; }; })
    local got
    got=$(ls "$work"/download/busybox-static_*_i386.deb)
    mv "$got" "$cache/$(basename "$got")"
    deb=$(ls "$cache"/busybox-static_*_i386.deb | sort -V | tail -n1)
  fi
  printf '%s\n' "$deb"
}

# --- OCI layout helpers -------------------------------------------------------

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# put_blob LAYOUT FILE → prints the digest; the file lands in LAYOUT/blobs/sha256/<hex>.
put_blob() {
  local hex
  hex=$(sha "$2")
  mkdir -p "$1/blobs/sha256"
  cp "$2" "$1/blobs/sha256/$hex"
  printf 'sha256:%s\n' "$hex"
}

# make_layer DIR LAYOUT → prints the layer descriptor and diff_id as JSON.
make_layer() {
  local dir=$1 layout=$2 tarball=$work/layer.tar
  (cd "$dir" && find . -mindepth 1 -printf '%P\n' | sort) > "$work/files"
  tar --create --file="$tarball" --directory="$dir" --no-recursion --files-from="$work/files" \
    --format=gnu --owner=0 --group=0 --numeric-owner --mtime="@$epoch"
  gzip -n -9 < "$tarball" > "$tarball.gz"
  local diff_id digest
  diff_id=sha256:$(sha "$tarball")
  digest=$(put_blob "$layout" "$tarball.gz")
  jq -cn --arg d "$digest" --argjson s "$(size "$tarball.gz")" --arg id "$diff_id" \
    '{descriptor: {mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}, diff_id: $id}'
}

# --- the Dockerfile interpreter -----------------------------------------------

build_image() {
  local name=$1 src=$here/$1 layout=$out/$1
  log "building $name"
  rm -rf "$layout"
  mkdir -p "$layout"
  local ctx=$work/ctx
  rm -rf "$ctx" && mkdir -p "$ctx"
  (cd "$src" && find . -mindepth 1 -maxdepth 1 ! -name Dockerfile ! -name prepare.sh ! -name applets.txt -exec cp -a {} "$ctx/" \;)
  if [ -x "$src/prepare.sh" ]; then
    local deb=
    [ "$name" = busybox ] && deb=$(busybox_deb)
    "$src/prepare.sh" "$ctx" "$deb"
  fi

  # The image being built: its config's "config" object, diff_ids, history, layer descriptors.
  local config='{}' diff_ids='[]' history='[]' layers='[]'
  local line instr args
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    instr=${line%%[[:space:]]*}
    instr=${instr^^}
    args=${line#*[[:space:]]}
    args=${args#"${args%%[![:space:]]*}"}
    local empty=true
    case $instr in
      FROM)
        if [ "$args" = scratch ]; then
          # What BuildKit gives every image that starts from nothing.
          config='{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}'
        else
          local base=$out/$args
          [ -f "$base/index.json" ] || { echo "images: $name: FROM $args: not built yet" >&2; exit 1; }
          local bm bc
          bm=$base/blobs/sha256/$(jq -r '.manifests[0].digest | sub("^sha256:"; "")' "$base/index.json")
          bc=$base/blobs/sha256/$(jq -r '.config.digest | sub("^sha256:"; "")' "$bm")
          config=$(jq -c '.config' "$bc")
          diff_ids=$(jq -c '.rootfs.diff_ids' "$bc")
          history=$(jq -c '.history' "$bc")
          layers=$(jq -c '.layers' "$bm")
          local l
          for l in $(jq -r '.layers[].digest | sub("^sha256:"; "")' "$bm"); do
            mkdir -p "$layout/blobs/sha256" && cp "$base/blobs/sha256/$l" "$layout/blobs/sha256/$l"
          done
        fi
        # FROM makes no history entry of its own: the base's history comes along.
        continue
        ;;
      COPY)
        local from to stage=$work/stage
        read -r from to <<<"$args"
        rm -rf "$stage" && mkdir -p "$stage"
        if [[ "$from" == */ ]]; then
          mkdir -p "$stage/$to" && cp -a "$ctx/$from." "$stage/$to/"
        elif [[ "$to" == */ ]]; then
          mkdir -p "$stage/$to" && cp -a "$ctx/$from" "$stage/$to"
        else
          mkdir -p "$stage/$(dirname "$to")" && cp -a "$ctx/$from" "$stage/$to"
        fi
        local layer
        layer=$(make_layer "$stage" "$layout")
        layers=$(jq -c --argjson l "$layer" '. + [$l.descriptor]' <<<"$layers")
        diff_ids=$(jq -c --argjson l "$layer" '. + [$l.diff_id]' <<<"$diff_ids")
        empty=false
        ;;
      ENV)
        local key=${args%%=*} value=${args#*=}
        config=$(jq -c --arg k "$key" --arg kv "$key=$value" \
          '.Env = ([(.Env // [])[] | select(startswith($k + "=") | not)] + [$kv])' <<<"$config")
        ;;
      CMD | ENTRYPOINT)
        local field=Cmd
        [ "$instr" = ENTRYPOINT ] && field=Entrypoint
        if jq -e 'type == "array"' <<<"$args" >/dev/null 2>&1; then
          config=$(jq -c --arg f "$field" --argjson v "$args" '.[$f] = $v' <<<"$config")
        else
          config=$(jq -c --arg f "$field" --arg v "$args" '.[$f] = ["/bin/sh", "-c", $v]' <<<"$config")
        fi
        ;;
      EXPOSE)
        local p
        for p in $args; do
          [[ "$p" == */* ]] || p=$p/tcp
          config=$(jq -c --arg p "$p" '.ExposedPorts = ((.ExposedPorts // {}) + {($p): {}})' <<<"$config")
        done
        ;;
      WORKDIR)
        config=$(jq -c --arg w "$args" '.WorkingDir = $w' <<<"$config")
        ;;
      LABEL)
        config=$(jq -c --arg k "${args%%=*}" --arg v "${args#*=}" '.Labels = ((.Labels // {}) + {($k): $v})' <<<"$config")
        ;;
      *)
        echo "images: $name: unsupported instruction: $line" >&2
        exit 1
        ;;
    esac
    history=$(jq -c --arg c "$created" --arg by "$line" --argjson e "$empty" \
      '. + [{created: $c, created_by: $by, comment: "slipway kernel-image/images/build.sh"} + (if $e then {empty_layer: true} else {} end)]' <<<"$history")
  done < "$src/Dockerfile"

  # The image config: what `docker image inspect` shows, and what a runtime needs.
  jq -cn --arg c "$created" --argjson cfg "$config" --argjson ids "$diff_ids" --argjson h "$history" \
    '{created: $c, architecture: "386", os: "linux", config: $cfg, rootfs: {type: "layers", diff_ids: $ids}, history: $h}' \
    | tr -d '\n' > "$work/config.json"
  local config_digest
  config_digest=$(put_blob "$layout" "$work/config.json")

  jq -cn --arg d "$config_digest" --argjson s "$(size "$work/config.json")" --argjson layers "$layers" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $d, size: $s}, layers: $layers}' \
    | tr -d '\n' > "$work/manifest.json"
  local manifest_digest
  manifest_digest=$(put_blob "$layout" "$work/manifest.json")

  printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
  jq -cn --arg d "$manifest_digest" --argjson s "$(size "$work/manifest.json")" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
                   platform: {architecture: "386", os: "linux"},
                   annotations: {"org.opencontainers.image.ref.name": "latest"}}]}' \
    | tr -d '\n' > "$layout/index.json"
  log "$name:latest $manifest_digest"
}

for image in "${images[@]}"; do
  build_image "$image"
done
printf '%s\n' "${images[@]}" | jq -R . | jq -cs . | tr -d '\n' > "$out/images.json"
