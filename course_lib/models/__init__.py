"""Reference networks, one file per family: ``vae`` (autoencoders and VAEs), ``mlp_gan`` (toy-data GANs),
``dcgan`` (DCGAN and the WGAN-GP critic), ``mnist_classifier`` (the feature network of the metrics)."""
