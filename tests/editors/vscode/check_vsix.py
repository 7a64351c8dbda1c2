"""Checks the two .vsix packages: bundled JS without node_modules, settings and commands
contributed in both languages, and the linux-x64 package carrying an executable server."""
import json
import os
import stat
import sys
import zipfile

universal, linux = sys.argv[1], sys.argv[2]
failures = 0


def check(ok, name, detail=""):
    global failures
    print(("ok " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
    failures += 0 if ok else 1


SETTINGS = [
    "nianbao.language", "nianbao.format", "nianbao.rules", "nianbao.attach", "nianbao.profile.feeDecimals",
    "nianbao.profile.requireRectification", "nianbao.profile.section6Items", "nianbao.server.path",
    "nianbao.trace.server",
]
COMMANDS = ["nianbao.recomputeTotals", "nianbao.insertTemplate", "nianbao.restartServer", "nianbao.showOutput",
            "nianbao.showRules"]

for path in (universal, linux):
    name = os.path.basename(path)
    check(os.path.isfile(path), f"{name} exists", path)
    if not os.path.isfile(path):
        continue
    print(f"  {name}: {os.path.getsize(path)} bytes")
    z = zipfile.ZipFile(path)
    names = z.namelist()
    check("extension/dist/extension.js" in names, f"{name}: bundled extension.js")
    check(not any("node_modules/" in n for n in names), f"{name}: no node_modules", [n for n in names if "node_modules" in n][:5])
    check(not any(n.startswith("extension/src/") for n in names), f"{name}: no TypeScript sources")
    js = z.read("extension/dist/extension.js").decode()
    check("require(\"vscode-languageclient" not in js and "LanguageClient" in js, f"{name}: vscode-languageclient bundled in")
    pkg = json.loads(z.read("extension/package.json"))
    nls = json.loads(z.read("extension/package.nls.json"))
    zh = json.loads(z.read("extension/package.nls.zh-cn.json"))
    props = pkg["contributes"]["configuration"]["properties"]
    check(all(s in props for s in SETTINGS), f"{name}: all settings contributed", sorted(set(SETTINGS) - set(props)))
    keys = [v.get("markdownDescription", v.get("description", ""))[1:-1] for v in props.values()]
    check(all(k in nls and k in zh for k in keys), f"{name}: every setting described in English and Chinese",
          [k for k in keys if k not in nls or k not in zh])
    cmds = {c["command"]: c["title"][1:-1] for c in pkg["contributes"]["commands"]}
    check(all(c in cmds for c in COMMANDS), f"{name}: commands contributed", cmds)
    check([zh[cmds[c]] for c in COMMANDS] == ["重算全部合计", "插入年报模板", "重启服务器", "显示输出日志", "显示规则列表"],
          f"{name}: Chinese command titles", [zh.get(cmds.get(c, ""), "") for c in COMMANDS])
    # The palette shows "Category: Title": every command must be found by typing one word,
    # "nianbao", whatever the UI language (the Chinese README says so).
    labels = {
        lang: [f"{t[c['category'][1:-1]]}: {t[c['title'][1:-1]]}" for c in pkg["contributes"]["commands"]]
        for lang, t in (("en", nls), ("zh", zh))
    }
    check(all(l.lower().startswith("nianbao") for ls in labels.values() for l in ls),
          f"{name}: every command found by typing nianbao in an English and a Chinese UI", labels)
    check(all("年报" in l for l in labels["zh"]), f"{name}: every command found by typing 年报 in a Chinese UI",
          labels["zh"])
    check(pkg["engines"]["vscode"] == "^1.82.0", f"{name}: engines.vscode ^1.82.0", pkg["engines"])
    check("extension/images/screenshot.png" in names or "extension/readme.md" in names, f"{name}: README packaged")
    manifest = z.read("extension.vsixmanifest").decode()
    if path == linux:
        check('TargetPlatform="linux-x64"' in manifest, f"{name}: target platform linux-x64")
        info = z.getinfo("extension/server/nianbao") if "extension/server/nianbao" in names else None
        check(info is not None, f"{name}: bundles extension/server/nianbao")
        if info:
            mode = info.external_attr >> 16
            check(bool(mode & stat.S_IXUSR), f"{name}: server is executable", oct(mode))
            print(f"  server binary: {info.file_size} bytes")
    else:
        check("TargetPlatform" not in manifest, f"{name}: universal package")
        check(not any(n.startswith("extension/server/") for n in names), f"{name}: no bundled server")

print(f"vsix checks done: {failures} failed")
sys.exit(1 if failures else 0)
