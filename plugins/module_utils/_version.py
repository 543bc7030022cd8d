# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's version. Generated from galaxy.yml by ci/version.py --write; do not edit."""

from __future__ import annotations

COLLECTION_VERSION = "0.2.0"
