#!/usr/bin/env python3
"""Writes the published Go module and a Go module proxy tree that serves it.

    build.py --version 0.1.0 --lib libsocketio_emitter.a --native-libs "-lm ..." --out dist/go

OUT/emitter/ is the module as it is published (RELEASING.md): the wrapper's Go files (not the
tests, and with link_pkgconfig.go replaced by the two link files of this folder), go.mod,
README.md, LICENSE, include/socketio_emitter.h and lib/linux_amd64/libsocketio_emitter.a
(stripped of debug info). OUT/proxy/ is what GOPROXY=file://OUT/proxy needs for `go get`:
<module>/@v/list, v<version>.info, .mod and .zip, the zip laid out as Go module zips are
(every file under "<module>@v<version>/", files only).
"""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
GO_DIR = os.path.dirname(HERE)  # bindings-c/go
ROOT = os.path.dirname(os.path.dirname(GO_DIR))
HEADER = os.path.join(ROOT, "bindings-c", "include", "socketio_emitter.h")


def module_path():
    with open(os.path.join(GO_DIR, "go.mod"), encoding="utf-8") as f:
        found = re.search(r"^module\s+(\S+)", f.read(), re.M)
    if not found:
        sys.exit("bindings-c/go/go.mod has no module line")
    return found.group(1)


def template(name, out, **values):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        text = f.read()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    if re.search(r"@[A-Z_]+@", text):
        sys.exit(f"{name}: a placeholder was left unfilled")
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


def build_module(dest, module, lib, native_libs):
    os.makedirs(os.path.join(dest, "include"))
    os.makedirs(os.path.join(dest, "lib", "linux_amd64"))
    for name in sorted(os.listdir(GO_DIR)):
        wanted = name.endswith(".go") and not name.endswith("_test.go") and name != "link_pkgconfig.go"
        if wanted or name in ("go.mod", "README.md"):
            shutil.copy(os.path.join(GO_DIR, name), dest)
    shutil.copy(os.path.join(ROOT, "LICENSE"), dest)
    shutil.copy(HEADER, os.path.join(dest, "include"))
    archive = os.path.join(dest, "lib", "linux_amd64", "libsocketio_emitter.a")
    shutil.copy(lib, archive)
    subprocess.run(["strip", "--strip-debug", archive], check=True)
    template("link_prebuilt.go.in", os.path.join(dest, "link_prebuilt.go"), MODULE=module, NATIVE_LIBS=native_libs)
    template("link_pkgconfig.go.in", os.path.join(dest, "link_pkgconfig.go"))
    template("include.go.in", os.path.join(dest, "include", "include.go"))
    template("lib.go.in", os.path.join(dest, "lib", "linux_amd64", "lib.go"))


def module_files(dest):
    """Every file of the module, as paths relative to it with "/", sorted."""
    files = []
    for folder, dirs, names in os.walk(dest):
        dirs.sort()
        for name in names:
            files.append(os.path.relpath(os.path.join(folder, name), dest).replace(os.sep, "/"))
    return sorted(files)


def build_proxy(proxy, dest, module, version):
    # Our module path has no upper-case letters, so its escaped form (for the proxy's folder
    # names, where "A" would be "!a") is the path itself.
    if module != module.lower():
        sys.exit(f"{module}: escape the upper-case letters for the proxy layout")
    at_v = os.path.join(proxy, *module.split("/"), "@v")
    os.makedirs(at_v)
    with open(os.path.join(at_v, "list"), "w", encoding="utf-8") as f:
        f.write(f"{version}\n")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with open(os.path.join(at_v, f"{version}.info"), "w", encoding="utf-8") as f:
        json.dump({"Version": version, "Time": stamp}, f)
    shutil.copy(os.path.join(dest, "go.mod"), os.path.join(at_v, f"{version}.mod"))
    with zipfile.ZipFile(os.path.join(at_v, f"{version}.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for rel in module_files(dest):
            info = zipfile.ZipInfo(f"{module}@{version}/{rel}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(os.path.join(dest, rel), "rb") as f:
                z.writestr(info, f.read())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", required=True, help="the release version, without the v")
    parser.add_argument("--lib", required=True, help="the release libsocketio_emitter.a")
    parser.add_argument("--native-libs", required=True, help="what a program linking the .a also needs")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    module, version = module_path(), "v" + args.version
    dest = os.path.join(args.out, "emitter")
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    build_module(dest, module, args.lib, args.native_libs)
    build_proxy(os.path.join(args.out, "proxy"), dest, module, version)
    print(f"bindings-c/go: {module}@{version} in {dest}, proxy tree in {args.out}/proxy")


if __name__ == "__main__":
    main()
