"""Stage 3, derive: checks of every number (against its quote, its source, the other figures of its study) and the
statistics computed here (exact intervals, effects from 2×2 counts, pooled estimates)."""
