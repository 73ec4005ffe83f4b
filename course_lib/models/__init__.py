"""Reference networks, one file per family: ``vae`` (autoencoders and VAEs), ``mlp_gan`` (toy-data GANs),
``dcgan`` (DCGAN and the WGAN-GP critic), ``mnist_classifier`` (the feature network of the metrics).

Every model keeps its constructor's arguments in ``model.model_args`` (as nanoGPT does), and
checkpoints store them (``course_lib.training.TrainState.run_config``): ``build_model`` rebuilds
a model from what a checkpoint says, never from the shapes of its weights.
"""
from __future__ import annotations

from typing import Mapping

from torch import nn

__all__ = ["MODEL_CLASSES", "build_model", "model_spec"]


def _classes() -> dict[str, type[nn.Module]]:
    from course_lib.models.dcgan import DCGANDiscriminator, DCGANGenerator
    from course_lib.models.mlp_gan import MLPDiscriminator, MLPGenerator
    from course_lib.models.mnist_classifier import MnistClassifier
    from course_lib.models.vae import VAE, Autoencoder
    from course_lib.models.conditional import (AuxiliaryDiscriminator, ConditionalDiscriminator,
                                               ConditionalGenerator, InfoGANGenerator)
    from course_lib.models.progan import ProDiscriminator, ProGenerator
    from course_lib.models.patchgan import PatchGANDiscriminator
    from course_lib.models.srresnet import SRResNet
    from course_lib.models.stylegan import MappingNetwork, StyleGenerator
    from course_lib.models.unet import UNetGenerator

    return {cls.__name__: cls for cls in (DCGANGenerator, DCGANDiscriminator, MLPGenerator, MLPDiscriminator,
                                          MnistClassifier, VAE, Autoencoder, ConditionalGenerator,
                                          ConditionalDiscriminator, AuxiliaryDiscriminator, InfoGANGenerator,
                                          ProGenerator, ProDiscriminator, StyleGenerator, MappingNetwork,
                                          UNetGenerator, PatchGANDiscriminator, SRResNet)}


MODEL_CLASSES = tuple(sorted(_classes()))


def model_spec(model: nn.Module) -> dict:
    """``{"class": ..., "model_args": {...}}`` of a course model (what ``build_model`` takes)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    args = getattr(model, "model_args", None)
    if type(model).__name__ not in MODEL_CLASSES or not isinstance(args, dict):
        raise ValueError(f"a {type(model).__name__} cannot be rebuilt from its arguments: only the course's "
                         f"models built with their own parts can ({', '.join(MODEL_CLASSES)})")
    return {"class": type(model).__name__, "model_args": dict(args)}


def build_model(spec: Mapping) -> nn.Module:
    """A fresh model from ``{"class": name, "model_args": {...}}`` (``model_spec``, or a module's
    entry of a checkpoint's ``run_config["modules"]``); its weights are not loaded."""
    if not isinstance(spec, Mapping) or "class" not in spec:
        raise TypeError(f"spec must be a mapping with 'class' and 'model_args', got {spec!r}")
    classes = _classes()
    if spec["class"] not in classes:
        raise ValueError(f"spec['class'] must be one of {', '.join(MODEL_CLASSES)}, got {spec['class']!r}")
    args = spec.get("model_args")
    if not isinstance(args, Mapping):
        raise ValueError(f"spec has no model_args for {spec['class']}: it was not built from its arguments alone")
    return classes[spec["class"]](**args)
