#!/usr/bin/python3
"""dkimpy (Debian python3-dkim) as the interop peer of the TES DKIM signer and verifier.

  dkimpy_driver.py verify --dns HOST:PORT < message
      verifies every DKIM-Signature of the message (CRLF line ends) with dkimpy, fetching the key records
      over DNS from HOST:PORT (dnspython, UDP then TCP); prints one line per signature, in header order:
      "<d> <s> pass" or "<d> <s> fail <reason>"; exit status 0 unless the driver itself fails.
  dkimpy_driver.py sign --domain D --selector S --key FILE --algorithm rsa-sha256|ed25519-sha256
                        --canon relaxed/relaxed [--headers From,To,...] < message
      signs the message with dkimpy and writes the signed message (signature first) to stdout.
      FILE holds a PKCS#8 PEM RSA key, or the base64 of a raw 32-byte Ed25519 seed (dkimpy's format).
  dkimpy_driver.py bench-sign|bench-verify ... --seconds N < message
      times dkimpy signing (same arguments as sign) or verifying (keys from --dns, or from --records FILE of
      "name<TAB>TXT" lines, a warm in-memory lookup) for N seconds of wall time after one warm-up pass;
      prints "ops <count> seconds <elapsed>".
"""
import argparse
import sys
import time

import dkim
import dns.message
import dns.query
import dns.rdatatype


def dns_lookup(server):
    host, port = server.rsplit(":", 1)
    port = int(port)

    def lookup(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("ascii")
        query = dns.message.make_query(name, dns.rdatatype.TXT)
        response, _ = dns.query.udp_with_fallback(query, host, timeout=timeout, port=port)
        for rrset in response.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                return b"".join(list(rrset.items)[0].strings)
        return None

    return lookup


def file_lookup(path):
    records = {}
    with open(path, encoding="ascii") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if line:
                name, text = line.split("\t", 1)
                records[name.rstrip(".").lower()] = text.encode("ascii")

    def lookup(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("ascii")
        return records.get(name.rstrip(".").lower())

    return lookup


def verify_all(message, lookup):
    results = []
    verifier = dkim.DKIM(message)
    count = sum(1 for name, _ in verifier.headers if name.lower() == b"dkim-signature")
    for index in range(count):
        verifier = dkim.DKIM(message)
        try:
            ok = verifier.verify(idx=index, dnsfunc=lookup)
            reason = "" if ok else "signature did not verify"
        except dkim.DKIMException as e:
            ok, reason = False, "%s: %s" % (type(e).__name__, e)
        domain = (verifier.domain or b"-").decode("ascii", "replace")
        selector = (verifier.selector or b"-").decode("ascii", "replace")
        results.append((domain, selector, ok, reason))
    return results


def signer(args):
    with open(args.key, "rb") as f:
        key = f.read().strip()
    canon = tuple(part.encode("ascii") for part in args.canon.split("/"))
    headers = None
    if args.headers:
        headers = [h.strip().encode("ascii") for h in args.headers.split(",")]

    def sign(message):
        return dkim.sign(message, args.selector.encode("ascii"), args.domain.encode("ascii"), key,
                         canonicalize=canon, signature_algorithm=args.algorithm.encode("ascii"),
                         include_headers=headers, linesep=b"\r\n")

    return sign


def timed(operation, seconds):
    operation()
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    now = start
    while now < deadline:
        operation()
        count += 1
        now = time.perf_counter()
    print("ops %d seconds %.6f" % (count, now - start))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["verify", "sign", "bench-sign", "bench-verify"])
    parser.add_argument("--dns")
    parser.add_argument("--records")
    parser.add_argument("--domain")
    parser.add_argument("--selector")
    parser.add_argument("--key")
    parser.add_argument("--algorithm", default="rsa-sha256")
    parser.add_argument("--canon", default="relaxed/relaxed")
    parser.add_argument("--headers")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    message = sys.stdin.buffer.read()
    if args.mode in ("verify", "bench-verify"):
        lookup = file_lookup(args.records) if args.records else dns_lookup(args.dns)
        if args.mode == "verify":
            for domain, selector, ok, reason in verify_all(message, lookup):
                print("%s %s %s" % (domain, selector, "pass" if ok else "fail " + reason))
        else:
            def verify_once():
                if not all(ok for _, _, ok, _ in verify_all(message, lookup)):
                    raise SystemExit("a signature did not verify")
            timed(verify_once, args.seconds)
    else:
        sign = signer(args)
        if args.mode == "sign":
            sys.stdout.buffer.write(sign(message) + message)
        else:
            timed(lambda: sign(message), args.seconds)


if __name__ == "__main__":
    main()
