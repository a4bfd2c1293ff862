"""Computational models. One module each, one shared protocol (``models.base``).

Models are found by name through ``models.registry``; importing this package imports no
model (and so neither torch nor sentence-transformers).
"""
