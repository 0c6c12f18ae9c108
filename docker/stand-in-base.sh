#!/usr/bin/env bash
# A local stand-in for the base image eclipse-temurin:17-jre, for machines that cannot reach a
# container registry but can reach a Debian mirror (apt works): Debian bookworm (debootstrap
# --variant=minbase) with its openjdk-17-jre-headless, the JRE linked at /opt/java/openjdk and
# PATH/JAVA_HOME set as in the real image, imported into the engine's image store under the real
# image's name, so that docker/Dockerfile.jvm builds unchanged. Not for production images: build
# those on the real base.
#
#   docker/stand-in-base.sh                                  # podman, its default storage
#   ENGINE="podman --storage-driver=vfs" docker/stand-in-base.sh  # as ImageIT runs it on the CI machines
#   ENGINE=docker docker/stand-in-base.sh
#
# Does nothing when the image already exists (the engine keeps it between runs). Needs root (debootstrap,
# chroot), debootstrap and the engine. Takes ~2 minutes here; the image is ~350 MB.
set -euo pipefail
ENGINE=${ENGINE:-podman}
IMAGE=${BASE_IMAGE:-eclipse-temurin:17-jre}
MIRROR=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

if $ENGINE image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "$IMAGE is already in the image store"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }

ROOTFS=$(mktemp -d /tmp/temurin-stand-in.XXXXXX)
cleanup() {
  umount "$ROOTFS/proc" 2>/dev/null || true
  rm -rf "$ROOTFS"
}
trap cleanup EXIT

echo "Building the stand-in $IMAGE from Debian bookworm ($MIRROR) in $ROOTFS"
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1 \
  || { tail -n 20 "$ROOTFS.log" >&2; exit 1; }
rm -f "$ROOTFS.log"
mount -t proc proc "$ROOTFS/proc"
# The JRE's post-install scripts (ca-certificates-java) run java, which wants /proc.
chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive sh -c '
  apt-get install -y -q --no-install-recommends openjdk-17-jre-headless ca-certificates >/var/log/jre-install.log 2>&1 ||
    { tail -n 20 /var/log/jre-install.log >&2; exit 1; }
  rm /var/log/jre-install.log &&
  apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /tmp/* &&
  mkdir -p /opt/java &&
  ln -s "$(dirname "$(dirname "$(readlink -f /usr/bin/java)")")" /opt/java/openjdk &&
  /opt/java/openjdk/bin/java -version'
umount "$ROOTFS/proc"
chmod 755 "$ROOTFS"  # mktemp made it 0700: the image's / must be traversable by non-root users

tar -C "$ROOTFS" -c . | $ENGINE import \
  --change 'ENV JAVA_HOME=/opt/java/openjdk' \
  --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["jshell"]' \
  --message "stand-in for eclipse-temurin:17-jre (Debian bookworm openjdk-17-jre-headless), built by docker/stand-in-base.sh" \
  - "$IMAGE" >/dev/null
echo "Imported $IMAGE"
