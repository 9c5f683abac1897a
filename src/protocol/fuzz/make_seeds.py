#!/usr/bin/env python3
"""Writes libFuzzer seed corpora and dictionaries from the conformance vectors.

Usage: make_seeds.py CONFORMANCE_DIR OUT_DIR
Creates OUT_DIR/<target>/<n> seed files for fuzz_server_stream, fuzz_client_requests and
fuzz_field_codec (input formats in the targets' file comments) and OUT_DIR/<target>.dict.
"""
import json
import os
import sys

MIN_SV = 176


def write_seeds(out_dir, target, seeds):
    directory = os.path.join(out_dir, target)
    os.makedirs(directory, exist_ok=True)
    for old in os.listdir(directory):
        os.remove(os.path.join(directory, old))
    for n, seed in enumerate(seeds):
        with open(os.path.join(directory, "seed-%04d" % n), "wb") as f:
            f.write(seed)


def write_dict(out_dir, target, tokens):
    with open(os.path.join(out_dir, target + ".dict"), "w") as f:
        for token in sorted(set(tokens)):
            escaped = "".join(
                c if 32 <= ord(c) < 127 and c not in '"\\' else "\\x%02x" % ord(c) for c in token)
            f.write('"%s"\n' % escaped)


def main():
    conformance, out_dir = sys.argv[1], sys.argv[2]
    with open(os.path.join(conformance, "server_messages.json")) as f:
        messages = json.load(f)["messages"]
    with open(os.path.join(conformance, "client_requests.json")) as f:
        client = json.load(f)

    server_seeds = []
    by_version = {}
    for m in messages:
        sv = m["server_version"] - MIN_SV
        frame = bytes.fromhex(m["bytes_hex"])
        server_seeds.append(bytes([sv, 0]) + frame)
        server_seeds.append(bytes([sv, 7]) + frame)
        by_version.setdefault(sv, b"")
        by_version[sv] += frame
    for sv, stream in by_version.items():
        server_seeds.append(bytes([sv, 0]) + stream)
        server_seeds.append(bytes([sv, 13]) + stream)
    write_seeds(out_dir, "fuzz_server_stream", server_seeds)

    hello = bytes.fromhex(client["handshake"][0]["bytes_hex"])
    request_seeds = [bytes([11, 0]) + bytes.fromhex(h["bytes_hex"]) for h in client["handshake"]]
    streams = {}
    for r in client["requests"]:
        sv = r["server_version"] - MIN_SV
        frame = bytes.fromhex(r["bytes_hex"])
        request_seeds.append(bytes([sv, 0]) + hello + frame)
        streams.setdefault(sv, hello)
        streams[sv] += frame
    for sv, stream in streams.items():
        request_seeds.append(bytes([sv, 0]) + stream)
        request_seeds.append(bytes([sv, 5]) + stream)
    write_seeds(out_dir, "fuzz_client_requests", request_seeds)

    fields = set()
    for m in messages:
        fields.update(m["fields"])
    for r in client["requests"]:
        fields.update(r["fields"])
    fields.update(["Infinity", "-Infinity", "nan", "0x1p-3", "1e400", "1e-400", "-0.0", "1E2",
                   "2147483647", "9223372036854775807", "1.7976931348623157E308",
                   "\\u00fc", "\\ud83d\\ude00", "\\ud83d", "\u00e9".encode().decode("latin-1")])
    write_seeds(out_dir, "fuzz_field_codec",
                [f.encode("latin-1", errors="replace") if all(ord(c) < 256 for c in f)
                 else f.encode() for f in sorted(fields)])

    tokens = ["\x00", "\x00\x00\x00", "Infinity", "nan", "1e400", "-1", "2147483647", "\\u00"]
    message_ids = sorted({m["fields"][0] for m in messages})
    tokens += [i + "\x00" for i in message_ids]
    tokens += ["FUND\x00", "BAG\x00", "99\x00", "3\x00", "10\x00"]
    write_dict(out_dir, "fuzz_server_stream", tokens)
    request_ids = sorted({r["fields"][0] for r in client["requests"]})
    write_dict(out_dir, "fuzz_client_requests",
               ["API\x00", "v176..187", " +PACEAPI", "\x00", "BAG\x00"] +
               [i + "\x00" for i in request_ids])
    write_dict(out_dir, "fuzz_field_codec",
               ["\\u", "\\ud8", "\\udc", "e+", "e-", "0x", "p-", "inf", "nan", "."])


if __name__ == "__main__":
    main()
