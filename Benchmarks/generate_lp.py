#!/usr/bin/env python3
"""Writes N Telegraf-like line-protocol lines (cpu, mem, disk, and an http metric with a string
field) to stdout, deterministically, for the convert benchmark. Usage: generate_lp.py [N]"""
import random
import sys

def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rnd = random.Random(42)
    hosts = [f"web-{i:02d}.eu-west.example.com" for i in range(40)]
    regions = ["eu-west-1", "us-east-1", "ap-south-1"]
    devices = ["nvme0n1p1", "sda1", "sdb1"]
    paths = ["/", "/var/lib/data", "/home"]
    methods = ["GET", "POST", "PUT"]
    routes = ["/api/v1/users", "/api/v1/orders/search", "/healthz", "/static/app.js"]
    messages = ["ok", "user not found", "upstream timeout after 30s", "created \\\"order\\\""]
    ts = 1_700_000_000_000_000_000
    out = []
    w = sys.stdout.write
    for i in range(n):
        ts += 1_000_000
        host = hosts[i % len(hosts)]
        k = i % 4
        if k == 0:
            u = rnd.random() * 100
            s = rnd.random() * 20
            out.append(f"cpu,cpu=cpu{i % 8},dc={regions[i % 3]},host={host} usage_user={u:.4f},usage_system={s:.4f},usage_idle={100 - u:.4f},usage_iowait={rnd.random():.6f} {ts}\n")
        elif k == 1:
            total = 16_777_216_000
            free = rnd.randrange(1_000_000, total)
            out.append(f"mem,host={host} total={total}i,free={free}i,available={free + 1024}i,used_percent={100 * (total - free) / total:.5f} {ts}\n")
        elif k == 2:
            used = rnd.randrange(10**9, 10**11)
            out.append(f"disk,device={devices[i % 3]},fstype=ext4,host={host},path={paths[i % 3]} free={10**11 - used}i,used={used}i,used_percent={used / 10**9:.3f},inodes_free={rnd.randrange(10**6)}i {ts}\n")
        else:
            status = rnd.choice([200, 200, 200, 201, 404, 500])
            out.append(f"http,host={host},method={methods[i % 3]},path={routes[i % 4]},status={status} response_time_ms={rnd.random() * 250:.3f},bytes={rnd.randrange(100, 100000)}i,ok={'true' if status < 400 else 'false'},message=\"{messages[i % 4]}\" {ts}\n")
        if len(out) >= 10000:
            w("".join(out))
            out.clear()
    w("".join(out))

if __name__ == "__main__":
    main()
