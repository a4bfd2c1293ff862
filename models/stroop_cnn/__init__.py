"""The image-based Stroop CNN: ``model`` (the protocol class), ``net`` (the torch network
and its training), ``render`` (word images in coloured ink). Importing this package
imports neither torch nor the model.
"""
