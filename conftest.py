"""Test-run settings shared by the unit tests and the notebooks under nbval.

The BLAS library behind numpy splits a matrix product across threads, and
float32 results can change in their last digits with the number of threads.
The model methods that train and predict run on one BLAS thread by
themselves (``cnnedu.nn.training.single_blas_thread``), so the chapters print
their stored numbers with any thread count: strict nbval passes with
``OPENBLAS_NUM_THREADS=2`` or 4 and ``--noconftest``. This file sets one
thread for the whole test run as well, so that a test calling the ops
directly gets the same float32 numbers on any machine with the same kind
of processor and the same numpy and BLAS library, and so that parallel test
runs on a small shared machine do not compete for cores. These variables
must be set before numpy is loaded: this file is read by pytest before any
test module, and nbval's kernels inherit the environment.
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
