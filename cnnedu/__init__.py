"""cnnedu: the small numpy package behind *Convolutional Neural Networks, Interactively*.

Layout is NCHW everywhere: images ``(N, C, H, W)``, convolution weights
``(F, C, KH, KW)``, biases ``(F,)``. See the book's chapters for the ideas and
each function's docstring for shapes.
"""
__version__ = "0.1.0"
