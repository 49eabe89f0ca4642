#!/usr/bin/env python3
"""Turns a JMH JSON result file (./benchmark -rf json -rff FILE) into the Markdown table of docs/benchmarks.md.

Usage: python3 bench/jmh_table.py bench/target/jmh-result.json
"""
import json
import sys

# (label, our benchmark, libsecp256k1 benchmark or None)
ROWS = [
    ("k·G, secret k (constant-time comb)", "CurveBench.kG_ours_ct", "CurveBench.kG_libsecp256k1"),
    ("k·P, secret k, fresh P (constant-time comb incl. table build)", "CurveBench.kP_ours_ct", "CurveBench.kP_libsecp256k1"),
    ("k·P, secret k, comb table already cached on P", "CurveBench.kP_ours_ct_cachedTable", "CurveBench.kP_libsecp256k1"),
    ("k·P, public k, fresh P (variable-time GLV/wNAF)", "CurveBench.kP_ours_vartime", "CurveBench.kP_libsecp256k1"),
    ("P+Q", "CurveBench.add_ours", "CurveBench.add_libsecp256k1"),
    ("decode + validate 65-byte point", "CurveBench.decode_ours", "CurveBench.decode_libsecp256k1"),
    ("ECDSA sign (RFC 6979, low-s)", "EcdsaBench.sign_ours", "EcdsaBench.sign_libsecp256k1"),
    ("ECDSA recover", "EcdsaBench.recover_ours", "EcdsaBench.recover_libsecp256k1"),
    ("ECIES encrypt, 64-byte plaintext", "EciesBench.encrypt64_ours", None),
    ("ECIES decrypt, 64-byte plaintext", "EciesBench.decrypt64_ours", None),
    ("DLEQ prove", "DleqBench.prove_ours", None),
    ("DLEQ verify", "DleqBench.verify_ours", None),
]


def fmt(score, error):
    digits = 2 if score < 10 else 1 if score < 100 else 0
    error = float(error)  # JMH writes "NaN" when there are too few iterations for an interval
    err = "n/a" if error != error else f"{error:,.{digits}f}"
    return f"{score:,.{digits}f} ± {err}"


def main(path):
    results = {}
    for r in json.load(open(path)):
        name = ".".join(r["benchmark"].split(".")[-2:])
        m = r["primaryMetric"]
        results[name] = (m["score"], m["scoreError"], m["scoreUnit"])
    print("| Operation | ours (µs/op) | libsecp256k1 (µs/op) | ours / libsecp256k1 |")
    print("|---|---:|---:|---:|")
    for label, ours, theirs in ROWS:
        if ours not in results:
            print(f"| {label} | not run | | |")
            continue
        o = results[ours]
        assert o[2] == "us/op", o
        if theirs and theirs in results:
            t = results[theirs]
            print(f"| {label} | {fmt(o[0], o[1])} | {fmt(t[0], t[1])} | {o[0] / t[0]:.1f}× |")
        else:
            print(f"| {label} | {fmt(o[0], o[1])} | no counterpart | — |")


if __name__ == "__main__":
    main(sys.argv[1])
