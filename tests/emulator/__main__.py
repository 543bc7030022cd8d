# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line: ``python -m ansible_collections.victorops.oncall.tests.emulator --seed FILE --port N``."""

import argparse
import signal
import sys
import threading

from ._model import DEFAULT_SEED_PATH
from ._server import DEFAULT_LATE_WRITE_DELAY, FAULT_KINDS, LIMIT_TABLES, Emulator
from ._variants import KNOWN_VARIANTS, VARIANTS, Variant


def parse_fault(text):
    """``METHOD:PATH:KIND[:COUNT[:NAME=VALUE,...]]`` -> inject() arguments."""
    parts = text.split(":")
    if len(parts) < 3 or len(parts) > 5:
        raise argparse.ArgumentTypeError("expected METHOD:PATH:KIND[:COUNT[:NAME=VALUE,...]], got %r" % text)
    method, path, kind = parts[:3]
    if kind not in FAULT_KINDS:
        raise argparse.ArgumentTypeError("unknown fault kind %r (known: %s)" % (kind, ", ".join(FAULT_KINDS)))
    count = int(parts[3]) if len(parts) > 3 and parts[3] else 1
    options = {}
    if len(parts) == 5 and parts[4]:
        for item in parts[4].split(","):
            name, _sep, value = item.partition("=")
            options[name] = float(value) if name == "seconds" else int(value)
    return method, path, kind, count, options


def parse_variant(text):
    if text not in VARIANTS:
        raise argparse.ArgumentTypeError("unknown emulator variant %r (known: %s)" % (text, KNOWN_VARIANTS))
    return Variant(text)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m ansible_collections.victorops.oncall.tests.emulator", description="Local VictorOps public API v1 emulator."
    )
    parser.add_argument("--seed", default=DEFAULT_SEED_PATH, help="seed YAML file (default: the demo organisation)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--window", type=float, default=None, help="rate-limit window in seconds (default: $VICTOROPS_RATE_WINDOW or 60)")
    parser.add_argument("--limits", choices=sorted(LIMIT_TABLES), default=None, help="rate-limit table (default: seed, or the one a rate-* variant names)")
    parser.add_argument("--rate-limit-status", type=int, choices=(429, 403), default=429)
    parser.add_argument("--retry-after", action="store_true", help="send Retry-After on rate-limited answers")
    parser.add_argument("--tls-cert", help="PEM certificate; serve https when given with --tls-key")
    parser.add_argument("--tls-key", help="PEM private key")
    parser.add_argument("--fault", action="append", type=parse_fault, default=[], help="METHOD:PATH:KIND[:COUNT[:NAME=VALUE,...]] (repeatable)")
    parser.add_argument(
        "--variant", action="append", type=parse_variant, default=[], metavar="NAME", help="behaviour variant (repeatable): %s" % KNOWN_VARIANTS
    )
    parser.add_argument(
        "--late-write-delay",
        type=float,
        default=DEFAULT_LATE_WRITE_DELAY,
        metavar="SECONDS",
        help="seconds before a late write is carried out (late-writes variant, late-write fault; default %(default)s)",
    )
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    tls = (args.tls_cert, args.tls_key) if args.tls_cert else None
    try:
        emulator = Emulator(
            seed=args.seed,
            window=args.window,
            limits=args.limits,
            rate_limit_status=args.rate_limit_status,
            retry_after=args.retry_after,
            tls=tls,
            host=args.host,
            port=args.port,
            variants=args.variant,
            late_write_delay=args.late_write_delay,
        )
    except (TypeError, ValueError) as error:
        parser.error(str(error))
    for method, path, kind, count, options in args.fault:
        emulator.inject(method, path, kind, count, **options)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    emulator.start()
    print("VictorOps emulator listening on %s" % emulator.url, flush=True)
    try:
        while not stopping.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
