#!/bin/sh
# Build the guest image twice into two directories and check that the
# outputs are byte-identical, that manifest.json is valid and describes the
# files, and that the initramfs is normalised (uid/gid 0, fixed mtimes,
# sorted names). Needs no root. Exit 77 (skip) when the Debian packages
# build-guest uses are not installed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/images/build-guest

if ! why=$("$build" --check 2>&1); then
	echo "SKIP: $why"
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 missing"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vrt-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

"$build" -o "$tmp/a"
# A different TMPDIR and umask must not matter either.
mkdir "$tmp/t"
(umask 077 && TMPDIR=$tmp/t "$build" -o "$tmp/b" >/dev/null)

for f in vmlinuz initrd.img manifest.json; do
	[ -s "$tmp/a/$f" ] || fail "$f missing or empty"
	cmp "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs between two builds"
done
echo "reproducible: vmlinuz, initrd.img, manifest.json byte-identical"

# SOURCE_DATE_EPOCH is honoured and recorded.
SOURCE_DATE_EPOCH=1000000000 "$build" -o "$tmp/c" >/dev/null
cmp -s "$tmp/a/initrd.img" "$tmp/c/initrd.img" &&
	fail "SOURCE_DATE_EPOCH had no effect on initrd.img"
cmp "$tmp/a/vmlinuz" "$tmp/c/vmlinuz" || fail "vmlinuz not copied verbatim"

python3 - "$tmp/a" "$tmp/c" <<'EOF'
import gzip, hashlib, json, os, sys

def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)

def check_sorted(obj, where="$"):
    if isinstance(obj, dict):
        keys = list(obj)
        if keys != sorted(keys):
            fail("keys not sorted at %s: %s" % (where, keys))
        for k, v in obj.items():
            check_sorted(v, where + "." + k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            check_sorted(v, "%s[%d]" % (where, i))

def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

def newc_entries(data):
    """(name, mode, uid, gid, mtime) for each entry of a newc archive."""
    off, out = 0, []
    while True:
        h = data[off:off + 110]
        if h[:6] != b"070701":
            fail("initrd.img: bad newc magic at offset %d" % off)
        f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, uid, gid, mtime, fsize, namesize = f[1], f[2], f[3], f[5], f[6], f[11]
        name = data[off + 110:off + 110 + namesize - 1].decode()
        off = (off + 110 + namesize + 3) & ~3
        off = (off + fsize + 3) & ~3
        if name == "TRAILER!!!":
            return out
        out.append((name, mode, uid, gid, mtime))

def check(image, epoch=None):
    man = json.load(open(os.path.join(image, "manifest.json")))
    check_sorted(man)
    for k in ("inputs", "kernel_version", "modules", "outputs", "packages",
              "source_date_epoch", "total_size"):
        if k not in man:
            fail("manifest lacks %r" % k)
    if epoch is not None and man["source_date_epoch"] != epoch:
        fail("source_date_epoch %r, expected %r" % (man["source_date_epoch"], epoch))
    total = 0
    for o in man["outputs"]:
        p = os.path.join(image, o["path"])
        if os.path.getsize(p) != o["size"] or sha(p) != o["sha256"]:
            fail("output %s does not match the manifest" % o["path"])
        total += o["size"]
    if {o["path"] for o in man["outputs"]} != {"vmlinuz", "initrd.img"}:
        fail("outputs should be vmlinuz and initrd.img")
    if total != man["total_size"]:
        fail("total_size %d != %d" % (man["total_size"], total))
    if total >= 16 * 1024 * 1024:
        fail("guest is %d bytes, not under 16 MiB" % total)
    for i in man["inputs"]:
        if sorted(i) != ["package", "path", "sha256", "version"]:
            fail("input entry has keys %s" % sorted(i))
        if len(i["sha256"]) != 64:
            fail("bad sha256 for %s" % i["path"])
        if i["path"].startswith("/") and os.path.exists(i["path"]) \
                and sha(i["path"]) != i["sha256"]:
            fail("input %s sha256 mismatch" % i["path"])
    paths = [i["path"] for i in man["inputs"]]
    if not any(p.startswith("/boot/vmlinuz-") for p in paths) or \
            "/bin/busybox" not in paths:
        fail("inputs lack the kernel or busybox")
    for need in ("virtio_pci", "virtio_net", "virtio_ring", "virtio"):
        if need not in man["modules"]:
            fail("module %s not in the image" % need)
    if "busybox-static" not in man["packages"]:
        fail("packages lacks busybox-static")

    data = gzip.open(os.path.join(image, "initrd.img")).read()
    ents = newc_entries(data)
    names = [e[0] for e in ents]
    if names != sorted(names):
        fail("initramfs entries are not sorted")
    for name, mode, uid, gid, mtime in ents:
        if uid or gid:
            fail("%s owned by %d:%d" % (name, uid, gid))
        if mtime != man["source_date_epoch"]:
            fail("%s has mtime %d" % (name, mtime))
    kv = man["kernel_version"]
    for need in ["init", "bin/busybox", "bin/sh", "bin/vr-route", "bin/vr-lb",
                 "lib/modules/%s/vrouterd.load" % kv] + \
            ["lib/modules/%s/%s.ko" % (kv, m) for m in man["modules"]]:
        if need not in names:
            fail("initramfs lacks %s" % need)
    init_mode = dict((e[0], e[1]) for e in ents)["init"]
    if init_mode & 0o777 != 0o755:
        fail("init mode %o" % init_mode)
    return man

man = check(sys.argv[1])
check(sys.argv[2], epoch=1000000000)
print("manifest valid: %d inputs, modules %s, total %d bytes"
      % (len(man["inputs"]), " ".join(man["modules"]), man["total_size"]))
EOF
echo "PASS: guest image builds reproducibly"
