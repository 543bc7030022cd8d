"""Offline stand-in for the get-pip bootstrap script that ansible-test downloads.

ansible-test creates pip-less virtual environments for its sanity tests and bootstraps pip
with a script fetched from a host that may be unreachable. This script does the same job
with the interpreter's own ensurepip, then installs what ansible-test asked for.
"""

import os
import subprocess
import sys

# ensurepip sets PIP_CONFIG_FILE=/dev/null in-process; run it as a child with our environment
# so the machine's pip configuration (index, certificates) stays in force.
ENV = dict(os.environ)
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"], env=ENV)
ARGS = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install"] + ARGS, env=ENV)
