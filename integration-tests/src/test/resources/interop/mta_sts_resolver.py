#!/usr/bin/python3
"""Debian's postfix-mta-sts-resolver as the interop peer of the TES MTA-STS implementation.

  mta_sts_resolver.py --dns HOST:PORT daemon -c CONFIG [mta-sts-daemon options]
      runs the package's own daemon (postfix_mta_sts_resolver.daemon.main, what mta-sts-daemon runs): the
      Postfix socketmap server, its cache, its TXT lookup and its HTTPS policy fetch.
  mta_sts_resolver.py --dns HOST:PORT query DOMAIN
      runs the package's resolver once (STSResolver.resolve, what mta-sts-query runs) and prints
      "status <VALID|NONE|FETCH_ERROR>", then for a valid policy "mode <mode>", "max_age <seconds>" and
      "mx <pattern>" lines.

The one thing changed is where DNS queries go: c-ares (through aiodns) takes its name servers from
/etc/resolv.conf, always on port 53, and the test DNS server listens on a loopback high port. Every aiodns
resolver the package creates is given HOST and PORT instead (pycares options servers, udp_port, tcp_port).
The policy fetch needs nothing changed: aiohttp follows the standard https_proxy environment variable (a
CONNECT proxy of the test carries the TLS connection to the policy host) and OpenSSL trusts the CAs of
SSL_CERT_FILE.
"""
import asyncio
import sys

import aiodns
from postfix_mta_sts_resolver import daemon
from postfix_mta_sts_resolver.resolver import STSResolver


def use_dns_server(address):
    host, port = address.rsplit(":", 1)
    original = aiodns.DNSResolver.__init__

    def init(self, nameservers=None, loop=None, **kwargs):
        kwargs.update(udp_port=int(port), tcp_port=int(port))
        original(self, nameservers=[host], loop=loop, **kwargs)

    aiodns.DNSResolver.__init__ = init


def query(domain):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    status, result = loop.run_until_complete(STSResolver(loop=loop).resolve(domain))
    print("status", status.name)
    if result is not None:
        _, policy = result
        print("mode", policy["mode"])
        print("max_age", policy["max_age"])
        for pattern in policy["mx"]:
            print("mx", pattern)


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[0] != "--dns" or args[2] not in ("daemon", "query"):
        sys.exit("usage: mta_sts_resolver.py --dns HOST:PORT daemon -c CONFIG | query DOMAIN")
    use_dns_server(args[1])
    if args[2] == "query":
        query(args[3])
    else:
        sys.argv = ["mta-sts-daemon"] + args[3:]
        daemon.main()


if __name__ == "__main__":
    main()
