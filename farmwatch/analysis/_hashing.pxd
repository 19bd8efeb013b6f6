# Shared by the compiled stages (_text.pyx, _align.pyx): inlined where it is cimported.
from libc.stdint cimport uint64_t


cdef inline uint64_t splitmix64(uint64_t z) noexcept nogil:
    # text.splitmix64 of one value (unsigned arithmetic wraps as numpy's does)
    z += 0x9E3779B97F4A7C15ULL
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL
    return z ^ (z >> 31)
