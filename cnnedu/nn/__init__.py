"""All layer classes, importable from one place::

    from cnnedu.nn import Conv2D, MaxPool2D, Flatten, Dense

Each layer follows the protocol of :class:`~cnnedu.nn.base.Layer`:
``forward(x, training=False)``, ``backward(dy) -> dx`` filling ``grads``,
``params``, ``output_shape(input_shape)`` and lazy ``build`` from the first
input. They live in small modules by topic, named as the ops they wrap:

=================================  =====================================================
:mod:`cnnedu.nn.base`              ``Layer`` (the protocol), ``Input``
:mod:`cnnedu.nn.conv`              ``Conv2D``
:mod:`cnnedu.nn.pool`              ``MaxPool2D``, ``AvgPool2D``, ``GlobalAvgPool2D``
:mod:`cnnedu.nn.reshape`           ``Flatten``
:mod:`cnnedu.nn.dense`             ``Dense``
:mod:`cnnedu.nn.dropout`           ``Dropout``
:mod:`cnnedu.nn.norm`              ``BatchNormalization``
:mod:`cnnedu.nn.residual`          ``ResidualBlock`` (and ``residual_block``, He et al.'s
                                   basic block)
:mod:`cnnedu.nn.activation`        ``Activation``, ``ReLU``, ``Sigmoid``, ``Tanh``,
                                   ``LeakyReLU``, ``ELU``, ``SELU``, ``GELU``, ``SiLU``,
                                   ``PReLU``, ``Softmax``
=================================  =====================================================

Keras' longer names are aliases: ``MaxPooling2D``, ``AveragePooling2D``,
``GlobalAveragePooling2D``. Models and training live beside them:
:mod:`cnnedu.nn.model` (``Sequential``), :mod:`cnnedu.nn.training` (the
mini-batch loop of ``fit``, ``History``), :mod:`cnnedu.nn.loss` (the loss and
metrics ``compile`` takes), :mod:`cnnedu.nn.optim` (``SGD``, ``Adam``),
:mod:`cnnedu.nn.schedules` (``StepDecay``, ``CosineDecay``: learning rates an
optimizer takes in place of a number), :mod:`cnnedu.nn.augment`
(``RandomShift``, ``shift_images``: what ``fit(..., augment=...)`` takes),
:mod:`cnnedu.nn.zoo` (``classic_cnn``) and :mod:`cnnedu.nn.summary`
(parameter counts, the summary table).
"""
from .base import Input, Layer
from .activation import (ELU, GELU, SELU, Activation, LeakyReLU, PReLU, ReLU, Sigmoid, SiLU,
                         Softmax, Tanh)
from .conv import Conv2D
from .dense import Dense
from .dropout import Dropout
from .norm import BatchNormalization
from .pool import (AveragePooling2D, AvgPool2D, GlobalAveragePooling2D, GlobalAvgPool2D,
                   MaxPool2D, MaxPooling2D)
from .reshape import Flatten
from .residual import ResidualBlock, residual_block

__all__ = ["Layer", "Input",
           "Conv2D", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "Flatten",
           "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
           "Dense", "Dropout", "BatchNormalization", "ResidualBlock", "residual_block",
           "Activation", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "SELU", "GELU",
           "SiLU", "PReLU", "Softmax"]
