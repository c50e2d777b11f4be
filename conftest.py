"""Test-run settings shared by the unit tests and the notebooks under nbval.

The BLAS library behind numpy splits a matrix product across threads, and
float32 results (the training curves of chapter 6, for instance) change in
their last digits with the number of threads. One thread makes a run give the
same numbers on any machine of the same CPU family, whatever its core count.
These variables must be set before numpy is loaded: this file is read by
pytest before any test module, and nbval's kernels inherit the environment.
The stored notebook outputs were produced with the same setting.
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
