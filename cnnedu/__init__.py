"""cnnedu: the small numpy package behind *Convolutional Neural Networks, Interactively*.

Layout is NCHW everywhere: images ``(N, C, H, W)``, convolution weights
``(F, C, KH, KW)``, biases ``(F,)``. See the book's chapters for the ideas and
each function's docstring for shapes.

``import cnnedu`` gives the curated public API (numpy only: it loads neither
matplotlib nor ipywidgets):

Functional ops (forward, and backward where training needs it)
    ``conv2d``, ``conv2d_backward``, ``correlate2d``, ``convolve2d``,
    ``max_pool2d``, ``max_pool2d_backward``, ``avg_pool2d``,
    ``avg_pool2d_backward``, ``global_avg_pool2d``,
    ``global_avg_pool2d_backward``, ``global_max_pool2d``,
    ``global_max_pool2d_backward``, ``dense``, ``dense_backward``,
    ``dropout``, ``dropout_backward``, ``batch_norm2d``,
    ``batch_norm2d_backward``; the activations and their
    derivatives ``relu``, ``relu_grad``, ``leaky_relu``, ``leaky_relu_grad``,
    ``elu``, ``elu_grad``, ``selu``, ``selu_grad``, ``sigmoid``,
    ``sigmoid_grad``, ``tanh``, ``tanh_grad``, and ``softmax``; the losses
    ``softmax_cross_entropy``, ``mse`` and the metric ``accuracy``.
    The loop-based ``*_naive`` twins stay in their modules
    (``cnnedu.ops.conv.conv2d_naive``, ...).
Geometry
    ``conv_output_size``: ``floor((n + 2p - d(k - 1) - 1) / s) + 1``.
Layers
    ``Conv2D``, ``MaxPool2D``, ``AvgPool2D``, ``GlobalAvgPool2D``,
    ``Flatten``, ``Dense``, ``Dropout``, ``BatchNormalization``,
    ``ResidualBlock`` (and ``residual_block``, He et al.'s basic block), ``Activation``,
    ``ReLU``,
    ``LeakyReLU``, ``ELU``, ``SELU``, ``GELU``, ``SiLU``, ``PReLU``, ``Sigmoid``,
    ``Tanh``, ``Softmax``,
    ``Input``, ``Layer`` (the protocol) and Keras' longer names
    ``MaxPooling2D``, ``AveragePooling2D``, ``GlobalAveragePooling2D``.
Models and training
    ``Sequential``, the optimizers ``SGD`` and ``Adam``, the learning-rate
    schedules ``StepDecay``, ``CosineDecay`` (base class
    ``LearningRateSchedule``) that an optimizer takes as its ``lr``, and the
    augmentation ``RandomShift`` that ``fit(..., augment=...)`` takes, with
    ``shift_images``, which it uses.
Data
    ``load_digits`` (real MNIST digits shipped with the package),
    ``load_sample_image`` (a photograph), ``load_mnist`` (the full set,
    downloaded once).
Showing code
    ``show_source(obj)``: print a function's source, as the chapters do.

Everything else lives in its module: :mod:`cnnedu.samples` (the inputs the
chapters share), :mod:`cnnedu.kernels`, :mod:`cnnedu.gradcheck`,
:mod:`cnnedu.explain`, and the drawing (:mod:`cnnedu.viz`) and explorers
(:mod:`cnnedu.widgets`), which need matplotlib and ipywidgets.
"""
from .data import load_digits, load_mnist, load_sample_image
from .geometry import conv_output_size
from .nn import (ELU, GELU, SELU, Activation, AveragePooling2D, AvgPool2D, BatchNormalization,
                 Conv2D, Dense, Dropout, Flatten, GlobalAveragePooling2D, GlobalAvgPool2D, Input,
                 Layer, LeakyReLU, MaxPool2D, MaxPooling2D, PReLU, ReLU, ResidualBlock, Sigmoid,
                 SiLU, Softmax, Tanh, residual_block)
from .nn.model import Sequential
from .nn.augment import RandomShift, shift_images
from .nn.optim import SGD, Adam
from .nn.schedules import CosineDecay, LearningRateSchedule, StepDecay
from .ops.activation import (elu, elu_grad, leaky_relu, leaky_relu_grad, relu, relu_grad, selu,
                             selu_grad, sigmoid, sigmoid_grad, softmax, tanh, tanh_grad)
from .ops.conv import conv2d, conv2d_backward, convolve2d, correlate2d
from .ops.dense import dense, dense_backward
from .ops.dropout import dropout, dropout_backward
from .ops.loss import accuracy, mse, softmax_cross_entropy
from .ops.norm import batch_norm2d, batch_norm2d_backward
from .ops.pool import (avg_pool2d, avg_pool2d_backward, global_avg_pool2d,
                       global_avg_pool2d_backward, global_max_pool2d, global_max_pool2d_backward,
                       max_pool2d, max_pool2d_backward)
from .source import show_source

__version__ = "0.1.0"

__all__ = [
    # functional ops
    "conv2d", "conv2d_backward", "correlate2d", "convolve2d",
    "max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward",
    "global_avg_pool2d", "global_avg_pool2d_backward",
    "global_max_pool2d", "global_max_pool2d_backward",
    "dense", "dense_backward", "dropout", "dropout_backward",
    "batch_norm2d", "batch_norm2d_backward",
    "relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "elu", "elu_grad",
    "selu", "selu_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "softmax",
    "softmax_cross_entropy", "mse", "accuracy",
    # geometry
    "conv_output_size",
    # layers
    "Layer", "Input", "Conv2D", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "Flatten",
    "Dense", "Dropout", "BatchNormalization", "ResidualBlock", "residual_block",
    "Activation", "ReLU", "LeakyReLU", "ELU", "SELU",
    "GELU", "SiLU",
    "PReLU", "Sigmoid", "Tanh",
    "Softmax", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
    # models and training
    "Sequential", "SGD", "Adam", "StepDecay", "CosineDecay", "LearningRateSchedule",
    "RandomShift", "shift_images",
    # data
    "load_digits", "load_sample_image", "load_mnist",
    # showing code
    "show_source",
]
