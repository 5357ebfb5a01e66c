#!/usr/bin/env bash
# Makes rootfs/ for the busybox image in the build context ($1), from the
# busybox-static:i386 .deb ($2), laid out like the real busybox image:
# every applet a link in /bin, a root user, and no /etc/hosts (the
# container runtime writes that one).
set -euo pipefail
ctx=$1 deb=$2
root=$ctx/rootfs
x=$ctx/deb
mkdir -p "$x" && dpkg-deb -x "$deb" "$x"

mkdir -p "$root"/{bin,dev,etc,home,proc,root,sys,tmp,usr/bin,usr/sbin,var/spool/mail,var/www}
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
install -m 0755 "$x/bin/busybox" "$root/bin/busybox"

# The applet list comes from the binary itself (it runs here: i386 code on an
# x86-64 kernel); the list in the repo is the fallback where it cannot.
if applets=$("$root/bin/busybox" --list 2>/dev/null) && [ -n "$applets" ]; then :; else
  applets=$(cat "$(dirname "$0")/applets.txt")
fi
for a in $applets; do
  [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
# Scripts say #!/usr/bin/env; the real image has no /usr/bin/env, ours is kinder.
ln -s ../../bin/env "$root/usr/bin/env"

cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
P
cat > "$root/etc/group" <<'G'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
G
cat > "$root/etc/shadow" <<'S'
root:*:19000:0:99999:7:::
daemon:*:19000:0:99999:7:::
bin:*:19000:0:99999:7:::
sys:*:19000:0:99999:7:::
sync:*:19000:0:99999:7:::
mail:*:19000:0:99999:7:::
www-data:*:19000:0:99999:7:::
operator:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
S
chmod 0640 "$root/etc/shadow"
chmod 0644 "$root/etc/passwd" "$root/etc/group"
rm -rf "$x"
