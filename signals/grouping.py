"""Vectorised per-group reductions that pandas only offers through Python callables (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from signals.membership import arrow_array, arrow_strings


def join_per_group(keys: pd.Series, values: pd.Series, separator: str) -> pd.Series:
    """``values.groupby(keys).agg(separator.join)``, without a Python call per group.

    Same result as pandas: one row per distinct key (sorted, NA keys left out), the values
    joined in their row order. ``values`` with a missing value, or not Arrow strings, take
    pandas' own path (which then refuses or copes exactly as before).
    """
    if (
        not arrow_strings(values.dtype)
        or isinstance(keys.dtype, pd.CategoricalDtype)
        or bool(values.isna().any())
    ):
        return values.groupby(keys).agg(separator.join)
    codes, uniques = keys.factorize(sort=True)
    present = codes >= 0
    # A stable sort by group keeps each group's rows in their order; groups are then runs.
    # NA keys (code -1) sort first and are dropped, as groupby drops them.
    order = np.argsort(codes, kind="stable")[int((~present).sum()) :]
    counts = np.bincount(codes[present], minlength=len(uniques))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    items = arrow_array(values).take(pa.array(order, type=pa.int64()))
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, type=pa.int64()), items)
    joined = pc.binary_join(lists, pa.scalar(separator, type=items.type))
    return pd.Series(
        pd.array(joined, dtype=values.dtype),
        index=pd.Index(uniques, name=keys.name),
        name=values.name,
    )
