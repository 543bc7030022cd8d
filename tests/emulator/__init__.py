# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stateful local emulator of the VictorOps (Splunk On-Call) public REST API v1. See docs/emulator.md."""

from ._model import DEFAULT_SEED_PATH, ApiError, load_seed
from ._operations import ROUTES, VARIANT_ROUTES
from ._server import FAULT_KINDS, LIMIT_PERIODS, LIMIT_TABLES, Emulator
from ._variants import VARIANTS, Variant, format_phone

__all__ = [
    "DEFAULT_SEED_PATH",
    "FAULT_KINDS",
    "LIMIT_PERIODS",
    "LIMIT_TABLES",
    "ROUTES",
    "VARIANTS",
    "VARIANT_ROUTES",
    "ApiError",
    "Emulator",
    "Variant",
    "format_phone",
    "load_seed",
]
