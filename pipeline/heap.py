"""The C heap of a run's processes: large blocks given back to the system when freed.

glibc's malloc serves a block above its mmap threshold with a mapping of its own, given back
when it is freed. The threshold is dynamic, though: each such block freed raises it to that
block's size (up to 32 MB), and from then on blocks that size come from the heap, which is
given back only from its top. A run frees many arrays and buffers of a few MB (the corpus
stages' columns, a chunk's spill) among objects that live on, so the heap kept every
high-water mark: on the 4x bench corpus the run's peak was about 30 MB higher than with the
threshold fixed. Fixing it turns the dynamic rise off. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_MMAP_THRESHOLD = -3  # mallopt's parameter number, in glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, kept from then on


def give_back_large_blocks() -> bool:
    """Fix glibc's mmap threshold in this process (see the module's docstring); whether it
    was set (False where the C library is not glibc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # musl and others: no mallopt, nothing to set
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
