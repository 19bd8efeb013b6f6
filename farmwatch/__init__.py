"""farmwatch: content-farm and republication detection."""

import os

# numpy's OpenBLAS starts a thread per core at import, and they spin a while first: ~0.1 s of CPU in every
# process, on the cores the others use. Nothing here runs on more than one BLAS thread (analysis.align
# multiplies in blocks small enough for one), so one is all a process needs: every process that imports
# farmwatch, its commands (the API's, the workers') as a program embedding it. Set here, before any module
# imports numpy; a value already in the environment is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
