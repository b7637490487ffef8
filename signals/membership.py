"""Fast membership tests on key columns (pure).

pandas 3.1's ``Series.isin`` / ``Index.isin`` on an Arrow-backed string column hashes through
Python objects and is ~20-40x slower than Arrow's own ``is_in`` for large value sets (500k
rows against 100k household keys: 0.7-1.3 s against 0.04-0.06 s). :func:`is_in` uses Arrow's
kernel where it gives the same answer and pandas everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def is_in(values: pd.Series | pd.Index, wanted: Iterable[object]) -> np.ndarray:
    """``values.isin(wanted)`` as a numpy bool array, with pandas' semantics.

    As in pandas, a missing value (NA) matches only when ``wanted`` holds a missing value
    (``None``, ``NaN`` or ``pd.NA``). The result is positional (one entry per row of
    ``values``), so it masks ``values``' frame or index directly.
    """
    if not arrow_strings(values.dtype):
        return _pandas_is_in(values, wanted)
    value_set = _string_value_set(wanted)
    if value_set is None:  # not all strings: pandas knows how such values compare
        return _pandas_is_in(values, wanted)
    found = pc.is_in(pa.array(values.array), value_set=value_set, skip_nulls=False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def arrow_strings(dtype: object) -> bool:
    """Whether ``dtype`` is a pandas string dtype stored in Arrow."""
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def arrow_array(values: pd.Series | pd.Index) -> pa.Array:
    """The Arrow data of an Arrow-backed column, as one array (chunks combined)."""
    data = pa.array(values.array)
    return data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data


def _pandas_is_in(values: pd.Series | pd.Index, wanted: Iterable[object]) -> np.ndarray:
    chosen = wanted if isinstance(wanted, pd.Series | pd.Index) else list(wanted)
    return np.asarray(values.isin(chosen), dtype=bool)


def _string_value_set(wanted: Iterable[object]) -> pa.Array | None:
    """``wanted`` as an Arrow string array (NA-likes as null), or None when it holds a value
    that is neither a string nor missing."""
    if isinstance(wanted, pd.Series | pd.Index) and arrow_strings(wanted.dtype):
        return arrow_array(wanted).cast(pa.large_string())
    items = list(wanted)
    strings = [item for item in items if isinstance(item, str)]
    if len(strings) == len(items):
        return pa.array(strings, type=pa.large_string())
    if any(not _missing(item) for item in items if not isinstance(item, str)):
        return None
    return pa.array([*strings, None], type=pa.large_string())


def _missing(item: object) -> bool:
    return item is None or item is pd.NA or (isinstance(item, float) and np.isnan(item))
