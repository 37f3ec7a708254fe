from typing import Any

TABLE: int

def count_stats(x: Any, /) -> tuple[int, float, float]: ...
