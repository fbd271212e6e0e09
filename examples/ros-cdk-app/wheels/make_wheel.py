"""Writes fcgreet-1.0.0-py3-none-any.whl from src/ with fixed timestamps, so the bytes never change.

A wheel is a ZIP with a dist-info directory; writing it here keeps the example offline
(pip installs it with --no-index --find-links). Run: python3 make_wheel.py
"""
import base64
import hashlib
import os
import zipfile

NAME, VERSION = "fcgreet", "1.0.0"
HERE = os.path.dirname(os.path.abspath(__file__))
DIST_INFO = f"{NAME}-{VERSION}.dist-info"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def main():
    files = {}
    src = os.path.join(HERE, "src")
    for root, _, names in os.walk(src):
        for n in sorted(names):
            if n.endswith(".py"):
                full = os.path.join(root, n)
                files[os.path.relpath(full, src).replace(os.sep, "/")] = open(full, "rb").read()
    files[f"{DIST_INFO}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\nSummary: Greetings for the layersmith example\n"
    ).encode()
    files[f"{DIST_INFO}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: make_wheel.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = [record_line(p, d) for p, d in sorted(files.items())] + [f"{DIST_INFO}/RECORD,,"]
    files[f"{DIST_INFO}/RECORD"] = ("\n".join(record) + "\n").encode()
    out = os.path.join(HERE, f"{NAME}-{VERSION}-py3-none-any.whl")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[path])
    print(out)


if __name__ == "__main__":
    main()
