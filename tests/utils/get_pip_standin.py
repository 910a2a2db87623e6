"""Offline stand-in for the get-pip.py bootstrap script that ansible-test downloads for sanity venvs.

ansible-test runs ``python get_pip_<version>.py [pip options] pip==<version>`` in a fresh virtual environment.
The download host is out of reach on machines that only see package registries, so this script bootstraps pip
from the interpreter's own ensurepip and then lets pip install what was asked for (from the configured index).
"""
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install", "--upgrade", *args])
