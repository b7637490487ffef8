"""The BSN eleven-test (elfproef).

A BSN is nine digits, a leading zero allowed, with
``9·d1 + 8·d2 + 7·d3 + 6·d4 + 5·d5 + 4·d6 + 3·d7 + 2·d8 − 1·d9 ≡ 0 (mod 11)``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_NINE_DIGITS = re.compile(r"^[0-9]{9}$")
_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1], dtype=np.int64)


def is_valid_bsn(value: str) -> bool:
    """True when ``value`` is exactly nine ASCII digits that pass the eleven-test.

    All zeros passes the arithmetic but is no citizen service number, so it is refused.
    """
    if not isinstance(value, str) or not _NINE_DIGITS.match(value):
        return False
    digits = np.frombuffer(value.encode("ascii"), dtype=np.uint8).astype(np.int64) - ord("0")
    return int(digits @ _WEIGHTS) % 11 == 0 and value != "000000000"


def bsn_valid_series(bsns: pd.Series) -> pd.Series:
    """Vectorised eleven-test: ``boolean`` Series, ``pd.NA`` where the BSN is missing."""
    text = bsns.astype("string")
    well_formed = text.str.fullmatch(r"[0-9]{9}").fillna(False).astype(bool)
    result = pd.Series(False, index=bsns.index, dtype="boolean")
    if well_formed.any():
        chosen = text[well_formed].to_numpy(dtype=str)
        codes = np.frombuffer("".join(chosen).encode("ascii"), dtype=np.uint8)
        digits = codes.reshape(len(chosen), 9).astype(np.int64) - ord("0")
        passes = (digits @ _WEIGHTS) % 11 == 0
        passes &= chosen != "000000000"
        result[well_formed] = passes
    return result.mask(text.isna())
