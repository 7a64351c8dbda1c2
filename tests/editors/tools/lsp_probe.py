"""Minimal stdio LSP client for poking at `nianbao lsp` by hand (prints every message).

python3 lsp_probe.py NIANBAO_BIN SCRIPT.json
SCRIPT: a list of steps: {"send": {...message without jsonrpc/id...}, "request": true}
        or {"wait": seconds}. Server requests (workspace/configuration …) are answered
        with "config" from the script (default {}).
"""
import json
import subprocess
import sys
import threading
import time

bin_, script_path = sys.argv[1], sys.argv[2]
script = json.load(open(script_path, encoding="utf-8"))
config = script.get("config", {})
proc = subprocess.Popen([bin_, "lsp", "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
lock = threading.Lock()


def write(msg):
    msg = {"jsonrpc": "2.0", **msg}
    body = json.dumps(msg, ensure_ascii=False).encode()
    with lock:
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()
    print(">>", json.dumps(msg, ensure_ascii=False), flush=True)


def reader():
    while True:
        headers = {}
        while True:
            line = proc.stdout.readline()
            if not line:
                return
            line = line.decode().strip()
            if not line:
                break
            k, v = line.split(":", 1)
            headers[k.lower()] = v.strip()
        body = proc.stdout.read(int(headers["content-length"]))
        msg = json.loads(body)
        print("<<", json.dumps(msg, ensure_ascii=False), flush=True)
        if "method" in msg and "id" in msg:
            if msg["method"] == "workspace/configuration":
                write({"id": msg["id"], "result": [config.get(i.get("section", ""), None) for i in msg["params"]["items"]]})
            else:
                write({"id": msg["id"], "result": None})


threading.Thread(target=reader, daemon=True).start()
next_id = 1
for step in script["steps"]:
    if "wait" in step:
        time.sleep(step["wait"])
        continue
    msg = dict(step["send"])
    if step.get("request"):
        msg["id"] = next_id
        next_id += 1
    write(msg)
time.sleep(0.5)
proc.stdin.close()
proc.wait(5)
print("exit", proc.returncode)
